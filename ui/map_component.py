"""The explorer's map as a Streamlit Components v2 element that owns its chart in the browser.

`st.plotly_chart` rebuilt, revalidated and resent the whole map (contour, click lattice, frames) on
every rerun, and the browser remounted it. Here the browser keeps the chart (`ui/landscape_map.js`)
and Python sends it data only (`figures.map_data`):

- a hidden *base* element with the surface's part; its payload is identical on every rerun that
  keeps the surface, so Streamlit's own message cache sends it once, then a reference by hash;
- the *map* element with the paths (a few KB); the browser redraws them in place.

plotly.js and the component's modules are loaded once per page, by URL, from the app's static
folder (`server.enableStaticServing`): inline, they would travel with every rerun. They are copied
there from the plotly package and from `ui/` (Streamlit refuses a symlink that leaves
`static/`); the copies are generated, never committed. The map's browser code is one module per
job (`landscape_map.js` imports its parts, `map_*.js`, by relative path): each copy's imports
carry the version, a hash of every module, so a browser never mixes an old part with a new one
(`figures.js_modules`). Which plotly.js (the full bundle, or the smaller cartesian one once it is
fetched and verified) is `figures.plotly_assets`'s choice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly
import streamlit as st

from figures import map_data, plotly_assets
from figures.js_modules import module_files, versioned
from ui import common

ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = ROOT / "static"  # Streamlit serves <main script's folder>/static at app/static/
UI_DIR = Path(__file__).resolve().parent
MODULE_SOURCE = UI_DIR / "landscape_map.js"
MODULE_NAME = "landscape_map.js"
# The one plotly.js loader both components' modules import (at their own version, see `version`).
HELPER_SOURCE = Path(__file__).resolve().parent / "plotly_loader.js"
HELPER_NAME = "plotly_loader.js"
PLOTLY_SOURCE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
PLOTLY_NAME = plotly_assets.FULL_NAME  # the full bundle, always there
STATIC_URL = plotly_assets.STATIC_URL  # relative to the page, so a proxy's path prefix is kept


def copy_if_changed(src: Path, dst: Path) -> None:
    """Copy src to dst unless dst already has the same bytes (compared by size, then content)."""
    data = src.read_bytes()
    if dst.exists() and dst.stat().st_size == len(data) and dst.read_bytes() == data:
        return
    # Through a temporary file of this process and thread, then a rename: a browser never loads a
    # half-written file, and the processes of a lecture hall starting together never share one.
    plotly_assets.write_atomically(dst, data)


def version(module: Path) -> str:
    """A module's version: a hash of it, of the modules it imports and of the shared plotly.js loader,
    all fetched at the same `?v=`, which makes the browser fetch a changed module (or part, or
    loader) instead of a cached one."""
    files = dict.fromkeys([*module_files(module), HELPER_SOURCE])  # the loader once
    data = b"".join(p.read_bytes() for p in files)
    return hashlib.sha256(data).hexdigest()[:12]


def ensure_static_assets() -> str:
    """Put plotly.min.js, the map's modules (their imports at the version) and the shared plotly.js
    loader into static/; returns the map's version (`version`)."""
    copy_if_changed(PLOTLY_SOURCE, STATIC_DIR / PLOTLY_NAME)
    copy_if_changed(HELPER_SOURCE, STATIC_DIR / HELPER_NAME)
    map_version = version(MODULE_SOURCE)
    for path in module_files(MODULE_SOURCE):
        if path == HELPER_SOURCE:
            continue
        data = versioned(path.read_text(encoding="utf-8"), map_version).encode("utf-8")
        if (STATIC_DIR / path.name).exists() and (STATIC_DIR / path.name).read_bytes() == data:
            continue
        plotly_assets.write_atomically(STATIC_DIR / path.name, data)
    return map_version


def plotly_url() -> str:
    """The plotly.js every chart of ours loads, as of now (`figures.plotly_assets.plotly_url`): it turns
    from the full bundle to the cartesian one when that lands; a page keeps the one it loaded first."""
    return plotly_assets.plotly_url(STATIC_DIR)


def loader(export: str, version: str, module: str = MODULE_NAME) -> str:
    """The component's inline JS: a few lines that import the static `module` and call `export`."""
    return (
        "export default async function (args) {\n"
        f'  const url = new URL("{STATIC_URL}{module}?v={version}", document.baseURI).href;\n'
        f"  return (await import(url)).{export}(args);\n"
        "}\n"
    )


def as_data(payload: Any) -> list:
    """A component's `data`: the payload as the one item of a list. Streamlit scans the top-level
    values of a dict for dataframes to send as Arrow: on its first call in a process that imports
    pandas and pyarrow (about half a second of a cold start), and on every rerun it checks each
    value. A list it sends as JSON as it is. The browser reads `data[0]`."""
    return [payload]


VERSION = ensure_static_assets()  # the module's content hash, in its URL
plotly_assets.start_install(STATIC_DIR)  # once per process, in the background; the full bundle meanwhile
# No style isolation: plotly.js styles its hover labels and mode bar from the document's head,
# which a shadow root would not see.
_base_element = st.components.v2.component(
    "playground.landscape_base", js=loader("mountBase", VERSION), isolate_styles=False
)
_map_element = st.components.v2.component(
    "playground.landscape_map", js=loader("mountMap", VERSION), isolate_styles=False
)


@common.shared_cache(maxsize=32)
def map_base(surface_name: str, params: tuple, log_levels: bool, grid_n: int) -> dict:
    """The map's base payload for a surface (`figures.map_data.map_base`), built once per surface
    and shared by every session (read-only: never mutate it)."""
    grid = common.surface_grid(surface_name, params, grid_n)
    key = map_data.contour_key(surface_name + repr(params), grid, log_levels)
    return map_data.map_base(common.get_surface(surface_name, params), grid, log_levels=log_levels, key=key)


def landscape_map(
    base: dict, paths: dict, *, key: str, on_start: Callable[[float, float], None] | None = None
) -> None:
    """Mount the map: `base` from `figures.map_data.map_base`, `paths` from `map_paths`.

    A click on the map calls `on_start(x, y)` (in a callback, before the rerun) with the clicked
    point, rounded to 3 decimals and inside the surface's bounds.
    """

    def _clicked() -> None:
        state = st.session_state.get(key)
        point = state.get("start") if state is not None else None
        if on_start is None or not isinstance(point, list | tuple) or len(point) != 2:
            return
        try:
            x, y = float(point[0]), float(point[1])
        except (TypeError, ValueError):
            return  # a malformed value from the browser is ignored, never a traceback
        (x0, x1), (y0, y1) = base["xrange"], base["yrange"]
        if x0 <= x <= x1 and y0 <= y <= y1:
            on_start(round(x, 3), round(y, 3))

    _base_element(key=f"{key}_base", data=as_data(base))
    _map_element(
        key=key,
        data=as_data({**paths, "plotly_url": plotly_url()}),
        height="content",
        on_start_change=_clicked,
    )
