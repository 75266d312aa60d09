"""The lecture page's own figures (pure Plotly builders): slide 16's cost of a Newton step, slide
24's map of solvers with the app's methods placed on it, and the small line and bar charts of the
training-practice and search scenes. Every number drawn is an argument; nothing is typed here.

Fonts start at 20 px: these charts are shown on a projector.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

import optimizers
from figures import OKABE_ITO, TEMPLATE, optimizer_color

FONT = 20  # px, the smallest text on a projected chart
COST_COLORS = {
    "params": OKABE_ITO["blue"],
    "entries": OKABE_ITO["orange"],
    "inversion": OKABE_ITO["vermillion"],
}
# The lecture's words for slide 16's three quantities.
COST_LABELS = {
    "params": "parameters n",
    "entries": "Hessian entries n²",
    "inversion": "inverting it: ~n³ operations",
}
FAMILY_COLORS = {
    "linear systems": "#E8EEF7",
    "first order": "#E6F4EA",
    "second order": "#FCEFE3",
    "others": "#F1EDF7",
}


def _layout(fig: go.Figure, height: int, **kwargs) -> go.Figure:
    settings = {"margin": {"l": 90, "r": 30, "t": 30, "b": 80}, "legend": {"font_size": FONT}, **kwargs}
    fig.update_layout(template=TEMPLATE, height=height, font_size=FONT, **settings)
    return fig


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_label(value: float) -> str:
    """A count as a slide writes it, to one digit: 1e6 -> '10⁶', 3e12 -> '3×10¹²' (not '1e+06')."""
    mantissa, exponent = f"{value:.0e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}×{power}"


def newton_cost_figure(
    ns: np.ndarray, costs: Mapping[str, np.ndarray], *, marked: float | None = None, height: int = 520
) -> go.Figure:
    """Slide 16: parameters n, Hessian entries n² and inversion cost n³ against n, log-log.

    `costs` maps "params", "entries", "inversion" to arrays shaped like `ns`; `marked` draws the
    scene's n as a dotted vertical line with its three values."""
    fig = go.Figure()
    for key, label in COST_LABELS.items():
        fig.add_trace(
            go.Scatter(
                x=ns,
                y=costs[key],
                name=label,
                mode="lines",
                line={"color": COST_COLORS[key], "width": 4},
                hovertemplate="n = %{x:.3g}<br>" + label + " = %{y:.3g}<extra></extra>",
            )
        )
    if marked is not None:
        i = int(np.argmin(np.abs(np.log10(ns) - np.log10(marked))))
        fig.add_vline(x=ns[i], line={"dash": "dot", "color": "#555", "width": 2})
        for key in COST_LABELS:
            fig.add_trace(
                go.Scatter(
                    x=[ns[i]],
                    y=[costs[key][i]],
                    mode="markers+text",
                    marker={"size": 14, "color": COST_COLORS[key]},
                    text=[power_label(costs[key][i])],
                    textposition="middle left",
                    textfont={"size": FONT},
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    return _layout(
        fig,
        height,
        xaxis={"type": "log", "title": "number of parameters n", "exponentformat": "power", "dtick": 2},
        yaxis={"type": "log", "title": "count per iteration", "exponentformat": "power", "dtick": 3},
        # above the plot, a row per entry when the screen is narrow: inside it, the legend's
        # width took the plot's on a phone; below it, it ran into the axis title
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
            "font_size": FONT,
        },
        margin={"l": 90, "r": 30, "t": 50, "b": 80},
    )


WRAP_CHARS = 26  # a line of solver names inside a region of the map, at FONT - 2 px


def wrap_names(names: Sequence[str], width: int) -> list[str]:
    """Comma-separated names, a new line before a name that would pass `width` characters."""
    lines: list[str] = []
    for name in names:
        if lines and len(lines[-1]) + 2 + len(name) <= width:
            lines[-1] += ", " + name
        else:
            lines.append(name)
    return lines


def solver_map_figure(
    placed: Mapping[str, str],
    lecture_solvers: Mapping[str, Sequence[str]],
    *,
    highlight: str | None = None,
    height: int = 560,
    columns: int = 2,
) -> go.Figure:
    """Slide 24's map: one region per family (linear systems, first order, second order, others),
    the lecture's solvers in grey inside each, and the app's methods as coloured markers in the
    region the caller placed them in (`placed`: optimizer name -> family; labels and colours come
    from the registry through `optimizer_color` and `labels`). `highlight` rings one method.
    The regions stand in a grid of `columns` (2 on a projector; 1 on a phone, one above another)."""
    families = list(lecture_solvers)
    rows = -(-len(families) // columns)
    boxes = {fam: (i % columns, rows - 1 - i // columns) for i, fam in enumerate(families)}
    fig = go.Figure()
    shapes, annotations = [], []
    for fam, (col, row) in boxes.items():
        x0, y0 = col * 1.05, row * 1.05
        shapes.append(
            {
                "type": "rect",
                "x0": x0,
                "x1": x0 + 1,
                "y0": y0,
                "y1": y0 + 1,
                "fillcolor": FAMILY_COLORS.get(fam, "#eee"),
                "line": {"color": "#999", "width": 1},
                "layer": "below",
            }
        )
        annotations.append(
            {"x": x0 + 0.03, "y": y0 + 0.95, "text": f"<b>{fam}</b>", "showarrow": False,
             "xanchor": "left", "yanchor": "top", "font": {"size": FONT + 4}}
        )  # fmt: skip
        names = list(lecture_solvers[fam])
        lines = wrap_names(names, WRAP_CHARS)
        annotations.append(
            {"x": x0 + 0.03, "y": y0 + 0.04, "text": "<br>".join(lines), "showarrow": False,
             "xanchor": "left", "yanchor": "bottom", "font": {"size": FONT - 2, "color": "#666"},
             "align": "left"}
        )  # fmt: skip
        ours = [name for name, f in placed.items() if f == fam]
        per_row = 2 if len(ours) > 4 else 1  # long names ("Levenberg-Marquardt") get a row each
        for j, name in enumerate(ours):
            x = x0 + 0.08 + 0.46 * (j % per_row)
            y = y0 + 0.75 - 0.13 * (j // per_row)
            ring = name == highlight
            fig.add_trace(
                go.Scatter(
                    x=[x],
                    y=[y],
                    mode="markers+text",
                    marker={
                        "size": 22 if ring else 16,
                        "color": optimizer_color(name),
                        "line": {"width": 4 if ring else 0, "color": "#000"},
                    },
                    text=[optimizers.OPTIMIZERS[name].label],
                    textposition="middle right",
                    textfont={"size": FONT, "color": "#000"},
                    name=optimizers.OPTIMIZERS[name].label,
                    showlegend=False,
                    hovertemplate=f"{optimizers.OPTIMIZERS[name].label}: {fam}<extra></extra>",
                )
            )
    fig.update_layout(shapes=shapes, annotations=annotations)
    return _layout(
        fig,
        height,
        xaxis={"visible": False, "range": [-0.02, 1.05 * columns - 0.03]},
        yaxis={"visible": False, "range": [-0.02, 1.05 * rows - 0.03]},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )


def log_ticks(values: Sequence[float]) -> dict:
    """Tick values and full labels for a log axis over `values`: 1, 2 and 5 times the powers of
    ten (only the powers when that is more than ten ticks). Plotly's own minor labels on a log
    axis are bare digits ("5" for 0.05)."""
    v = np.asarray([x for x in values if np.isfinite(x) and x > 0], dtype=float)
    if v.size == 0:
        return {}
    lo, hi = float(v.min()), float(v.max())
    decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    ticks = [m * 10.0**k for k in decades for m in (1, 2, 5) if lo / 2 <= m * 10.0**k <= hi * 2]
    if len(ticks) > 10:
        ticks = [10.0**k for k in decades]
    return {"tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def lines_figure(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    xaxis: str,
    yaxis: str,
    log_y: bool = False,
    marks: Mapping[str, tuple[float, float]] | None = None,
    colors: Mapping[str, str] | None = None,
    height: int = 520,
) -> go.Figure:
    """Named curves (label -> (x, y)) and named marked points (label -> (x, y))."""
    palette = list(OKABE_ITO.values())
    fig = go.Figure()
    for i, (label, (x, y)) in enumerate(series.items()):
        color = (colors or {}).get(label, palette[(i + 1) % len(palette)])
        fig.add_trace(
            go.Scatter(x=list(x), y=list(y), name=label, mode="lines", line={"color": color, "width": 4})
        )
    for label, (x, y) in (marks or {}).items():
        fig.add_trace(
            go.Scatter(
                x=[x], y=[y], name=label, mode="markers",
                marker={"size": 18, "symbol": "star", "color": "#000"},
            )
        )  # fmt: skip
    return _layout(
        fig,
        height,
        xaxis={"title": xaxis},
        yaxis={"title": yaxis, "type": "log" if log_y else "linear", "exponentformat": "power"}
        | (log_ticks([v for _, ys in series.values() for v in ys]) if log_y else {}),
    )


def bars_figure(groups: Mapping[str, Mapping[str, float]], *, yaxis: str, height: int = 520) -> go.Figure:
    """Grouped bars: series label -> (category -> value)."""
    palette = list(OKABE_ITO.values())
    fig = go.Figure()
    for i, (label, values) in enumerate(groups.items()):
        fig.add_trace(
            go.Bar(
                x=list(values),
                y=list(values.values()),
                name=label,
                marker_color=palette[(i + 1) % len(palette)],
                text=[f"{v:.3g}" for v in values.values()],
                textposition="outside",
                textfont={"size": FONT},
            )
        )
    return _layout(fig, height, barmode="group", yaxis={"title": yaxis}, xaxis={"type": "category"})
