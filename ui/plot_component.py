"""A Plotly chart that stays on the page: a Components v2 element that redraws in place.

`st.plotly_chart` validates the figure again (about 10 ms for the loss curves) and, in Streamlit
1.67, derives the element's id from the figure even with a key, so every rerun with new data
purged and rebuilt the chart in the browser (100-160 ms). This element takes a plain figure dict
(`{"data": [...], "layout": {...}}`, as `figures.explorer.loss_figure` builds it) and the browser
calls `Plotly.react` on the chart it already has (`ui/plot_chart.js`): same DOM node, new data,
the user's zoom kept through `layout.uirevision`.

NumPy arrays travel as Plotly's typed-array specs (`{"dtype": "f4", "bdata": base64}`), which
plotly.js reads directly. plotly.js and the module load once per page from the app's static folder,
shared with the map (`ui.map_component`).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from ui import common, map_component

MODULE_SOURCE = Path(__file__).resolve().parent / "plot_chart.js"
MODULE_NAME = "plot_chart.js"
# The dtypes plotly.js decodes from a typed-array spec; anything else is sent as float64.
_DTYPES = {"float32": "f4", "float64": "f8", "int32": "i4", "uint32": "u4", "int16": "i2", "uint16": "u2",
           "int8": "i1", "uint8": "u1"}  # fmt: skip


def ensure_static_assets() -> str:
    """Put the module (and plotly.min.js and the shared loader, through the map's copies) into
    static/; returns the module's version (`map_component.version`)."""
    map_component.ensure_static_assets()
    map_component.copy_if_changed(MODULE_SOURCE, map_component.STATIC_DIR / MODULE_NAME)
    return map_component.version(MODULE_SOURCE)


def to_wire(value: Any) -> Any:
    """A figure (dicts, lists, NumPy arrays and scalars) as JSON-ready values: a 1-D numeric array
    becomes a typed-array spec, other arrays lists, NumPy scalars Python numbers."""
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.ndim == 1 and value.dtype.kind in "iuf":
            arr = value if value.dtype.name in _DTYPES else value.astype(np.float64)
            arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
            return {
                "dtype": _DTYPES[arr.dtype.name],
                "bdata": base64.b64encode(arr.tobytes()).decode("ascii"),
            }
        return to_wire(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


_VERSION = ensure_static_assets()
_element = st.components.v2.component(
    "playground.plot",
    js=map_component.loader("mountPlot", _VERSION, module=MODULE_NAME),
    isolate_styles=False,  # plotly.js styles its hover labels and mode bar from the document's head
)


def plot(figure: dict, *, key: str, config: dict | None = None) -> None:
    """Draw `figure` (a plain Plotly figure dict; read-only here) at the app's full width and the
    layout's height. Reruns with the same `key` update the same chart in place."""
    _element(
        key=key,
        data=map_component.as_data(
            {
                "figure": to_wire(figure),
                # No "Share chart" to Plotly's cloud (plotly.js shows it by default).
                "config": {**common.PLOTLY_CONFIG, **(config or {})},
                "plotly_url": map_component.plotly_url(),
            }
        ),
        height="content",
    )
