"""figures/sweeps.py: what each builder draws (traces, shapes, axes, legend entries), checked on
fig.data and fig.layout, never on JSON or screenshots. Diverged runs must never be drawn as
numbers."""

from __future__ import annotations

import re
from dataclasses import replace as dataclasses_replace

import numpy as np
import plotly.graph_objects as go
import pytest

import figures
import surfaces
import sweeps
from figures import search as tfig
from optimizers import theory
from sweeps import Range

LR = Range("lr", 1e-3, 1.0, log=True)
BETA = Range("beta1", 0.5, 0.9)


def fake_result(ranges, settings, score, outcome, *, method="grid", shape=None, kind="loss"):
    """A SearchResult with chosen scores and outcomes (no engine involved)."""
    n = len(score)
    score = np.asarray(score, dtype=float)
    return sweeps.SearchResult(
        optimizer="adam",
        method=method,
        ranges=tuple(ranges),
        shape=tuple(shape or (n,)),
        steps=100,
        score_kind=kind,
        tol=1e-3,
        min_value=0.0,
        settings={k: np.asarray(v, dtype=float) for k, v in settings.items()},
        final_loss=np.where(np.isnan(score), np.inf, 10.0**score),
        gap=np.where(np.isnan(score), np.inf, 10.0**score),
        steps_to_tol=np.full(n, np.nan),
        n_steps=np.full(n, 100),
        status=np.where(np.asarray(outcome) == "diverged", "diverged", "max_steps"),
        score=score,
        outcome=np.asarray(outcome),
        seed=0 if method == "random" else None,
    )


@pytest.fixture
def grid_result():
    pts = sweeps.grid_points([LR, BETA], (4, 3))  # 12 settings, lr slowest
    score = np.linspace(0.0, -3.0, 12)
    outcome = np.array(["ok"] * 12, dtype=object)
    score[11] = np.nan  # the largest lr, largest beta1 diverged
    outcome[11] = "diverged"
    score[0] = np.nan  # the smallest corner never got there
    outcome[0] = "not reached"
    return fake_result([LR, BETA], pts, score, outcome.astype(str), shape=(4, 3))


def names(fig):
    return [t.name for t in fig.data]


def test_heatmap_is_indexed_y_by_x_with_cell_edges_on_a_log_axis(grid_result):
    fig = tfig.search_figure(grid_result)
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap)
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (3, 4)  # rows follow beta1 (y), columns follow lr (x)
    assert len(heat.x) == 5 and len(heat.y) == 4  # edges around 4 x 3 cells
    np.testing.assert_allclose(np.sqrt(heat.x[1:] * heat.x[:-1]), LR.values(4), rtol=1e-12)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "linear"
    assert fig.layout.xaxis.title.text == "lr" and fig.layout.yaxis.title.text == "beta1"
    assert fig.layout.template.layout.font.family == figures.TEMPLATE.layout.font.family


def test_heatmap_never_draws_diverged_as_numbers(grid_result):
    fig = tfig.search_figure(grid_result)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.isnan(z[2, 3]) and np.isnan(z[0, 0])  # diverged and not reached: no colour value
    assert np.nanmax(np.abs(z)) <= 3.0
    legend = names(fig)
    assert "diverged (no score)" in legend and "not reached (no score)" in legend
    grey = next(t for t in fig.data if isinstance(t, go.Heatmap) and t.name == "diverged")
    mask = np.isfinite(np.asarray(grey.z, dtype=float))
    assert mask.sum() == 1 and mask[2, 3]


def test_heatmap_marks_the_best_setting(grid_result):
    fig = tfig.search_figure(grid_result)
    best = [t for t in fig.data if t.name and t.name.startswith("best")]
    assert len(best) == 1
    i = grid_result.best
    assert best[0].x[0] == grid_result.settings["lr"][i]
    assert best[0].y[0] == grid_result.settings["beta1"][i]
    assert best[0].marker.symbol == "star"


