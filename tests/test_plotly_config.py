"""Every chart in ui/ gets the one plotly.js config (`ui.common.PLOTLY_CONFIG`): no logo, no "Share chart"."""

from __future__ import annotations

import ast
from pathlib import Path

from ui import common

UI = Path(common.__file__).resolve().parent


def _plotly_chart_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr == "plotly_chart":
                calls.append((f"{path.relative_to(UI)}:{node.lineno}", node))
    return calls


def test_the_config_hides_the_logo_and_the_share_button():
    assert common.PLOTLY_CONFIG == {"displaylogo": False, "showSendToCloud": False}


def test_every_plotly_chart_in_ui_uses_the_shared_config():
    calls = _plotly_chart_calls()
    assert len(calls) >= 10  # the scan finds the charts (search, practice, lecture, explorer, classroom)
    missing = []
    for where, call in calls:
        config = next((k.value for k in call.keywords if k.arg == "config"), None)
        if config is None or "PLOTLY_CONFIG" not in ast.unparse(config):
            missing.append(where)
    assert missing == []
