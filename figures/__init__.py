"""Plotly pieces shared by every page: the template, one colour per optimizer, the contour grid.

Builders here and in the page modules (`figures.explorer`, `figures.search`) are pure functions of
NumPy arrays, surfaces and Trajectories that return `go.Figure` or traces. They never import
streamlit, and every figure sets `layout.template` explicitly (never `pio.templates.default`).

Colours follow the Okabe-Ito palette, which stays distinguishable under the common forms of colour
blindness; each optimizer keeps its colour in every chart of the app.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from optimizers.registry import OPTIMIZERS
from optimizers.run_ids import COPY_SEP, MAX_COPIES, run_id, split_run_id

__all__ = [
    "CONTOUR_COLORSCALE",
    "COPY_SEP",
    "MAX_COPIES",
    "OKABE_ITO",
    "OPTIMIZER_COLORS",
    "TEMPLATE",
    "apply_levels",
    "contour_trace",
    "level_transform",
    "log_axis",
    "optimizer_color",
    "palette",
    "run_id",
    "split_run_id",
    "surface_grid",
]

# The app's one palette: Okabe-Ito (colour-blind safe). Yellow is left out: it vanishes on a light
# background. Every categorical colour of every chart is picked from here by name.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "blue": "#0072B2",
    "black": "#000000",
}


def palette(*names: str) -> tuple[str, ...]:
    """The palette's colours `names`, in that order."""
    return tuple(OKABE_ITO[name] for name in names)


# Each optimizer's colour is declared in its registry record (Okabe-Ito first, then Paul Tol's muted).
OPTIMIZER_COLORS: dict[str, str] = {name: info.color for name, info in OPTIMIZERS.items()}
_FALLBACK_COLORS = ("#882255", "#44AA99", "#999933", "#AA4499", "#332288")

# Light grey-blue fill: low loss is near white, so the coloured paths stay readable everywhere.
CONTOUR_COLORSCALE = [[0.0, "#ffffff"], [0.35, "#dde3ea"], [1.0, "#7f8c9b"]]

TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": "Source Sans Pro, Helvetica, Arial, sans-serif", "size": 14},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": 13}},
        "colorway": list(OPTIMIZER_COLORS.values()),
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        # ticklabeloverflow "allow": the labels fit, and plotly.js then skips measuring every label's
        # box on each redraw (a forced layout, several ms per chart).
        "xaxis": {"showgrid": True, "gridcolor": "#eceff3", "zeroline": False, "linecolor": "#888",
                  "ticklabeloverflow": "allow"},
        "yaxis": {"showgrid": True, "gridcolor": "#eceff3", "zeroline": False, "linecolor": "#888",
                  "ticklabeloverflow": "allow"},
    }
)  # fmt: skip


# A log axis over at most this many decades gets ticks at 1, 2 and 5 of each decade, each labelled
# in full; over more, the decades alone are labelled.
LOG_SHORT_SPAN = 2.5


def log_axis(values) -> dict:
    """Axis settings for a log axis over `values` (the data, or the axis's ends; an array or a list
    of arrays of any lengths, e.g. one per trace) whose every label
    reads as its value. Plotly's default labels the ticks between decades with bare digits: 0.05
    reads "5". Over a short span: ticks at 1, 2, 5 of each decade, labelled in full (0.05, 0.1,
    0.2; 2e-12); over a long one: the decades only, as powers of ten (10⁻⁴, not Plotly's "100µ")."""
    with np.errstate(all="ignore"):
        parts = values if isinstance(values, list | tuple) else [values]
        v = np.concatenate([np.ravel(np.asarray(x, dtype=float)) for x in parts] or [np.zeros(0)])
        v = v[np.isfinite(v) & (v > 0)]
    if v.size and math.log10(v.max() / v.min()) <= LOG_SHORT_SPAN:
        return {"type": "log", "dtick": "D2", "minorloglabels": "complete", "exponentformat": "e"}
    return {"type": "log", "minorloglabels": "none", "exponentformat": "power"}


# Run ids ("sgd", "sgd~2") are declared with the engine, free of plotly (`optimizers.run_ids`).
_SHADES = (0.0, -0.45, 0.5)  # copy i's colour: the optimizer's, darker (< 0) or lighter (> 0)
# A colour this dark (LM's black) has no darker shade to tell a copy by: its copies get lighter.
_DARK_SHADES = (0.0, 0.45, 0.75)
_DARK = 128  # its brightest channel below this


