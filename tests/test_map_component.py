"""The map component's wrapper (ui/map_component.py): its static files and how they are served."""

from __future__ import annotations

import re
import subprocess
import sys

from ui import map_component as mc


def test_plotly_and_the_modules_are_copied_into_static_and_refreshed_when_changed():
    version = mc.ensure_static_assets()
    plotly_copy = mc.STATIC_DIR / mc.PLOTLY_NAME
    module_copy = mc.STATIC_DIR / mc.MODULE_NAME
    assert plotly_copy.read_bytes() == mc.PLOTLY_SOURCE.read_bytes()
    assert not plotly_copy.is_symlink()  # Streamlit refuses a symlink that leaves static/
    parts = {p.name for p in mc.module_files(mc.MODULE_SOURCE)}
    assert {"map_base.js", "map_overlays.js", "map_slide.js", mc.HELPER_NAME} < parts
    for name in parts:
        copy = (mc.STATIC_DIR / name).read_text()
        # The copy is the source with each import of a part asking for it at the map's version.
        assert copy == mc.versioned((mc.MODULE_SOURCE.parent / name).read_text(), version)
        assert all(v == f"?v={version}" for v in re.findall(r'from "\./[a-z_]+\.js(\?v=\w+)?"', copy))
    assert f'from "./map_base.js?v={version}"' in module_copy.read_text()
    module_copy.write_text("// outdated")
    assert mc.ensure_static_assets() == version
    assert module_copy.read_text() == mc.versioned(mc.MODULE_SOURCE.read_text(), version)


def test_the_version_covers_every_part_of_the_map(tmp_path, monkeypatch):
    for path in mc.module_files(mc.MODULE_SOURCE):
        (tmp_path / path.name).write_text(path.read_text())
    entry = tmp_path / mc.MODULE_NAME
    before = mc.version(entry)
    (tmp_path / "map_slide.js").write_text((tmp_path / "map_slide.js").read_text() + "\n// changed")
    assert mc.version(entry) != before


def test_the_copies_are_never_committed_and_static_serving_is_on():
    for name in (mc.PLOTLY_NAME, mc.MODULE_NAME, "map_base.js", "map_overlays.js", "map_slide.js"):
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


def test_the_explorer_is_drawn_without_pandas_or_pyarrow():
    # A cold start's first page: Streamlit imports pandas and pyarrow (about half a second) to scan
    # a component's dict data for dataframes, which is why the components get a list.
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(mc.ROOT / 'app.py')!r}, default_timeout=120)\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.get('bidi_component'), 'the map and the loss chart are drawn'\n"
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=mc.ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_one_plotly_loader_shared_by_both_modules():
    """plotly.js is loaded by one function (ui/plotly_loader.js), which both modules import at
    their own version; a change to the loader changes both versions."""
    from ui import plot_component as pc

    sources = {p.name: p.read_text() for p in mc.HELPER_SOURCE.parent.glob("*.js")}
    assert [name for name, text in sources.items() if "function loadPlotly" in text] == [mc.HELPER_NAME]
    assert "./plotly_loader.js${new URL(import.meta.url).search}" in sources[pc.MODULE_NAME]
    assert 'from "./plotly_loader.js"' in sources[mc.MODULE_NAME]  # its copy asks at the map's version
    mc.ensure_static_assets()
    assert (mc.STATIC_DIR / mc.HELPER_NAME).read_bytes() == mc.HELPER_SOURCE.read_bytes()
    command = ["git", "check-ignore", "-q", f"static/{mc.HELPER_NAME}"]
    ignored = subprocess.run(command, cwd=mc.ROOT, check=False)
    assert ignored.returncode == 0
    assert mc.version(mc.MODULE_SOURCE) != mc.version(pc.MODULE_SOURCE)