def test_the_star_says_when_settings_tie_and_which_rule_picked_it():
    # Three runs at the score floor (the minimum reached): they tie; the fastest to the tolerance wins.
    floor = np.log10(sweeps.SCORE_FLOOR)
    res = fake_result([LR, BETA], {"lr": [0.1, 0.2, 0.3, 0.4], "beta1": [0.5] * 4},
                      [floor, floor, -3.0, floor], ["ok"] * 4, method="random")  # fmt: skip
    res = dataclasses_replace(res, steps_to_tol=np.array([159.0, 31.0, np.nan, 43.0]))
    assert res.best == 1 and list(res.tied) == [1, 3, 0]
    fig = tfig.search_figure(res)
    star = next(t for t in fig.data if t.name and t.name.startswith("best"))
    assert star.x[0] == 0.2
    assert star.name == (
        "best: lr=0.2, beta1=0.5 (first of 3 tied, by fewer steps to get within the tolerance "
        "of L*, then fewer steps run)"
    )


def test_random_search_is_a_scatter_coloured_by_score():
    pts = sweeps.random_points([LR, BETA], 30, seed=0)
    score = np.linspace(-2.0, 1.0, 30)
    outcome = np.array(["ok"] * 30, dtype=object)
    score[:4] = np.nan
    outcome[:4] = "diverged"
    res = fake_result([LR, BETA], pts, score, outcome.astype(str), method="random")
    fig = tfig.search_figure(res)
    dots = fig.data[0]
    assert isinstance(dots, go.Scatter) and len(dots.x) == 26
    np.testing.assert_array_equal(dots.marker.color, score[4:])
    div = next(t for t in fig.data if t.name == "diverged (no score)")
    assert len(div.x) == 4 and div.marker.symbol == "x-thin"
    assert "Random search" in fig.layout.title.text


def test_one_hyperparameter_gives_a_line_against_it():
    pts = sweeps.random_points([LR], 20, seed=1)
    score = -np.log10(pts["lr"])
    res = fake_result([LR], pts, score, np.array(["ok"] * 20), method="random")
    fig = tfig.search_figure(res)
    line = fig.data[0]
    assert line.mode == "lines+markers"
    assert np.all(np.diff(np.asarray(line.x)) > 0)  # sorted by the hyperparameter
    assert fig.layout.xaxis.type == "log"
    assert "lower is better" in fig.layout.yaxis.title.text


def test_heatmap_refuses_a_random_search():
    pts = sweeps.random_points([LR, BETA], 5, seed=0)
    res = fake_result([LR, BETA], pts, np.zeros(5), np.array(["ok"] * 5), method="random")
    with pytest.raises(ValueError):
        tfig.search_heatmap(res)


def test_steps_score_title_names_the_tolerance(grid_result):
    import dataclasses

    res = dataclasses.replace(grid_result, score_kind="steps")
    assert "1e-03" in tfig.score_title(res) or "0.001" in tfig.score_title(res)


@pytest.fixture(scope="module")
def comparison():
    rosenbrock = surfaces.get_surface("rosenbrock")
    ranges = [Range("lr", 1e-4, 1.0, log=True), Range("beta2", 0.9, 0.9999)]
    return sweeps.compare_grid_random(
        "adam", rosenbrock, (-1.5, 2.0), ranges, grid=(3, 3), seeds=range(4), steps=50
    )


