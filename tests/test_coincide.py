"""figures/coincide.py: which paths are drawn on top of each other, from their points."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import optimizers
import surfaces
from figures.coincide import OVERLAP, coincide_words, coinciding_groups

BOX = ((-4.0, 4.0), (-4.0, 4.0))


def _path(*points):
    return SimpleNamespace(points=np.array(points, dtype=float))


def test_a_path_lying_on_another_segment_coincides_with_it():
    # b's middle point lies on a's one segment, far from a's vertices: still the same line
    a = _path((0, 0), (2, 0))
    b = _path((0, 0), (1, 0.01), (2, 0))
    c = _path((0, 0), (1, 1), (2, 0))
    groups = coinciding_groups({"a": a, "b": b, "c": c}, BOX)
    assert [runs for runs, _ in groups] == [["a", "b"]]
    assert np.isclose(groups[0][1], 0.01)
    assert coinciding_groups({"a": a, "c": c}, BOX) == []


def test_the_threshold_is_a_fraction_of_the_view():
    gap = OVERLAP * 8
    a, b = _path((0, 0), (2, 0)), _path((0, gap * 0.9), (2, gap * 0.9))
    assert coinciding_groups({"a": a, "b": b}, BOX)
    far = _path((0, gap * 1.1), (2, gap * 1.1))
    assert not coinciding_groups({"a": a, "b": far}, BOX)


def test_non_finite_tails_are_ignored():
    a = _path((0, 0), (2, 0), (np.inf, np.nan))
    b = _path((0, 0), (2, 0))
    assert [runs for runs, _ in coinciding_groups({"a": a, "b": b}, BOX)] == [["a", "b"]]


def test_gauss_newton_and_lm_on_the_valley_are_said_to_coincide():
    # The walk-through: Gauss-Newton's path hid under Levenberg-Marquardt's with no hint.
    s = surfaces.get_surface("quadratic")
    start = surfaces.SURFACES["quadratic"].default_start
    runs = {name: optimizers.run(name, s, start, 50) for name in ("sgd", "gauss_newton", "lm")}
    (group,) = coinciding_groups(runs, s.bounds)
    assert group[0] == ["gauss_newton", "lm"]
    gn, lm = runs["gauss_newton"].points, runs["lm"].points
    assert np.abs(lm[-1] - gn[-1]).max() <= group[1]  # the gap bounds what is drawn
    words = coincide_words([group], {"gauss_newton": "Gauss-Newton", "lm": "Levenberg-Marquardt"}, 8.0)
    assert words.startswith("Paths on top of each other: **Gauss-Newton** and **Levenberg-Marquardt**")
    assert f"never more than {group[1]:.2g} apart" in words
    assert coincide_words([], {}, 8.0) == ""
