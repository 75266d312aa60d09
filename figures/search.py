"""Plotly builders for the hyperparameter-search page: pure functions returning go.Figure.

They take the results of ``sweeps`` (SearchResult, Comparison, StartMap) and plain arrays, and
never import streamlit. Runs without a score are never drawn as numbers: diverged settings are
grey cells (or grey crosses) with a legend entry "diverged", settings that never got within the
tolerance are light cells with open circles, "not reached".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures import OKABE_ITO, TEMPLATE, log_axis, palette
from optimizers import theory
from sweeps import Comparison, Range, SearchResult, StartMap

DIVERGED_COLOR = "#9e9e9e"
NOT_REACHED_COLOR = "#ead9c0"
BEST_COLOR = "#ffd400"
SCORE_SCALE = "Viridis"  # dark = low score = good
# One colour per minimum of a many-start map (Himmelblau has four), then "none" and "diverged".
MINIMUM_COLORS = palette(
    "blue", "orange", "bluish_green", "reddish_purple", "sky_blue", "vermillion", "black"
)
NONE_COLOR = "#f0f0f0"
AT_MIN_VALUE_COLOR = "#8fbf8f"  # muted green: at L*, away from any starred minimum
PICK_NAME = "pick a setting"  # invisible markers on heatmap cells: a click reports the run index
MAX_PICK_CELLS = 2_500  # larger grids are picked from the table only (keeps the page light)
# Below the plot, so it never covers the title (the shared template puts it on top).
_LEGEND = dict(orientation="h", yanchor="top", y=-0.22, x=0.0)
# The best setting first, then the others.
PATH_COLORS = palette("vermillion", "blue", "bluish_green", "sky_blue", "orange")
PICK_COLOR = OKABE_ITO["reddish_purple"]  # the picked setting: its ring on the search chart, its path
LIMIT_COLOR = "#d81b60"  # the step-size limit drawn over the cells
OPTIMUM_COLOR = "white"


def score_title(result: SearchResult) -> str:
    """Axis/colour-bar title of a search's score, with the direction that is better."""
    if result.score_kind == "loss":
        if result.min_value is None:
            return "final loss L (lower is better)"
        return "log10(L − L*) (lower is better)"
    return f"steps to L − L* ≤ {result.tol:g} (lower is better)"


def setting_text(names: Sequence[str], values: Sequence[float]) -> str:
    """'lr=0.0123, beta1=0.9' for a legend or a caption."""
    return ", ".join(f"{n}={v:.3g}" for n, v in zip(names, values, strict=True))


def search_figure(
    result: SearchResult, picked: int | None = None, limit: theory.StepLimit | None = None
) -> go.Figure:
    """The main picture of a search: heatmap (2D grid), scatter (2D random) or line (1D).

    Every clickable point carries its run index as ``customdata`` (for Streamlit's on_select);
    ``picked`` (a run index) is ringed. ``limit`` (``optimizers.theory.step_limit`` at the start
    point) draws the step-size boundary and, on a quadratic, the optimal settings (`add_theory`).
    """
    if len(result.names) == 1:
        fig = score_line(result)
    elif result.method == "grid":
        fig = search_heatmap(result)
    else:
        fig = search_scatter(result)
    if limit is not None:
        add_theory(fig, result, limit)
    if picked is not None:
        names = result.names
        y = result.score[picked] if len(names) == 1 else result.settings[names[1]][picked]
        fig.add_trace(
            go.Scatter(
                x=[result.settings[names[0]][picked]],
                y=[y],
                mode="markers",
                name="picked: " + setting_text(names, [result.settings[n][picked] for n in names]),
                marker=dict(symbol="circle-open", size=22, color=PICK_COLOR, line=dict(width=3)),
                hoverinfo="skip",
            )
        )
    fig.update_layout(clickmode="event+select")
    return fig