def _shade(color: str, amount: float) -> str:
    """`color` (#rrggbb) mixed with black (amount < 0) or white (amount > 0) by |amount|."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    mixed = [round(c + abs(amount) * (target - c)) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def optimizer_color(name: str) -> str:
    """The colour of an optimizer, or of a run id (a copy gets a darker or lighter shade of its
    optimizer's colour); unknown names get a stable colour from a fallback list."""
    try:
        base, copy = split_run_id(name)
    except ValueError:
        base, copy = name, 1
    if base in OPTIMIZER_COLORS:
        color = OPTIMIZER_COLORS[base]
    else:
        color = _FALLBACK_COLORS[sum(map(ord, base)) % len(_FALLBACK_COLORS)]
    if copy == 1:
        return color
    dark = max(int(color[i : i + 2], 16) for i in (1, 3, 5)) < _DARK
    shades = _DARK_SHADES if dark else _SHADES
    return _shade(color, shades[(copy - 1) % len(shades)])


def surface_grid(surface, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss on an n x n grid over `surface.bounds`.

    Returns xs (n,), ys (n,) and Z (n, n) with Z[i, j] = L(xs[j], ys[i]) (Plotly's contour layout),
    all float32 to halve what is sent to the browser. Non-finite values become NaN; finite values
    beyond float32's range are clipped to it (a cast would make them inf).
    """
    (x0, x1), (y0, y1) = surface.bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        Z = np.asarray(surface.value(np.stack([X, Y], axis=-1)), dtype=float)
    Z = np.where(np.isfinite(Z), Z, np.nan)
    big = float(np.finfo(np.float32).max)
    return xs.astype(np.float32), ys.astype(np.float32), np.clip(Z, -big, big).astype(np.float32)


def _floor(Z: np.ndarray, min_value: float | None) -> float:
    zmin = float(np.nanmin(Z)) if np.isfinite(Z).any() else 0.0
    if min_value is not None and math.isfinite(min_value):
        return min(zmin, float(min_value))
    return zmin


def level_transform(
    Z: np.ndarray, *, log_levels: bool, min_value: float | None
) -> tuple[np.ndarray, float, float]:
    """Map losses to the values the contour colours, so that the valley floor shows.

    With `log_levels`, returns log10(L - floor + delta) where floor is the lowest loss (or L*) and
    delta = 1e-4 of the loss range; otherwise L itself. Returns (values, floor, delta); use
    `apply_levels` with the same floor and delta to place paths on the same scale (3D view).
    """
    if not log_levels:
        return Z, 0.0, 0.0
    floor = _floor(Z, min_value)
    zmax = float(np.nanmax(Z)) if np.isfinite(Z).any() else floor + 1.0
    delta = max(1e-4 * (zmax - floor), 1e-12)
    return apply_levels(Z, floor, delta, log_levels=True), floor, delta


def apply_levels(values, floor: float, delta: float, *, log_levels: bool) -> np.ndarray:
    """The transform of `level_transform` applied to other losses (NaN where undefined)."""
    values = np.asarray(values, dtype=float)
    if not log_levels:
        return values
    with np.errstate(all="ignore"):
        out = np.log10(np.maximum(values - floor, 0.0) + delta)
    return np.where(np.isfinite(out), out, np.nan).astype(np.float32)


def _log_colorbar(floor: float, delta: float, zt: np.ndarray) -> dict:
    """Colour-bar ticks at whole decades of L - floor, labelled with the loss itself."""
    lo, hi = float(np.nanmin(zt)), float(np.nanmax(zt))
    tickvals, ticktext = [], []
    for e in range(math.floor(lo) - 1, math.ceil(hi) + 2):
        tv = math.log10(10.0**e + delta)
        # Near the floor the decades crowd together (delta dominates): skip labels that would touch.
        if lo <= tv <= hi and (not tickvals or tv - tickvals[-1] > 0.06 * (hi - lo)):
            tickvals.append(tv)
            ticktext.append(f"{floor + 10.0**e:.3g}")
    return {"tickvals": tickvals, "ticktext": ticktext, "title": {"text": "loss L (log)"}}


def contour_trace(
    xs: np.ndarray,
    ys: np.ndarray,
    Z: np.ndarray,
    *,
    log_levels: bool,
    min_value: float | None,
    ncontours: int = 24,
    showscale: bool = True,
) -> go.Contour:
    """A static contour of the loss with light fill and log-spaced levels where asked.

    Hover is off here: contour traces report no coordinates to Streamlit's `on_select`, so the
    click-to-start grid (a scatter trace on top) carries the hover text instead.
    """
    zt, floor, delta = level_transform(Z, log_levels=log_levels, min_value=min_value)
    colorbar = (
        _log_colorbar(floor, delta, zt)
        if log_levels and np.isfinite(zt).any()
        else {"title": {"text": "loss L"}}
    )
    colorbar.update(thickness=10, len=0.75)
    return go.Contour(
        x=xs,
        y=ys,
        z=np.asarray(zt, dtype=np.float32),
        ncontours=ncontours,
        colorscale=CONTOUR_COLORSCALE,
        # "heatmap" colouring draws one image instead of a filled path per level: the browser
        # redraws it about twice as fast as "fill" (measured in headless Chromium).
        contours={"coloring": "heatmap", "showlines": True},
        line={"color": "rgba(60,70,80,0.35)", "width": 0.8},
        showscale=showscale,
        colorbar=colorbar,
        hoverinfo="skip",
        name="loss",
    )
