"""The lecture's own figures (figures/lecture.py): slide 16's cost chart and slide 24's map."""

from __future__ import annotations

import numpy as np

import optimizers
from figures import lecture as fl
from scenes import lecture


def _cost_figure(marked=1e6):
    ns = np.logspace(1, 9, 33)
    costs = {k: np.array([lecture.newton_cost(n)[k] for n in ns]) for k in fl.COST_LABELS}
    return ns, fl.newton_cost_figure(ns, costs, marked=marked)


def test_cost_chart_draws_n_n2_n3_on_log_axes_in_the_lectures_words():
    ns, fig = _cost_figure()
    lines = {t.name: t for t in fig.data if t.mode == "lines"}
    assert set(lines) == set(fl.COST_LABELS.values())
    np.testing.assert_allclose(lines["parameters n"].y, ns)
    np.testing.assert_allclose(lines["Hessian entries n²"].y, ns**2)
    np.testing.assert_allclose(lines["inverting it: ~n³ operations"].y, ns**3)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert fig.layout.font.size >= 20


def test_cost_chart_marks_the_scenes_n():
    _, fig = _cost_figure(1e6)
    marked = [t for t in fig.data if t.mode == "markers+text"]
    assert len(marked) == 3
    assert {t.text[0] for t in marked} == {"10⁶", "10¹²", "10¹⁸"}  # as the slide writes them


def _map(highlight=None):
    placed = {name: lecture.family(name) for name in optimizers.OPTIMIZERS}
    return placed, fl.solver_map_figure(placed, lecture.LECTURE_SOLVERS, highlight=highlight)


def test_solver_map_has_the_four_regions_of_the_lecture():
    _, fig = _map()
    assert len(fig.layout.shapes) == 4
    titles = {a.text for a in fig.layout.annotations}
    for fam in lecture.FAMILIES:
        assert f"<b>{fam}</b>" in titles
    assert any("Gauss-Seidel" in a.text for a in fig.layout.annotations)


def test_every_registry_method_sits_inside_its_familys_region():
    placed, fig = _map()
    regions = {}
    for shape, fam in zip(fig.layout.shapes, lecture.LECTURE_SOLVERS, strict=True):
        regions[fam] = (shape.x0, shape.x1, shape.y0, shape.y1)
    markers = {t.name: (t.x[0], t.y[0]) for t in fig.data}
    for name, fam in placed.items():
        x, y = markers[optimizers.OPTIMIZERS[name].label]
        x0, x1, y0, y1 = regions[fam]
        assert x0 < x < x1 and y0 < y < y1, (name, fam)
    assert len(markers) == len(optimizers.OPTIMIZERS)


def test_solver_map_places_by_what_a_method_needs():
    placed, _ = _map()
    assert placed["sgd"] == "first order" and placed["adam"] == "first order"
    assert placed["newton"] == "second order" and placed["lbfgs"] == "second order"


def test_highlight_rings_one_method():
    _, fig = _map("lbfgs")
    ringed = [t.name for t in fig.data if t.marker.line.width]
    assert ringed == ["L-BFGS"]


def test_lines_and_bars():
    fig = fl.lines_figure({"a": ([0, 1], [1, 2])}, xaxis="x", yaxis="y", marks={"best": (1, 2)})
    assert [t.name for t in fig.data] == ["a", "best"]
    fig = fl.bars_figure({"train": {"1": 0.2, "4": 0.05}}, yaxis="error")
    assert list(fig.data[0].x) == ["1", "4"] and fig.data[0].text == ("0.2", "0.05")


def test_log_axes_label_ticks_with_whole_numbers():
    ticks = fl.log_ticks([0.03, 0.3])
    assert ticks["ticktext"] == ["0.02", "0.05", "0.1", "0.2", "0.5"]
    wide = fl.log_ticks([1e-3, 1e6])
    assert wide["tickvals"] == [10.0**k for k in range(-3, 7)]
    fig = fl.lines_figure({"a": ([0, 1], [0.03, 0.3])}, xaxis="x", yaxis="y", log_y=True)
    assert list(fig.layout.yaxis.ticktext) == ticks["ticktext"]


def test_solver_names_wrap_inside_their_region():
    lines = fl.wrap_names(lecture.LECTURE_SOLVERS["others"], fl.WRAP_CHARS)
    assert all(len(line) <= fl.WRAP_CHARS for line in lines)
    assert ", ".join(lines) == ", ".join(lecture.LECTURE_SOLVERS["others"])