def search_heatmap(result: SearchResult) -> go.Figure:
    """Heatmap of the score over a 2D grid, first hyperparameter on x; best cell starred."""
    if result.method != "grid" or len(result.names) != 2:
        raise ValueError("search_heatmap needs a grid search over two hyperparameters.")
    rx, ry = result.ranges
    n, m = result.shape
    xs, ys = result.settings[rx.name].reshape(n, m)[:, 0], result.settings[ry.name].reshape(n, m)[0]

    def grid_of(values):  # (N,) in run order -> (m, n) indexed [y][x]
        return np.asarray(values).reshape(n, m).T

    score = grid_of(result.score)
    outcome = grid_of(result.outcome)
    xe, ye = _edges(xs, rx.log), _edges(ys, ry.log)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=xe,
            y=ye,
            z=score,
            colorscale=SCORE_SCALE,
            colorbar=dict(title=dict(text=score_title(result), side="right")),
            hoverongaps=False,
            name="score",
            hovertemplate=f"{rx.name}=%{{x:.3g}}<br>{ry.name}=%{{y:.3g}}<br>score=%{{z:.3g}}<extra></extra>",
            hoverinfo="skip" if n * m <= MAX_PICK_CELLS else None,
        )
    )
    size = int(np.clip(300 / max(n, m), 3, 14))
    for label, color, symbol in (
        ("diverged", DIVERGED_COLOR, "x-thin"),
        ("not reached", NOT_REACHED_COLOR, "circle-open"),
    ):
        mask = outcome == label
        if not mask.any():
            continue
        fig.add_trace(_mask_layer(xe, ye, mask, color, label, hovertemplate=None))
        if n * m <= MAX_PICK_CELLS:  # per-cell symbols; on bigger grids the legend square says it
            iy, ix = np.nonzero(mask)
            fig.add_trace(_outcome_markers(xs[ix], ys[iy], label, size, symbol))
        else:
            fig.add_trace(_legend_square(color, f"{label} (no score)"))
    if n * m <= MAX_PICK_CELLS:
        X, Y = np.meshgrid(xs, ys)  # (m, n) like z
        text = np.where(np.isfinite(score), np.char.mod("%.3g", np.nan_to_num(score)), outcome)
        fig.add_trace(
            go.Scatter(
                x=X.ravel(),
                y=Y.ravel(),
                customdata=grid_of(np.arange(n * m)).ravel(),
                text=text.ravel(),
                mode="markers",
                name=PICK_NAME,
                showlegend=False,
                marker=dict(
                    symbol="square", size=int(np.clip(400 / max(n, m), 4, 24)), color="rgba(0,0,0,0)"
                ),
                selected=dict(marker=dict(opacity=0)),
                unselected=dict(marker=dict(opacity=0)),
                hovertemplate=f"{rx.name}=%{{x:.3g}}<br>{ry.name}=%{{y:.3g}}<br>score=%{{text}}"
                "<br><i>click to pick this setting</i><extra></extra>",
            )
        )
    _add_best(fig, result)
    _axes(fig, result.ranges)
    fig.update_layout(
        title=dict(text=f"Grid search: {n} × {m} = {n * m:,} settings, {result.steps} steps each")
    )
    return _finish(fig)


def search_scatter(result: SearchResult) -> go.Figure:
    """Random (or any) search over two hyperparameters: one dot per setting, coloured by score."""
    if len(result.names) != 2:
        raise ValueError("search_scatter needs two hyperparameters.")
    fig = go.Figure()
    for trace in _scatter_traces(result):
        fig.add_trace(trace)
    _add_best(fig, result)
    _axes(fig, result.ranges)
    title = f"Random search: {len(result):,} settings, {result.steps} steps each"
    if result.seed is not None:
        title += f" (seed {result.seed})"
    fig.update_layout(title=dict(text=title))
    return _finish(fig)


LIMIT_NAME = "step-size limit"  # the boundary trace's name starts with this
OPTIMUM_NAME = "optimal"  # the optimal settings' traces' names start with this