def test_comparison_shows_both_methods_on_one_colour_scale(comparison):
    fig = tfig.comparison_figure(comparison)
    titles = [a.text for a in fig.layout.annotations]
    assert any("Grid search: 9 runs, 3 distinct lr" in t for t in titles)
    assert any("Random search (seed 0): 9 runs, 9 distinct lr" in t for t in titles)
    coloured = [t for t in fig.data if t.name == "setting (colour = score)"]
    assert len(coloured) == 2
    scores = np.concatenate([c.marker.color for c in coloured])
    for c in coloured:  # one colour scale: the same range, over both searches' scores
        assert c.marker.colorscale == coloured[0].marker.colorscale
        assert (c.marker.cmin, c.marker.cmax) == (scores.min(), scores.max())
    assert [c.marker.showscale for c in coloured] == [True, False]  # one colour bar
    projections = [t for t in fig.data if t.name == "score against lr alone"]
    assert len(projections) == 2
    assert len(np.unique(projections[0].x)) <= 3
    assert fig.layout.xaxis3.type == "log"


@pytest.fixture(scope="module")
def himmelblau_map():
    h = surfaces.get_surface("himmelblau")
    smap = sweeps.many_start_map("sgd", h, 21, 200, hyper={"lr": 0.02})
    xs, ys, Z = figures.surface_grid(h, 40)
    contour = figures.contour_trace(xs, ys, Z, log_levels=True, min_value=0.0)
    return h, smap, contour


def test_start_map_colours_each_minimum_and_overlays_contour_lines(himmelblau_map):
    h, smap, contour = himmelblau_map
    coloring = contour.contours.coloring
    fig = tfig.start_map_figure(smap, contour, bounds=h.bounds)
    legend = names(fig)
    for i in range(4):
        assert any(n and n.startswith(f"minimum {i + 1} (") for n in legend)
    lines = [t for t in fig.data if isinstance(t, go.Contour)]
    assert len(lines) == 1 and lines[0].contours.coloring == "none"
    assert contour.contours.coloring == coloring  # the shared trace is not modified
    minima = next(t for t in fig.data if t.name == "minima")
    assert len(minima.x) == 4
    assert tuple(fig.layout.xaxis.range) == h.bounds[0]
    if smap.diverged.any():
        assert "diverged" in legend


def test_start_map_by_steps_has_a_colour_bar(himmelblau_map):
    h, smap, contour = himmelblau_map
    fig = tfig.start_map_figure(smap, contour, color_by="steps", bounds=h.bounds)
    heat = fig.data[0]
    assert heat.colorbar.title.text == "steps to L − L* ≤ 0.001"
    z = np.asarray(heat.z, dtype=float)
    assert np.all(np.isnan(z[smap.diverged]))


def test_start_map_rejects_an_unknown_colouring(himmelblau_map):
    h, smap, contour = himmelblau_map
    with pytest.raises(ValueError, match="color_by"):
        tfig.start_map_figure(smap, contour, color_by="loss", bounds=h.bounds)


def test_paths_figure_draws_the_best_path_bold_on_the_contour():
    h = surfaces.get_surface("himmelblau")
    xs, ys, Z = figures.surface_grid(h, 30)
    contour = figures.contour_trace(xs, ys, Z, log_levels=True, min_value=0.0)
    paths = [np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 2.0]]), np.array([[0.0, 0.0], [-1.0, 1.0]])]
    fig = tfig.paths_figure(contour, paths, ["#1", "#2"], bounds=h.bounds, minima=h.minima)
    assert isinstance(fig.data[0], go.Contour)
    lines = [t for t in fig.data if t.name in ("#1", "#2")]
    assert [len(t.x) for t in lines] == [3, 2]
    assert lines[0].line.width > lines[1].line.width
    assert "start" in names(fig) and "minima" in names(fig)


# ---- theory on the search chart (issue 12): the step-size limit and the optimal settings ----

VALLEY_START = (-3.0, 2.0)


@pytest.fixture(scope="module")
def valley():
    """The elongated valley L = u² + κ v²: Hessian eigenvalues 2 and 2κ everywhere."""
    return surfaces.get_surface("quadratic", condition=10.0, angle=30.0)


def limit_trace(fig):
    found = [t for t in fig.data if t.name and t.name.startswith(tfig.LIMIT_NAME)]
    assert len(found) <= 1
    return found[0] if found else None


