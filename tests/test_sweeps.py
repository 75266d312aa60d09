"""sweeps.py: which points grid and random search choose, how settings are scored, clipping,
diverged runs, and the many-start map (on Himmelblau's four minima)."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import optimizers
import surfaces
import sweeps
from sweeps import Range

ROOT = Path(__file__).resolve().parents[1]
START = (-1.5, 2.0)


@pytest.fixture(scope="module")
def rosenbrock():
    return surfaces.get_surface("rosenbrock")


@pytest.fixture(scope="module")
def himmelblau():
    return surfaces.get_surface("himmelblau")


# ------------------------------------------------------------------------------------ ranges


def test_linear_range_values_are_evenly_spaced_with_both_ends():
    v = Range("beta1", 0.5, 0.9).values(5)
    np.testing.assert_allclose(v, [0.5, 0.6, 0.7, 0.8, 0.9])


def test_log_range_values_have_a_constant_ratio():
    v = Range("lr", 1e-4, 1.0, log=True).values(5)
    np.testing.assert_allclose(v, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_values_are_short_and_exact_not_float_noise():
    # linspace's 0.17499999999999982 and geomspace's 0.0261813... read as 0.175 and 0.0262
    lin = Range("momentum", 0.0, 0.99).values(30)
    assert 0.17499999999999982 not in lin and all(len(repr(float(v))) <= 6 for v in lin)
    np.testing.assert_allclose(lin, np.linspace(0.0, 0.99, 30), atol=5e-4)  # 3 digits: within rounding
    geo = Range("lr", 1e-4, 1.0, log=True).values(30)
    np.testing.assert_allclose(geo, np.geomspace(1e-4, 1.0, 30), rtol=5e-3)
    assert all(len(f"{v:.15g}".lstrip("0.").replace("e-", "")) <= 5 for v in geo)
    # distinct values stay distinct, and inside the range, with as many digits as that takes
    dense = Range("lr", 0.01, 0.0101).values(50)
    assert len(np.unique(dense)) == 50 and dense.min() >= 0.01 and dense.max() <= 0.0101
    assert Range("beta2", 0.9, 0.9999).values(4)[-1] == 0.9999  # not rounded up to 1 (invalid)
    pts = sweeps.random_points([Range("lr", 1e-4, 1.0, log=True)], 200, seed=3)["lr"]
    assert all(float(f"{v:.5g}") == v for v in pts) and len(np.unique(pts)) == len(pts)


def test_a_single_value_is_the_middle_of_the_range_on_its_scale():
    assert Range("beta1", 0.5, 0.9).values(1)[0] == pytest.approx(0.7)
    assert Range("lr", 1e-4, 1.0, log=True).values(1)[0] == pytest.approx(1e-2)


@pytest.mark.parametrize(
    "args",
    [("lr", 1.0, 0.1, False), ("lr", 0.0, 1.0, True), ("lr", -1.0, 1.0, True), ("lr", 0, np.inf)],
)
def test_bad_ranges_raise_value_error_naming_the_hyperparameter(args):
    with pytest.raises(ValueError, match="lr"):
        Range(*args)


# ------------------------------------------------------------------------------- grid search


def test_grid_points_are_every_combination_first_range_slowest():
    ranges = [Range("lr", 1e-3, 1e-1, log=True), Range("beta1", 0.0, 0.9)]
    pts = sweeps.grid_points(ranges, (3, 4))
    assert set(pts) == {"lr", "beta1"}
    assert all(v.shape == (12,) for v in pts.values())
    lr, beta1 = pts["lr"].reshape(3, 4), pts["beta1"].reshape(3, 4)
    np.testing.assert_allclose(lr[:, 0], [1e-3, 1e-2, 1e-1])
    np.testing.assert_allclose(beta1[0], [0.0, 0.3, 0.6, 0.9])
    assert np.all(lr == lr[:, :1]) and np.all(beta1 == beta1[:1])  # a true grid
    assert len({(a, b) for a, b in zip(pts["lr"], pts["beta1"], strict=True)}) == 12


def test_grid_points_one_hyperparameter():
    pts = sweeps.grid_points([Range("lr", 0.1, 0.5)], (5,))
    np.testing.assert_allclose(pts["lr"], [0.1, 0.2, 0.3, 0.4, 0.5])


def test_grid_points_need_one_count_per_range():
    with pytest.raises(ValueError, match="one count per range"):
        sweeps.grid_points([Range("lr", 0.1, 0.5)], (5, 5))


# ----------------------------------------------------------------------------- random search


def test_random_points_count_and_ranges():
    ranges = [Range("lr", 1e-5, 1.0, log=True), Range("momentum", 0.0, 0.99)]
    pts = sweeps.random_points(ranges, 2000, seed=3)
    assert pts["lr"].shape == pts["momentum"].shape == (2000,)
    assert pts["lr"].min() >= 1e-5 and pts["lr"].max() <= 1.0
    assert pts["momentum"].min() >= 0.0 and pts["momentum"].max() <= 0.99
    # every draw is new: random search tries as many distinct values as it has points
    assert len(np.unique(pts["lr"])) == 2000


def test_random_points_log_scale_is_uniform_in_the_exponent():
    pts = sweeps.random_points([Range("lr", 1e-5, 1.0, log=True)], 20_000, seed=0)["lr"]
    # a quarter of the decades below 1e-5 * 10**1.25 ...; on a linear scale almost all would be > 0.1
    exponents = np.log10(pts)
    counts, _ = np.histogram(exponents, bins=5, range=(-5, 0))
    np.testing.assert_allclose(counts / len(pts), 0.2, atol=0.02)
    assert np.mean(pts < 1e-3) == pytest.approx(0.4, abs=0.02)


def test_random_points_linear_scale_is_uniform():
    pts = sweeps.random_points([Range("beta1", 0.0, 1.0)], 20_000, seed=0)["beta1"]
    assert np.mean(pts < 0.25) == pytest.approx(0.25, abs=0.02)


def test_random_points_are_seeded():
    ranges = [Range("lr", 1e-4, 1.0, log=True), Range("beta1", 0.5, 0.99)]
    a, b = sweeps.random_points(ranges, 50, seed=7), sweeps.random_points(ranges, 50, seed=7)
    c = sweeps.random_points(ranges, 50, seed=8)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
        assert not np.array_equal(a[name], c[name])


def test_random_points_reject_non_positive_k():
    with pytest.raises(ValueError, match="positive whole number"):
        sweeps.random_points([Range("lr", 0.1, 0.5)], 0)


# ---------------------------------------------------------------------------------- clipping


def test_requests_inside_the_bound_are_unchanged():
    req = sweeps.clip_request((200, 200), 1000)
    assert (req.shape, req.steps, req.notice) == ((200, 200), 1000, None)


def test_too_many_runs_shrink_every_axis_alike_and_say_so():
    req = sweeps.clip_request((400, 400), 500)
    assert req.runs <= sweeps.MAX_RUNS
    assert req.shape[0] == req.shape[1] == 200
    assert "160,000" in req.notice and "40,000" in req.notice and "200 × 200" in req.notice


def test_too_many_steps_are_capped():
    req = sweeps.clip_request((10,), 50_000)
    assert req.steps == sweeps.MAX_STEPS and req.shape == (10,)
    assert "50,000 steps" in req.notice


def test_work_bound_limits_runs_times_steps():
    req = sweeps.clip_request((1000,), 100, max_runs=10_000, max_steps=1000, max_work=20_000)
    assert req.shape == (200,) and req.steps == 100
    assert req.notice is not None


def test_search_reports_the_clipping(rosenbrock):
    ranges = [Range("lr", 1e-3, 1e-1, log=True)]
    res = sweeps.search("sgd", rosenbrock, START, ranges, k=50_000, steps=2)
    assert len(res) == sweeps.MAX_RUNS
    assert res.notice is not None and "40,000" in res.notice


# --------------------------------------------------------------------------------- scoring


def _sample(n_total: int, k: int = 6) -> list[int]:
    return sorted({0, n_total - 1, *np.random.default_rng(0).choice(n_total, k, replace=False)})


def test_final_loss_scores_agree_with_single_runs(rosenbrock):
    ranges = [Range("lr", 1e-3, 0.5, log=True), Range("beta1", 0.5, 0.95)]
    res = sweeps.search("adam", rosenbrock, START, ranges, grid=(6, 5), steps=150)
    assert len(res) == 30 and res.score_kind == "loss"
    for i in _sample(len(res)):
        traj = optimizers.run("adam", rosenbrock, START, 150, **res.setting(i))
        assert res.final_loss[i] == pytest.approx(traj.losses[-1], rel=1e-9, abs=1e-300)
        assert res.status[i] == traj.status
        assert res.n_steps[i] == traj.n_steps
        expected = math.log10(max(traj.losses[-1] - rosenbrock.min_value, sweeps.SCORE_FLOOR))
        assert res.score[i] == pytest.approx(expected, rel=1e-9)


def test_steps_scores_agree_with_single_runs(rosenbrock):
    tol = 1e-2
    ranges = [Range("lr", 1e-3, 0.3, log=True), Range("momentum", 0.0, 0.95)]
    res = sweeps.search(
        "momentum", rosenbrock, START, ranges, k=24, seed=5, steps=400, score="steps", tol=tol
    )
    assert res.method == "random" and res.seed == 5
    reached = 0
    for i in range(len(res)):
        traj = optimizers.run("momentum", rosenbrock, START, 400, **res.setting(i))
        hits = np.nonzero(traj.losses - rosenbrock.min_value <= tol)[0]
        if traj.status == "diverged" or not hits.size:
            assert np.isnan(res.score[i])
            assert res.outcome[i] == ("diverged" if traj.status == "diverged" else "not reached")
        else:
            reached += 1
            assert res.score[i] == hits[0] and res.outcome[i] == "ok"
    assert reached > 0  # the sample does exercise both branches


def test_diverged_runs_are_marked_not_scored_and_ranked_last(rosenbrock):
    ranges = [Range("lr", 1e-4, 1.0, log=True)]
    res = sweeps.search("sgd", rosenbrock, START, ranges, grid=(9,), steps=100)
    diverged = res.outcome == "diverged"
    assert diverged.any() and (~diverged).any()
    assert np.all(np.isnan(res.score[diverged]))
    assert np.all(np.isfinite(res.score[~diverged]))
    for i in np.nonzero(diverged)[0]:
        traj = optimizers.run("sgd", rosenbrock, START, 100, lr=res.settings["lr"][i])
        assert traj.status == "diverged"
    table = res.table()
    n_div = int(diverged.sum())
    assert list(table["outcome"].iloc[-n_div:]) == ["diverged"] * n_div
    assert table["score"].iloc[: len(res) - n_div].is_monotonic_increasing


def test_best_is_the_lowest_score_and_the_table_is_sorted(rosenbrock):
    ranges = [Range("lr", 1e-3, 0.5, log=True), Range("beta1", 0.5, 0.95)]
    res = sweeps.search("adam", rosenbrock, START, ranges, k=40, seed=1, steps=100)
    assert res.best == int(np.nanargmin(res.score))
    table = res.table(top=10)
    assert len(table) == 10 and list(table["rank"]) == list(range(1, 11))
    assert table["run"].iloc[0] == res.best
    assert {"lr", "beta1", "score", "final_loss", "status", "outcome"} <= set(table.columns)


def test_runs_at_the_minimum_tie_and_the_fastest_to_the_tolerance_is_best():
    # The walk-through scene: momentum on the valley, the default 30 x 30 grid. Many runs end
    # within round-off of L* (1e-16 .. 1e-14, where the engine's gradient test stopped them);
    # their order was noise: a 159-step wild path was "best" while another converged in 31 steps.
    valley = surfaces.get_surface("quadratic")
    ranges = [Range("lr", 1e-4, 1.0, log=True), Range("momentum", 0.0, 0.99)]
    res = sweeps.search("momentum", valley, (-3.5, 1.5), ranges, grid=(30, 30), steps=300, tol=1e-3)
    at_min = np.nonzero((res.outcome == "ok") & (res.gap <= sweeps.SCORE_FLOOR))[0]
    assert len(at_min) > 10
    assert sorted(res.tied) == sorted(at_min)  # they all tie on the score ...
    assert np.all(res.score[at_min] == res.best_score)
    fastest = np.nanmin(res.steps_to_tol[at_min])
    assert res.steps_to_tol[res.best] == fastest  # ... and the stated second key decides
    assert res.steps_to_tol[res.best] <= 31
    table = res.table()
    assert table["run"].iloc[0] == res.best == res.tied[0]
    tied_rows = table.iloc[: len(at_min)]
    assert tied_rows["steps_to_tol"].is_monotonic_increasing
    assert (tied_rows["score"] == res.best_score).all()


def test_steps_score_ties_break_by_the_final_loss():
    valley = surfaces.get_surface("quadratic")
    ranges = [Range("lr", 1e-3, 0.3, log=True), Range("momentum", 0.0, 0.95)]
    res = sweeps.search(
        "momentum", valley, (-3.5, 1.5), ranges, grid=(12, 12), steps=300, score="steps", tol=1e-3
    )
    order = res.order
    ok = order[res.outcome[order] == "ok"]
    assert len(ok) > 2 and len(np.unique(res.score[ok])) < len(ok)  # there are ties to break
    for a, b in itertools.pairwise(ok):
        if res.score[a] == res.score[b]:
            assert max(res.gap[a], sweeps.SCORE_FLOOR) <= max(res.gap[b], sweeps.SCORE_FLOOR)


def test_fixed_hyperparameters_reach_the_engine(rosenbrock):
    ranges = [Range("lr", 0.01, 0.1, log=True)]
    a = sweeps.search("adam", rosenbrock, START, ranges, grid=(3,), steps=50, fixed={"beta1": 0.0})
    b = sweeps.search("adam", rosenbrock, START, ranges, grid=(3,), steps=50)
    assert a.fixed == {"beta1": 0.0}
    assert not np.allclose(a.final_loss, b.final_loss)
    traj = optimizers.run("adam", rosenbrock, START, 50, lr=a.settings["lr"][1], beta1=0.0)
    assert a.final_loss[1] == pytest.approx(traj.losses[-1], rel=1e-9)


def test_best_at_the_edge_of_its_range_is_reported(rosenbrock):
    res = sweeps.search("sgd", rosenbrock, START, [Range("lr", 1e-6, 1e-4, log=True)], grid=(5,), steps=50)
    assert res.best == 4  # the largest lr is best when all are too small
    assert res.at_edge(res.best) == ["lr"]
    assert res.at_edge(2) == []


def test_progress_is_reported_per_chunk(rosenbrock, monkeypatch):
    monkeypatch.setattr(sweeps._runs, "CHUNK_WORK", 10 * 20)  # 10 runs of 20 steps per chunk
    calls = []
    res = sweeps.search(
        "sgd", rosenbrock, START, [Range("lr", 1e-4, 1e-3)], grid=(25,), steps=20,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert calls == [(10, 25), (20, 25), (25, 25)]
    whole = sweeps.search("sgd", rosenbrock, START, [Range("lr", 1e-4, 1e-3)], grid=(25,), steps=20)
    np.testing.assert_array_equal(res.final_loss, whole.final_loss)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(grid=(3,), k=5), "either"),
        (dict(), "either"),
        (dict(grid=(3,), score="accuracy"), "Unknown score"),
        (dict(grid=(3,), tol=0.0), "tolerance"),
        (dict(grid=(3, 3)), "one grid count per range"),
        (dict(grid=(0,)), "positive whole number"),
    ],
)
def test_bad_search_requests_raise_value_error(rosenbrock, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sweeps.search("sgd", rosenbrock, START, [Range("lr", 1e-3, 1e-1)], **kwargs)


def test_engine_errors_pass_through_as_value_error(rosenbrock):
    with pytest.raises(ValueError):
        sweeps.search("no_such_optimizer", rosenbrock, START, [Range("lr", 1e-3, 1e-1)], grid=(3,))
    with pytest.raises(ValueError):
        sweeps.search("sgd", rosenbrock, START, [Range("lr", -1.0, 1e-1)], grid=(3,))


def test_paths_are_the_single_runs_cut_where_they_ended(rosenbrock):
    settings = [{"lr": 0.05, "beta1": 0.9}, {"lr": 0.5, "beta1": 0.5}]
    out = sweeps.paths("adam", rosenbrock, START, 80, settings)
    for setting, path in zip(settings, out, strict=True):
        traj = optimizers.run("adam", rosenbrock, START, 80, **setting)
        np.testing.assert_allclose(path, traj.points)
    assert sweeps.paths("adam", rosenbrock, START, 80, []) == []


def test_a_surface_without_a_minimum_scores_the_loss_itself():
    saddle = surfaces.get_surface("saddle")
    assert saddle.min_value is None
    res = sweeps.search("sgd", saddle, (-1.5, 0.01), [Range("lr", 1e-3, 1e-1, log=True)], grid=(4,), steps=30)
    assert res.min_value is None
    ok = res.outcome == "ok"
    np.testing.assert_array_equal(res.score[ok], res.final_loss[ok])
    with pytest.raises(ValueError, match="no minimum"):
        sweeps.search("sgd", saddle, (-1.5, 0.01), [Range("lr", 1e-3, 1e-1)], grid=(4,), score="steps")
    smap = sweeps.many_start_map("sgd", saddle, 5, 10, hyper={"lr": 0.01})
    assert np.all(smap.minimum == -1) and np.all(np.isnan(smap.steps_to_tol))


def test_a_fixed_choice_hyperparameter_is_passed_as_is():
    fit = surfaces.get_surface("curve_fit")
    start = surfaces.SURFACES["curve_fit"].default_start
    ranges = [Range("damping", 1e-3, 10.0, log=True)]
    res = sweeps.search("lm", fit, start, ranges, grid=(3,), steps=20, fixed={"scaling": "marquardt"})
    assert res.fixed == {"scaling": "marquardt"}
    assert res.setting(0)["scaling"] == "marquardt"
    traj = optimizers.run("lm", fit, start, 20, damping=res.settings["damping"][0], scaling="marquardt")
    assert res.final_loss[0] == pytest.approx(traj.losses[-1], rel=1e-9)
    (path,) = sweeps.paths("lm", fit, start, 20, [res.setting(0)])
    np.testing.assert_allclose(path, traj.points)


# ---------------------------------------------------------------------------- grid vs random


def test_grid_and_random_get_the_same_budget(rosenbrock):
    ranges = [Range("lr", 1e-4, 1.0, log=True), Range("beta2", 0.9, 0.9999)]
    comp = sweeps.compare_grid_random(
        "adam", rosenbrock, START, ranges, grid=(4, 4), seeds=range(6), steps=100
    )
    assert len(comp.grid) == len(comp.random) == 16
    assert comp.grid.method == "grid" and comp.random.method == "random"
    assert comp.distinct("lr") == (4, 16)
    assert len(comp.random_best) == 6 and sum(comp.wins) == 6
    # each random search is the one random_points would choose for its seed
    np.testing.assert_array_equal(comp.random.settings["lr"], sweeps.random_points(ranges, 16, seed=0)["lr"])
    alone = sweeps.search("adam", rosenbrock, START, ranges, k=16, seed=3, steps=100)
    assert comp.random_best[3] == pytest.approx(alone.best_score)
    alone_grid = sweeps.search("adam", rosenbrock, START, ranges, grid=(4, 4), steps=100)
    np.testing.assert_array_equal(comp.grid.score, alone_grid.score)


def test_grid_and_random_share_the_bound_and_say_so(rosenbrock):
    ranges = [Range("lr", 1e-4, 1.0, log=True), Range("beta2", 0.9, 0.9999)]
    comp = sweeps.compare_grid_random(
        "adam", rosenbrock, START, ranges, grid=(100, 100), seeds=range(3), steps=2
    )
    assert len(comp.grid) * 4 <= sweeps.MAX_RUNS and len(comp.random) == len(comp.grid) == 100 * 100
    comp = sweeps.compare_grid_random(
        "adam", rosenbrock, START, ranges, grid=(150, 150), seeds=range(3), steps=2
    )
    assert len(comp.grid) == len(comp.random) == 100 * 100
    assert "the grid and the 3 random searches share" in comp.grid.notice
    assert "100 × 100 = 10,000 runs" in comp.grid.notice


# --------------------------------------------------------------------------- many-start map


def test_many_start_map_on_himmelblau_labels_starts_near_each_minimum(himmelblau):
    smap = sweeps.many_start_map("sgd", himmelblau, 41, 400, hyper={"lr": 0.005})
    assert smap.minimum.shape == smap.diverged.shape == (41, 41)
    assert len(smap.minima) == 4
    X, Y = np.meshgrid(smap.xs, smap.ys)
    for i, (mx, my) in enumerate(smap.minima):
        near = np.hypot(X - mx, Y - my) < 0.6
        assert near.sum() >= 3
        assert np.all(smap.minimum[near] == i), f"starts near minimum {i + 1}"
    counts = smap.counts()
    assert all(counts[f"minimum {i + 1}"] > 0 for i in range(4))
    assert sum(counts.values()) == 41 * 41


def test_many_start_map_rows_follow_y_and_columns_follow_x(himmelblau):
    smap = sweeps.many_start_map("sgd", himmelblau, 5, 3, hyper={"lr": 0.001})
    (x0, x1), (y0, y1) = himmelblau.bounds
    np.testing.assert_allclose(smap.xs, np.linspace(x0, x1, 5))
    np.testing.assert_allclose(smap.ys, np.linspace(y0, y1, 5))
    traj = optimizers.run("sgd", himmelblau, (smap.xs[4], smap.ys[1]), 3, lr=0.001)
    np.testing.assert_allclose(smap.final_points[1, 4], traj.points[-1])
    table = smap.table()
    assert len(table) == 25 and {"x0", "y0", "minimum"} <= set(table.columns)


def test_many_start_map_marks_diverged_starts(himmelblau):
    smap = sweeps.many_start_map("sgd", himmelblau, 9, 50, hyper={"lr": 0.2})
    assert smap.diverged.any()
    assert np.all(smap.minimum[smap.diverged] == -1)
    assert np.all(np.isnan(smap.steps_to_tol[smap.diverged]))
    assert smap.counts()["diverged"] == int(smap.diverged.sum())


def test_many_start_map_steps_to_converge_agree_with_single_runs(himmelblau):
    smap = sweeps.many_start_map("momentum", himmelblau, 5, 40, hyper={"lr": 0.005}, tol=1e-2)
    reached = np.isfinite(smap.steps_to_tol)
    assert reached.any() and (~reached).any()
    for iy, ix in np.ndindex(5, 5):
        traj = optimizers.run("momentum", himmelblau, (smap.xs[ix], smap.ys[iy]), 40, lr=0.005)
        hits = np.nonzero(traj.losses - himmelblau.min_value <= 1e-2)[0]
        expected = hits[0] if hits.size and traj.status != "diverged" else np.nan
        np.testing.assert_equal(smap.steps_to_tol[iy, ix], expected)


def test_many_start_map_is_clipped(himmelblau):
    smap = sweeps.many_start_map("sgd", himmelblau, 300, 1, hyper={"lr": 0.001})
    assert smap.minimum.shape == (200, 200)
    assert "200 × 200" in smap.notice


# ------------------------------------------------------------------------------- layering


def test_backend_imports_neither_streamlit_nor_plotly():
    code = (
        "import sys, sweeps, sweeps.background; "
        "bad = [m for m in ('streamlit', 'plotly') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_many_start_map_on_a_circle_of_minima_says_the_runs_reached_l_star():
    # (x^2 + y^2 - 1)^2 lists no minima (they form a curve); runs that end on it reach L*, and
    # the map must not call them "no minimum reached".
    circle = surfaces.make_custom("(x^2 + y^2 - 1)^2", (-2, 2), (-2, 2))
    sm = sweeps.many_start_map("adam", circle, n=8, steps=300, hyper={"lr": 0.05}, tol=1e-3)
    assert len(sm.minima) == 0 and sm.at_min_value.sum() > 40
    final = sm.final_points[sm.at_min_value]
    np.testing.assert_allclose(np.hypot(final[:, 0], final[:, 1]), 1.0, atol=0.02)  # on the circle
    counts = sm.counts()
    assert counts["at L*, not near a listed minimum"] == sm.at_min_value.sum()
    assert sum(counts.values()) == 64