def add_theory(fig: go.Figure, result: SearchResult, limit: theory.StepLimit) -> None:
    """The step-size limit over the cells, and on a quadratic the optimal constant settings.

    Draws only where the learning rate is searched, for the methods with a closed-form limit
    (those whose registry record has an `lr_limit`: gradient descent, heavy ball, Nesterov). With
    the record's beta (momentum) searched too
    the boundary is the curve lr = limit(momentum) over the momentum range; otherwise a line at
    the limit for the fixed momentum. The legend says whether it is exact (constant Hessian) or
    local (the Hessian at the start point). On a constant positive-definite Hessian it also marks
    gradient descent's optimal step 2/(λ_min + λ_max), or heavy ball's optimal (lr, momentum).
    Parts outside the searched ranges are left out, so the axes keep their extent.
    """
    opt = result.optimizer
    names = result.names
    record = theory.limit_record(opt)
    if record is None or "lr" not in names or not np.isfinite(limit.lr):
        return
    lr_range = result.ranges[names.index("lr")]
    other = next((r for r in result.ranges if r.name != "lr"), None)
    lr_lo, lr_hi = _extent(result, lr_range)
    where = "exact: constant Hessian" if limit.exact else "local: the Hessian at the start point"
    label = f"{LIMIT_NAME} lr < {limit.formula} ({where})"
    if other is not None and record.beta is not None and other.name == record.beta:
        m_lo, m_hi = _extent(result, other)
        beta = other.scale(np.linspace(0.0, 1.0, 200)) if not other.log else np.geomspace(m_lo, m_hi, 200)
        beta = beta[(beta >= m_lo) & (beta <= m_hi) & (beta < 1)]
        lr = np.asarray(theory.lr_limit(opt, limit.lambda_max, beta), dtype=float)
        points = {"lr": lr, record.beta: beta}
    else:
        beta = float(result.fixed.get(record.beta, 0.0)) if record.beta else 0.0
        lr_value = float(theory.lr_limit(opt, limit.lambda_max, beta))
        if other is None:  # the score line: a vertical line over the scores
            finite = result.score[np.isfinite(result.score)]
            span = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            points = {"lr": np.full(2, lr_value), "score": np.array(span)}
        else:
            points = {"lr": np.full(2, lr_value), other.name: np.array(_extent(result, other))}
        label = f"{LIMIT_NAME} lr < {limit.formula} = {lr_value:.3g} ({where})"
    inside = (points["lr"] >= lr_lo) & (points["lr"] <= lr_hi)
    if inside.any():
        x_name = names[0]
        y_name = names[1] if len(names) == 2 else "score"
        fig.add_trace(
            go.Scatter(
                x=points[x_name][inside],
                y=points[y_name][inside],
                mode="lines",
                name=label,
                line=dict(color=LIMIT_COLOR, width=3, dash="dash"),
                hoverinfo="skip",
            )
        )
    if limit.exact and limit.lambda_min > 0:
        _add_optimum(fig, result, limit, (lr_lo, lr_hi))


def _add_optimum(fig: go.Figure, result: SearchResult, limit: theory.StepLimit, lr_extent) -> None:
    """Gradient descent's optimal lr, or heavy ball's optimal (lr, momentum), when inside the view."""
    names, record = result.names, theory.limit_record(result.optimizer)
    lam_min, lam_max = limit.lambda_min, limit.lambda_max
    marker = dict(symbol="diamond", size=14, color=OPTIMUM_COLOR, line=dict(color="black", width=2))
    if record is None:
        return
    if record.optimum == "lr":
        lr = theory.optimal_gd_lr(lam_min, lam_max)
        if not lr_extent[0] <= lr <= lr_extent[1]:
            return
        y = _optimum_y(result)
        fig.add_trace(
            go.Scatter(
                x=[lr], y=[y], mode="markers", marker=marker,
                name=f"{OPTIMUM_NAME} step 2/(λ_min+λ_max) = {lr:.3g}",
                hovertemplate=f"optimal lr = {lr:.3g}<extra></extra>",
            )
        )  # fmt: skip
    elif record.optimum == "lr_beta" and record.beta in names:
        lr, beta = theory.optimal_heavy_ball(lam_min, lam_max)
        m_lo, m_hi = _extent(result, result.ranges[names.index(record.beta)])
        if not (lr_extent[0] <= lr <= lr_extent[1] and m_lo <= beta <= m_hi):
            return
        xy = {"lr": lr, record.beta: beta}
        fig.add_trace(
            go.Scatter(
                x=[xy[names[0]]], y=[xy[names[1]]], mode="markers", marker=marker,
                name=f"{OPTIMUM_NAME} heavy ball: lr = {lr:.3g}, momentum = {beta:.3g}",
                hovertemplate=f"optimal lr = {lr:.3g}, momentum = {beta:.3g}<extra></extra>",
            )
        )  # fmt: skip