def optimum_traces(fig):
    return [t for t in fig.data if t.name and t.name.startswith(tfig.OPTIMUM_NAME)]


def test_gradient_descent_limit_and_optimal_step_on_the_valley(valley):
    result = sweeps.search(
        "sgd", valley, VALLEY_START, [Range("lr", 0.01, 0.3, log=True)], grid=(40,), steps=200
    )
    limit = theory.step_limit("sgd", valley, VALLEY_START)
    fig = tfig.search_figure(result, limit=limit)
    line = limit_trace(fig)
    assert line is not None and "exact" in line.name
    np.testing.assert_allclose(line.x, [0.1, 0.1], rtol=1e-12)  # 2 / λ_max = 2 / (2 κ)
    # The line separates the engine's outcomes: beyond it every run diverged, well below none did.
    lr = result.settings["lr"]
    assert set(result.outcome[lr > 0.105]) == {"diverged"}
    assert "diverged" not in set(result.outcome[lr < 0.095])
    (optimum,) = optimum_traces(fig)
    np.testing.assert_allclose(optimum.x, [2 / (2 + 20)], rtol=1e-12)  # 2 / (λ_min + λ_max)


def test_heavy_ball_boundary_curve_and_optimal_pair_on_the_valley(valley):
    ranges = [Range("lr", 0.01, 1.0, log=True), Range("momentum", 0.0, 0.95)]
    result = sweeps.search("momentum", valley, VALLEY_START, ranges, grid=(25, 20), steps=300)
    fig = tfig.search_figure(result, limit=theory.step_limit("momentum", valley, VALLEY_START))
    curve = limit_trace(fig)
    beta, lr = np.asarray(curve.y), np.asarray(curve.x)  # lr on x, momentum on y
    assert len(lr) > 50
    np.testing.assert_allclose(lr, 2 * (1 + beta) / 20.0, rtol=1e-12)
    bound = 2 * (1 + result.settings["momentum"]) / 20.0
    ratio = result.settings["lr"] / bound
    assert set(result.outcome[ratio > 1.1]) == {"diverged"}
    assert set(result.outcome[ratio < 0.9]) == {"ok"}
    (optimum,) = optimum_traces(fig)
    root_kappa = np.sqrt(10.0)
    np.testing.assert_allclose(optimum.x, [4 / (np.sqrt(20.0) + np.sqrt(2.0)) ** 2], rtol=1e-12)
    np.testing.assert_allclose(optimum.y, [((root_kappa - 1) / (root_kappa + 1)) ** 2], rtol=1e-12)


def test_nesterov_boundary_with_momentum_on_the_y_axis_first(valley):
    """The pair in the other order (momentum on x): the curve follows the axes."""
    ranges = [Range("momentum", 0.1, 0.9), Range("lr", 0.01, 0.5, log=True)]
    pts = sweeps.grid_points(ranges, (5, 6))
    res = fake_result(ranges, pts, np.zeros(30), np.array(["ok"] * 30), shape=(5, 6))
    res = dataclasses_replace(res, optimizer="nesterov")
    fig = tfig.search_figure(res, limit=theory.step_limit("nesterov", valley, VALLEY_START))
    curve = limit_trace(fig)
    beta, lr = np.asarray(curve.x), np.asarray(curve.y)
    np.testing.assert_allclose(lr, 2 * (1 + beta) / ((1 + 2 * beta) * 20.0), rtol=1e-12)
    assert optimum_traces(fig) == []  # no closed-form optimum drawn for Nesterov


