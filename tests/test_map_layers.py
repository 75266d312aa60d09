"""The map's two layers (ui/map_base.js `decodeBase`, run in Node on the page's base payload): the
parameter axes' tick labels and titles are drawn by the contour's layer, drawn once per surface,
and by no other layer; the paths' layer, redrawn on every run and step, draws none."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import surfaces
from figures import map_data as md
from figures import surface_grid

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the map's module")


def _layouts(name: str) -> dict:
    surface = surfaces.get_surface(name)
    base = md.map_base(surface, surface_grid(surface, 12), log_levels=False, key="k")
    script = f"""
    const m = await import({json.dumps((ROOT / "ui" / "map_base.js").as_uri())});
    const b = m.decodeBase({json.dumps(base)});
    console.log(JSON.stringify({{ below: b.bgLayout, above: b.layout, labels: b.axisLabels }}));
    """
    out = subprocess.run(
        [NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", ["quadratic", "linear_regression"])
def test_the_axes_are_labelled_once_by_the_contours_layer(name):
    got = _layouts(name)
    for ax, label in zip(("xaxis", "yaxis"), got["labels"], strict=True):
        below, above = got["below"][ax], got["above"][ax]
        assert below.get("showticklabels", True) is True and below["title"]["text"] == label
        assert above["showticklabels"] is False and above["title"]["text"] == ""
        # Both layers place the axis identically, so the labels sit where the paths are drawn.
        assert below["range"] == above["range"]
        assert below.get("domain") == above.get("domain")
    if name == "linear_regression":  # the data panel's axes belong to the paths' layer alone
        assert got["above"]["xaxis2"]["title"]["text"] == "input x"
        assert "xaxis2" not in got["below"]