def _optimum_y(result: SearchResult) -> float:
    """Where a mark on the lr axis alone sits: the middle of the other axis, or of the scores."""
    if len(result.names) == 2:
        lo, hi = _extent(result, result.ranges[1])
        return float(np.sqrt(lo * hi)) if result.ranges[1].log else (lo + hi) / 2
    finite = result.score[np.isfinite(result.score)]
    return float(np.median(finite)) if finite.size else 0.0


def _extent(result: SearchResult, r: Range) -> tuple[float, float]:
    """The drawn extent of a searched hyperparameter: the outer cell edges of a grid's heatmap,
    else the range itself."""
    if result.method == "grid" and len(result.names) == 2:
        values = np.unique(result.settings[r.name])
        edges = _edges(values, r.log)
        return float(edges[0]), float(edges[-1])
    return r.low, r.high


def score_line(result: SearchResult) -> go.Figure:
    """Score against one hyperparameter (grid or random search over one range)."""
    (r,) = result.ranges[:1]
    x = result.settings[r.name]
    order = np.argsort(x, kind="stable")
    x, score, outcome = x[order], result.score[order], result.outcome[order]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=score,
            customdata=order,
            mode="lines+markers",
            name="score",
            line=dict(color=OKABE_ITO["blue"]),
            marker=dict(size=6),
            connectgaps=False,
            hovertemplate=f"{r.name}=%{{x:.3g}}<br>score=%{{y:.3g}}<extra></extra>",
        )
    )
    finite = score[np.isfinite(score)]
    top = float(finite.max()) if finite.size else 0.0
    for label, symbol in (("diverged", "x-thin"), ("not reached", "circle-open")):
        mask = outcome == label
        if mask.any():
            t = _outcome_markers(x[mask], np.full(mask.sum(), top), label, 9, symbol)
            t.customdata = order[mask]
            fig.add_trace(t)
    _add_best(fig, result)
    fig.update_xaxes(title_text=r.name, **axis_type(r))
    fig.update_yaxes(title_text=score_title(result))
    what = "Grid" if result.method == "grid" else "Random"
    fig.update_layout(
        title=dict(text=f"{what} search over {r.name}: {len(result):,} settings"),
        legend=_LEGEND,
    )
    return _finish(fig)


def comparison_figure(comparison: Comparison) -> go.Figure:
    """Grid and random search side by side on the same budget, with one shared colour scale.

    Top row: the settings in the plane of both hyperparameters, best starred. Bottom row: the
    score against the first hyperparameter alone. The grid's runs stack on n values of it, random
    search spreads the same number of runs over as many values, which is why it finds a better
    value when that hyperparameter matters more than the other.
    """
    g, r = comparison.grid, comparison.random
    if len(g.names) != 2:
        raise ValueError("comparison_figure needs two hyperparameters.")
    rx, ry = g.ranges
    dg, dr = comparison.distinct(rx.name)
    fig = make_subplots(
        rows=2,
        cols=2,
        shared_xaxes=True,
        shared_yaxes=True,
        row_heights=(0.62, 0.38),
        horizontal_spacing=0.05,
        vertical_spacing=0.08,
        subplot_titles=(
            f"Grid search: {len(g)} runs, {dg} distinct {rx.name}",
            f"Random search (seed {r.seed}): {len(r)} runs, {dr} distinct {rx.name}",
        ),
    )
    scores = np.concatenate([g.score[g.outcome == "ok"], r.score[r.outcome == "ok"]])
    scores = scores[np.isfinite(scores)]
    # One colour scale for both (left to plotly when every score is the same: nothing to scale).
    crange = (float(scores.min()), float(scores.max())) if scores.size and np.ptp(scores) > 0 else None
    colorbar = dict(title=dict(text=score_title(g), side="right"), len=0.6, y=0.7)
    for col, result in ((1, g), (2, r)):
        traces = _scatter_traces(
            result, legend=col == 1, crange=crange, colorbar=colorbar if col == 1 else False
        )
        for trace in traces:
            fig.add_trace(trace, row=1, col=col)
        ok = result.outcome == "ok"
        fig.add_trace(
            go.Scatter(
                x=result.settings[rx.name][ok],
                y=result.score[ok],
                mode="markers",
                marker=dict(size=7, color="#555", opacity=0.7),
                name=f"score against {rx.name} alone",
                legendgroup="projection",
                showlegend=col == 1,
                hovertemplate=f"{rx.name}=%{{x:.3g}}<br>score=%{{y:.3g}}<extra></extra>",
            ),
            row=2,
            col=col,
        )
        best = result.best
        if best is not None:
            name = f"best of {result.method} search"
            fig.add_trace(_best_marker(result, best, showlegend=False, name=name), row=1, col=col)
            star = _best_marker(result, best, showlegend=False, name=name)
            star.y = [result.score[best]]
            fig.add_trace(star, row=2, col=col)
        fig.update_xaxes(**axis_type(rx), row=1, col=col)
        fig.update_xaxes(title_text=rx.name, **axis_type(rx), row=2, col=col)
    fig.update_yaxes(title_text=ry.name, **axis_type(ry), row=1, col=1)
    fig.update_yaxes(title_text="score", row=2, col=1)
    fig.update_layout(legend=_LEGEND, margin=dict(t=60))
    return _finish(fig)