def test_limit_is_local_off_the_quadratics_and_absent_for_adaptive_methods(grid_result):
    rosenbrock = surfaces.get_surface("rosenbrock")
    start = (-1.5, 2.0)
    pts = sweeps.grid_points([Range("lr", 1e-5, 1e-2, log=True)], (12,))
    res = dataclasses_replace(
        fake_result([Range("lr", 1e-5, 1e-2, log=True)], pts, np.zeros(12), np.array(["ok"] * 12)),
        optimizer="sgd",
    )
    limit = theory.step_limit("sgd", rosenbrock, start)
    fig = tfig.search_figure(res, limit=limit)
    line = limit_trace(fig)
    assert "local" in line.name and "exact" not in line.name
    np.testing.assert_allclose(line.x[0], 2 / limit.lambda_max)
    assert optimum_traces(fig) == []  # the optimal step is a quadratic's, not Rosenbrock's
    # Adam (grid_result) has no such limit: nothing is drawn.
    assert limit_trace(tfig.search_figure(grid_result, limit=limit)) is None


def test_a_limit_outside_the_searched_range_is_not_drawn(valley):
    ranges = [Range("lr", 1e-4, 1e-2, log=True)]
    pts = sweeps.grid_points(ranges, (10,))
    res = dataclasses_replace(fake_result(ranges, pts, np.zeros(10), np.array(["ok"] * 10)), optimizer="sgd")
    fig = tfig.search_figure(res, limit=theory.step_limit("sgd", valley, VALLEY_START))
    assert limit_trace(fig) is None and optimum_traces(fig) == []


def test_log_axes_read_as_powers_of_ten(grid_result):
    fig = tfig.search_figure(grid_result)
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.exponentformat == "power"
    assert fig.layout.yaxis.exponentformat != "power"  # beta1 is linear


def test_a_short_log_range_labels_its_ticks_in_full_never_bare_digits():
    # lr from 0.01 to 0.2: Plotly's default would label 0.05 as a bare "5"
    short = tfig.axis_type(Range("lr", 0.01, 0.2, log=True))
    assert short["minorloglabels"] == "complete" and short["dtick"] == "D2"
    assert tfig.axis_type(LR)["minorloglabels"] == "none"  # three decades: the decades alone


def test_paths_figure_draws_the_picked_path_dashed_next_to_the_best():
    h = surfaces.get_surface("himmelblau")
    xs, ys, Z = figures.surface_grid(h, 20)
    contour = figures.contour_trace(xs, ys, Z, log_levels=True, min_value=0.0)
    paths = [
        np.array([[0.0, 0.0], [1.0, 1.0]]),
        np.array([[0.0, 0.0], [2.0, 1.0]]),
        np.array([[0.0, 0.0], [-1.0, 1.0]]),
    ]
    fig = tfig.paths_figure(contour, paths, ["best", "picked", "other"], bounds=h.bounds, picked=1)
    lines = {t.name: t for t in fig.data if t.name in ("best", "picked", "other")}
    assert lines["picked"].line.dash == "dash" and lines["picked"].line.color == tfig.PICK_COLOR
    assert lines["best"].line.dash is None and lines["best"].line.color != tfig.PICK_COLOR
    assert lines["picked"].line.width == lines["best"].line.width > lines["other"].line.width


def test_a_start_map_on_a_curve_of_minima_does_not_say_no_minimum_reached():
    circle = surfaces.make_custom("(x^2 + y^2 - 1)^2", (-2, 2), (-2, 2))
    sm = sweeps.many_start_map("adam", circle, n=6, steps=300, hyper={"lr": 0.05}, tol=1e-3)
    xs, ys, Z = figures.surface_grid(circle, 30)
    contour = figures.contour_trace(xs, ys, Z, log_levels=False, min_value=circle.min_value)
    fig = tfig.start_map_figure(sm, contour, bounds=circle.bounds)
    names = {t.name for t in fig.data}
    assert "L − L* ≤ 0.001, not near a starred minimum" in names
    assert sm.at_min_value.sum() > sm.counts()["none"]  # most starts end on the circle


# ---- every colour a figure gives plotly.js is a colour: plotly.js warns "Invalid color specifier"
# and draws black for anything else (a number where a colour goes, e.g. a legend symbol of a trace
# coloured through a shared `coloraxis`)

