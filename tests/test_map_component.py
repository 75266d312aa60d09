"""The map component's wrapper (ui/map_component.py): its static files and how they are served."""

from __future__ import annotations

import re
import subprocess

from ui import map_component as mc


def test_plotly_and_the_module_are_copied_into_static_and_refreshed_when_changed():
    version = mc.ensure_static_assets()
    plotly_copy = mc.STATIC_DIR / mc.PLOTLY_NAME
    module_copy = mc.STATIC_DIR / mc.MODULE_NAME
    assert plotly_copy.read_bytes() == mc.PLOTLY_SOURCE.read_bytes()
    assert module_copy.read_bytes() == mc.MODULE_SOURCE.read_bytes()
    assert not plotly_copy.is_symlink()  # Streamlit refuses a symlink that leaves static/
    module_copy.write_text("// outdated")
    assert mc.ensure_static_assets() == version
    assert module_copy.read_bytes() == mc.MODULE_SOURCE.read_bytes()


def test_the_copies_are_never_committed_and_static_serving_is_on():
    for name in (mc.PLOTLY_NAME, mc.MODULE_NAME):
        done = subprocess.run(
            ["git", "check-ignore", "-q", f"static/{name}"], cwd=mc.ROOT, capture_output=True, check=False
        )
        assert done.returncode == 0, f"static/{name} is not ignored by git"
    config = (mc.ROOT / ".streamlit" / "config.toml").read_text()
    server = config.split("[server]", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^enableStaticServing\s*=\s*true\s*$", server, re.M)


def test_the_inline_js_is_a_small_loader_not_plotly():
    # The component's inline JS travels with every rerun: it must stay a few lines.
    loader = mc.loader("mountMap", "abc")
    assert len(loader) < 400
    assert "app/static/landscape_map.js?v=abc" in loader and "mountMap" in loader