def paths_figure(
    contour: go.Contour,
    paths: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    bounds,
    axis_labels: Sequence[str] = ("x", "y"),
    minima: np.ndarray | None = None,
    picked: int | None = None,
) -> go.Figure:
    """Trajectories of a few settings on the surface's contour; the first one (the best) is bold.

    ``contour`` is the surface's contour trace (the shared helper draws it), ``paths`` arrays of
    shape (k+1, 2), ``bounds`` ((xmin, xmax), (ymin, ymax)). ``picked`` is the index in ``paths``
    of the setting the user picked: bold and dashed, in the colour of its ring on the search chart.
    """
    fig = go.Figure(contour)
    colors = iter(PATH_COLORS * (1 + len(paths) // len(PATH_COLORS)))
    for i, (path, label) in enumerate(zip(paths, labels, strict=True)):
        path = np.asarray(path, dtype=float)
        is_picked = i == picked
        color = PICK_COLOR if is_picked else next(colors)
        fig.add_trace(
            go.Scatter(
                x=path[:, 0],
                y=path[:, 1],
                mode="lines+markers",
                name=label,
                line=dict(
                    color=color, width=3.5 if i == 0 or is_picked else 1.8, dash="dash" if is_picked else None
                ),
                marker=dict(size=3, color=color),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=path[-1:, 0],
                y=path[-1:, 1],
                mode="markers",
                marker=dict(symbol="circle", size=9, color=color, line=dict(color="white", width=1)),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    if len(paths):
        start = np.asarray(paths[0], dtype=float)[0]
        fig.add_trace(
            go.Scatter(
                x=[start[0]],
                y=[start[1]],
                mode="markers",
                name="start",
                marker=dict(symbol="square", size=11, color="white", line=dict(color="black", width=2)),
            )
        )
    if minima is not None and len(minima):
        fig.add_trace(_minima_trace(minima))
    _view(fig, bounds, axis_labels)
    fig.update_layout(legend=_LEGEND)
    return _finish(fig)


def start_map_figure(
    start_map: StartMap,
    contour: go.Contour,
    *,
    color_by: str = "minimum",
    bounds,
    axis_labels: Sequence[str] = ("x", "y"),
) -> go.Figure:
    """Every start of a many-start map coloured by its outcome, contour lines on top.

    ``color_by``: "minimum" (which minimum the run ended in, one colour each, "none" light grey)
    or "steps" (steps until L − L* ≤ tol, light where the run never got there). Diverged starts are
    dark grey with crosses in both. ``contour`` is the surface's contour trace (from
    ``figures.contour_trace``); it is redrawn as lines only, so the colours stay the outcomes'.
    """
    if color_by not in ("minimum", "steps"):
        raise ValueError(f"color_by must be 'minimum' or 'steps', got {color_by!r}.")
    sm = start_map
    xe, ye = _edges(sm.xs, False), _edges(sm.ys, False)
    fig = go.Figure()

    def layer(mask, color, name, legend=True):
        if not mask.any():
            return
        hover = f"start (%{{x:.2f}}, %{{y:.2f}})<br>{name}<extra></extra>"
        fig.add_trace(_mask_layer(xe, ye, mask, color, name, hovertemplate=hover))
        if legend:
            fig.add_trace(_legend_square(color, name))

    alive = ~sm.diverged
    if color_by == "minimum":
        for i, (mx, my) in enumerate(sm.minima):
            color = MINIMUM_COLORS[i % len(MINIMUM_COLORS)]
            layer(sm.minimum == i, color, f"minimum {i + 1} ({mx:.2f}, {my:.2f})")
        elsewhere = sm.at_min_value if sm.at_min_value is not None else np.zeros_like(alive)
        # ended at L* but near no starred minimum: on a curve or line of minima, which has no stars
        layer(elsewhere, AT_MIN_VALUE_COLOR, f"L − L* ≤ {sm.tol:g}, not near a starred minimum")
        layer((sm.minimum < 0) & alive & ~elsewhere, NONE_COLOR, "no minimum reached")
        title = f"Which minimum each start reaches ({sm.steps} steps)"
    else:
        converged = np.isfinite(sm.steps_to_tol)
        fig.add_trace(
            go.Heatmap(
                x=xe,
                y=ye,
                z=sm.steps_to_tol,
                colorscale=SCORE_SCALE,
                colorbar=dict(title=dict(text=f"steps to L − L* ≤ {sm.tol:g}", side="right")),
                hoverongaps=False,
                name="steps to converge",
                hovertemplate="start (%{x:.2f}, %{y:.2f})<br>%{z} steps<extra></extra>",
            )
        )
        layer(~converged & alive, NONE_COLOR, f"not within {sm.tol:g} of L* in {sm.steps} steps")
        title = f"Steps to converge (L − L* ≤ {sm.tol:g}) from each start, at most {sm.steps}"
    layer(sm.diverged, DIVERGED_COLOR, "diverged", legend=False)
    if sm.diverged.any():
        iy, ix = np.nonzero(sm.diverged)
        size = int(np.clip(300 / len(sm.xs), 3, 12))
        fig.add_trace(_outcome_markers(sm.xs[ix], sm.ys[iy], "diverged", size, "x-thin", name="diverged"))
    lines = go.Contour(contour)
    lines.update(
        contours=dict(coloring="none", showlines=True),
        line=dict(color="rgba(20,20,20,0.55)", width=1),
        showscale=False,
        hoverinfo="skip",
        name="loss contours",
    )
    fig.add_trace(lines)
    if len(sm.minima):
        fig.add_trace(_minima_trace(sm.minima))
    _view(fig, bounds, axis_labels)
    fig.update_layout(title=dict(text=title), legend=_LEGEND)
    return _finish(fig)


# ---------------------------------------------------------------------------------------------
# Helpers


def _finish(fig: go.Figure) -> go.Figure:
    """Sets the shared template (explicitly per figure, never as the process default)."""
    fig.update_layout(template=TEMPLATE)
    return fig


def axis_type(r: Range) -> dict:
    """A hyperparameter axis over range `r`: linear, or log with every label read as its value
    (`figures.log_axis`: no bare minor digits, no SI "100µ" for a learning rate)."""
    return log_axis([r.low, r.high]) if r.log else dict(type="linear")


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around sorted centres (geometric midpoints on a log axis); (n+1,)."""
    c = np.asarray(centres, dtype=float)
    if c.size == 1:
        return np.array([c[0] / 1.5, c[0] * 1.5]) if log else np.array([c[0] - 0.5, c[0] + 0.5])
    t = np.log10(c) if log else c
    mid = (t[1:] + t[:-1]) / 2
    e = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
    return 10.0**e if log else e


def _mask_layer(xe, ye, mask: np.ndarray, color: str, name: str, *, hovertemplate: str | None):
    """The cells where ``mask`` holds, in one flat colour (a heatmap over the cell edges xe, ye);
    without a hovertemplate the layer has no hover of its own."""
    return go.Heatmap(
        x=xe,
        y=ye,
        z=np.where(mask, 1.0, np.nan),
        colorscale=[[0, color], [1, color]],
        showscale=False,
        hoverongaps=False,
        name=name,
        hovertemplate=hovertemplate,
        hoverinfo="skip" if hovertemplate is None else None,
    )


def _outcome_markers(x, y, label: str, size: int, symbol: str, name: str | None = None):
    """Markers for runs without a score ("diverged", "not reached"), with a legend entry."""
    color = "#444" if label == "diverged" else "#8a6d3b"
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        name=name or f"{label} (no score)",
        legendgroup=label,
        marker=dict(symbol=symbol, size=size, color=color, line=dict(width=1, color=color)),
        hovertemplate=f"{label}<extra></extra>",
    )


def _scatter_traces(
    result: SearchResult, *, legend: bool = True, crange: tuple[float, float] | None = None, colorbar=None
) -> list[go.Scatter]:
    """The settings as dots coloured by score (each trace carries the colour scale itself, never
    a shared `coloraxis`: plotly.js draws a legend symbol from a coloraxis trace's raw number,
    "Invalid color specifier", black), and the diverged / not reached ones as symbols. `crange`:
    a colour range shared with other traces; `colorbar`: the colour bar's settings, or False for
    none."""
    rx, ry = result.ranges
    x, y = result.settings[rx.name], result.settings[ry.name]
    ok = result.outcome == "ok"
    marker = dict(size=8, color=result.score[ok], line=dict(width=0.5, color="white"), colorscale=SCORE_SCALE)
    if crange is not None:
        marker.update(cmin=crange[0], cmax=crange[1])
    if colorbar is False:
        marker["showscale"] = False
    else:
        marker.update(
            showscale=True, colorbar=colorbar or dict(title=dict(text=score_title(result), side="right"))
        )
    traces = [
        go.Scatter(
            x=x[ok],
            y=y[ok],
            customdata=np.nonzero(ok)[0],
            mode="markers",
            marker=marker,
            name="setting (colour = score)",
            legendgroup="ok",
            showlegend=legend,
            hovertemplate=f"{rx.name}=%{{x:.3g}}<br>{ry.name}=%{{y:.3g}}<br>"
            "score=%{marker.color:.3g}<extra></extra>",
        )
    ]
    for label, symbol in (("diverged", "x-thin"), ("not reached", "circle-open")):
        mask = result.outcome == label
        if mask.any():
            t = _outcome_markers(x[mask], y[mask], label, 9, symbol)
            t.showlegend = legend
            t.customdata = np.nonzero(mask)[0]
            traces.append(t)
    return traces


def _best_marker(result: SearchResult, i: int, *, showlegend=True, name=None) -> go.Scatter:
    names = result.names
    x = [result.settings[names[0]][i]]
    y = [result.score[i]] if len(names) == 1 else [result.settings[names[1]][i]]
    text = setting_text(names, [result.settings[n][i] for n in names])
    n_tied = len(result.tied)
    if n_tied > 1:  # the same tie rule as the table and the page's words
        text += f" (first of {n_tied} tied, by {result.tie_rule})"
    return go.Scatter(
        x=x,
        y=y,
        customdata=[i],
        mode="markers",
        name=name or f"best: {text}",
        showlegend=showlegend,
        marker=dict(symbol="star", size=18, color=BEST_COLOR, line=dict(color="black", width=1.5)),
        hovertemplate=f"best: {text}<br>score={result.score[i]:.3g}<extra></extra>",
    )


def _add_best(fig: go.Figure, result: SearchResult) -> None:
    i = result.best
    if i is not None:
        fig.add_trace(_best_marker(result, i))
    fig.update_layout(legend=_LEGEND)


def _axes(fig: go.Figure, ranges: Sequence[Range]) -> None:
    rx, ry = ranges
    fig.update_xaxes(title_text=rx.name, **axis_type(rx))
    fig.update_yaxes(title_text=ry.name, **axis_type(ry))


def _view(fig: go.Figure, bounds, axis_labels) -> None:
    (x0, x1), (y0, y1) = bounds
    fig.update_xaxes(range=[x0, x1], title_text=axis_labels[0])
    fig.update_yaxes(range=[y0, y1], title_text=axis_labels[1])


def _legend_square(color: str, name: str) -> go.Scatter:
    """A legend-only entry (heatmaps have no legend symbol of their own)."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        name=name,
        marker=dict(symbol="square", size=12, color=color, line=dict(color="#666", width=1)),
    )


def _minima_trace(minima: np.ndarray) -> go.Scatter:
    minima = np.asarray(minima, dtype=float).reshape(-1, 2)
    return go.Scatter(
        x=minima[:, 0],
        y=minima[:, 1],
        mode="markers+text",
        text=[str(i + 1) for i in range(len(minima))],
        textposition="top center",
        textfont=dict(color="black", size=13),
        name="minima",
        marker=dict(symbol="star", size=14, color="white", line=dict(color="black", width=1.5)),
    )