_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|rgba?\([0-9., ]+\)|hsla?\([0-9.,% ]+\)|[a-z]+)$")
_NOT_COLOURS = {"colorscale", "colorbar", "coloraxis", "coloring", "colorway", "autocolorscale"}


def _colour_problems(node, path: str = "") -> list[str]:
    """Where the figure's JSON has a colour that is not a colour string. A numeric array (plotly
    sends numpy's as {"dtype", "bdata"}) is a colour only as values on the colour scale given
    right beside it."""
    problems = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if key.endswith("color") and key not in _NOT_COLOURS:
                if isinstance(value, str):
                    if not _COLOUR.match(value):
                        problems.append(f"{where}={value!r}")
                elif isinstance(value, np.ndarray | list | tuple) or (
                    isinstance(value, dict) and "bdata" in value
                ):
                    if "colorscale" not in node:
                        problems.append(f"{where}: numbers without a colour scale beside them")
                    elif any(isinstance(v, str) and not _COLOUR.match(v) for v in value):
                        problems.append(f"{where}: {value!r}")
                else:
                    problems.append(f"{where}={value!r}")
            elif key == "colorscale":
                problems += _scale_problems(value, where)
            else:
                problems += _colour_problems(value, where)
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            problems += _colour_problems(value, f"{path}[{i}]")
    return problems


def _scale_problems(scale, where: str) -> list[str]:
    """A colour scale is a name, [[level, colour], ...] or (a template's) a dict of such scales."""
    if isinstance(scale, str):
        return []
    if isinstance(scale, dict):
        return [p for name, inner in scale.items() for p in _scale_problems(inner, f"{where}.{name}")]
    return [f"{where}={c!r}" for _, c in scale if not (isinstance(c, str) and _COLOUR.match(c))]


def test_the_colour_check_finds_a_number_where_a_colour_goes():
    bad = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], marker=dict(color=[0.3, 0.9], coloraxis="coloraxis")))
    bad.update_layout(coloraxis=dict(colorscale="Viridis"), paper_bgcolor="rgb(1,2,3)")
    assert _colour_problems(bad.to_plotly_json()) == [
        ".data[0].marker.color: numbers without a colour scale beside them"
    ]
    assert _colour_problems({"data": [{"line": {"color": 0.5}}]}) == [".data[0].line.color=0.5"]


def test_every_search_figure_gives_plotly_colour_strings(grid_result, comparison, himmelblau_map):
    rosenbrock = surfaces.get_surface("rosenbrock")
    random2 = sweeps.search(
        "adam", rosenbrock, (-1.5, 2.0), [Range("lr", 1e-4, 1.0, log=True), Range("beta1", 0.5, 0.99)],
        k=12, seed=0, steps=40,
    )  # fmt: skip
    one = sweeps.search(
        "sgd", rosenbrock, (-1.5, 2.0), [Range("lr", 1e-4, 1e-2, log=True)], grid=(5,), steps=40
    )
    h, smap, contour = himmelblau_map
    paths = sweeps.paths("sgd", rosenbrock, (-1.5, 2.0), 30, [{"lr": 1e-3}, {"lr": 2e-3}])
    figs = {
        "grid heatmap": tfig.search_figure(grid_result),
        "random scatter": tfig.search_figure(random2),
        "one hyperparameter": tfig.search_figure(one),
        "comparison": tfig.comparison_figure(comparison),
        "start map by minimum": tfig.start_map_figure(smap, contour, color_by="minimum", bounds=h.bounds),
        "start map by steps": tfig.start_map_figure(smap, contour, color_by="steps", bounds=h.bounds),
        "paths": tfig.paths_figure(contour, paths, ["a", "b"], bounds=rosenbrock.bounds, picked=1),
    }
    for name, fig in figs.items():
        assert _colour_problems(fig.to_plotly_json()) == [], name
