"""The step inspector's and the theory overlay's data (figures/map_data.py) and the first-order
methods' state records (OptimizerInfo.records): each decoded and checked against an independent
recomputation (the update rules written out here, optimizers.theory, the engine's path)."""

from __future__ import annotations

import numpy as np
import pytest

from figures import map_data as md
from optimizers import OPTIMIZERS, run, run_batch, theory
from optimizers.quasi_newton import line_search_trials
from surfaces import get_surface

VALLEY = get_surface("quadratic", condition=10.0, angle=20.0)
START = (-3.5, 1.5)


def _replay(name: str, traj, **hyper) -> dict[str, np.ndarray]:
    """The state after each iteration, recomputed from the path's exact gradients (no noise)."""
    g = VALLEY.grad(traj.points[:-1])
    k = len(g)
    out = {key: np.zeros((k, 2)) for key in ("v", "s", "m")}
    v = s = m = np.zeros(2)
    for i in range(k):
        if name in ("momentum", "nesterov"):
            v = hyper["momentum"] * v + g[i]
        elif name == "rmsprop":
            s = hyper["beta"] * s + (1 - hyper["beta"]) * g[i] ** 2
        elif name == "adagrad":
            s = s + g[i] ** 2
        elif name == "adam":
            m = hyper["beta1"] * m + (1 - hyper["beta1"]) * g[i]
            v = hyper["beta2"] * v + (1 - hyper["beta2"]) * g[i] ** 2
        out["v"][i], out["s"][i], out["m"][i] = v, s, m
    return out


@pytest.mark.parametrize(
    "name, hyper, fields",
    [
        ("momentum", {"momentum": 0.8}, ("v",)),
        ("nesterov", {"momentum": 0.7}, ("v",)),
        ("rmsprop", {"beta": 0.9}, ("s",)),
        ("adagrad", {}, ("s",)),
        ("adam", {"beta1": 0.85, "beta2": 0.99}, ("m", "v")),
    ],
)
def test_first_order_records_are_the_state_after_each_step(name, hyper, fields):
    traj = run(name, VALLEY, START, 25, lr=0.02, **hyper)
    expected = _replay(name, traj, **hyper)
    for field in fields:
        recorded = np.column_stack([traj.records[f"{field}_x"], traj.records[f"{field}_y"]])
        np.testing.assert_allclose(recorded, expected[field], rtol=1e-12, atol=1e-14)
    assert set(traj.records) == {f"{f}_{a}" for f in fields for a in "xy"}


def test_sgd_and_second_order_methods_record_no_state():
    assert run("sgd", VALLEY, START, 5, lr=0.01).records == {}
    assert run("newton", VALLEY, START, 5).records == {}


def test_overlay_decodes_to_the_local_model_at_each_step():
    surface = get_surface("rosenbrock")
    traj = run("adam", surface, (-1.5, 2.0), 30, lr=0.05)
    payload = md.theory_overlay(surface, traj.points)
    table = md.decode_table(payload)
    (x0, x1), (y0, y1) = surface.bounds
    length = md.OVERLAY_LENGTH * min(x1 - x0, y1 - y0)
    for k in (0, 7, 30):
        model = theory.local_model(surface.hessian(traj.points[k]), traj.points[k], length=length)
        np.testing.assert_allclose([table["x"][k], table["y"][k]], traj.points[k], rtol=1e-6)
        np.testing.assert_allclose([table["lam1"][k], table["lam2"][k]], model.eigenvalues, rtol=1e-6)
        semi = np.array([[table["s1x"][k], table["s1y"][k]], [table["s2x"][k], table["s2y"][k]]])
        np.testing.assert_allclose(semi, model.arrows - traj.points[k], rtol=1e-5, atol=1e-6)
        assert theory.CURVATURE_KINDS[int(table["kind"][k])] == model.kind
        assert table["kappa"][k] == pytest.approx(model.condition, rel=1e-6)


def test_overlay_flags_the_saddle():
    surface = get_surface("saddle")
    table = md.decode_table(md.theory_overlay(surface, np.array([[0.5, 0.5]])))
    assert int(table["kind"][0]) == theory.INDEFINITE and table["lam2"][0] < 0 < table["lam1"][0]


def test_inspector_steps_follow_the_path_and_adam_scales_per_coordinate():
    traj = run("adam", VALLEY, START, 20, lr=0.1)
    p = md.step_inspector(VALLEY, traj, "adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8})
    t = md.decode_table(p)
    assert p["n"] == 21 and [a[0] for a in p["arrows"]] == ["neg_grad", "before", "step"]
    steps = np.column_stack([t["dx"], t["dy"]])[:-1]
    np.testing.assert_allclose(steps, np.diff(traj.points, axis=0), rtol=1e-5)
    np.testing.assert_allclose(t["L"], traj.losses, rtol=1e-5)
    np.testing.assert_allclose(np.column_stack([t["gx"], t["gy"]]), VALLEY.grad(traj.points), rtol=1e-5)
    # The step is the 'before' arrow -alpha m_hat times 1/(sqrt(v_hat) + eps), coordinate by coordinate.
    np.testing.assert_allclose(t["step_x"][:-1], (t["before_x"] * t["scale_x"])[:-1], rtol=1e-4)
    np.testing.assert_allclose(t["step_y"][:-1], (t["before_y"] * t["scale_y"])[:-1], rtol=1e-4)
    np.testing.assert_allclose(t["lr"][:-1], traj.lrs, rtol=1e-6)
    assert np.isnan(t["lr"][-1])


def test_inspector_velocity_is_the_momentum_step():
    traj = run("momentum", VALLEY, START, 15, lr=0.01, momentum=0.9)
    t = md.decode_table(md.step_inspector(VALLEY, traj, "momentum", {"momentum": 0.9}))
    np.testing.assert_allclose(t["velocity_x"][:-1], t["dx"][:-1], rtol=1e-5)
    np.testing.assert_allclose(t["neg_grad_x"][:-1], -0.01 * t["gx"][:-1], rtol=1e-5)


def test_inspector_newton_direction_solves_the_hessian_system():
    surface = get_surface("rosenbrock")
    traj = run("newton", surface, (-1.5, 2.0), 5)
    t = md.decode_table(md.step_inspector(surface, traj, "newton", {}))
    H, g = surface.hessian(traj.points[0]), surface.grad(traj.points[0])
    np.testing.assert_allclose([t["newton_x"][0], t["newton_y"][0]], -np.linalg.solve(H, g), rtol=1e-5)
    np.testing.assert_allclose([t["newton_x"][0], t["newton_y"][0]], [t["dx"][0], t["dy"][0]], rtol=1e-5)


def test_inspector_lbfgs_first_trial_and_trials():
    surface = get_surface("rosenbrock")
    traj = run("lbfgs", surface, (-1.5, 2.0), 10)
    p = md.step_inspector(surface, traj, "lbfgs", {})
    t = md.decode_table(p)
    r = traj.records
    np.testing.assert_allclose(t["direction_x"][:-1], r["t0"] * r["d_x"], rtol=1e-5)
    np.testing.assert_array_equal(t["loss_evals"][:-1], r["loss_evals"])
    # The trial markers of step k are the line search's trials there (quasi_newton.line_search_trials).
    (trials,) = p["markers"]
    points = md.decode_f32(trials["data"]).reshape(-1, 2)
    assert len(trials["start"]) == p["n"] + 1 and trials["start"][-1] == len(points) == r["loss_evals"].sum()
    for k in (0, 1, len(r["t0"]) - 1):
        expected = line_search_trials((0.0, 0.0), (r["d_x"][k], r["d_y"][k]), r["t0"][k], r["loss_evals"][k])
        got = points[trials["start"][k] : trials["start"][k + 1]]
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_inspector_lm_curves_start_at_gauss_newton_and_mark_the_tried_lambda():
    surface = get_surface("curve_fit")
    info_start = (0.5, 0.5)
    traj = run("lm", surface, info_start, 12, damping=100.0)
    p = md.step_inspector(surface, traj, "lm", {"damping": 100.0, "scaling": "levenberg"})
    t = md.decode_table(p)
    assert t["lam"][0] == pytest.approx(100.0)
    np.testing.assert_allclose(t["lam"][1:-1], traj.lambdas[:-1], rtol=1e-6)
    moved = np.any(np.diff(traj.points, axis=0) != 0, axis=1)
    np.testing.assert_array_equal(t["accepted"][:-1], moved.astype(float))
    curves = md.decode_f32(p["curves"]["data"]).reshape(p["curves"]["steps"], 2, p["curves"]["points"], 2)
    J, r = surface.jacobian(traj.points[0]), surface.residuals(traj.points[0])
    gauss_newton = -np.linalg.lstsq(J, r, rcond=None)[0]
    np.testing.assert_allclose(curves[0, 0, 0], gauss_newton, rtol=1e-4)
    np.testing.assert_allclose(curves[0, 1, 0], gauss_newton, rtol=1e-4)
    # The trial at lambda_0 is the engine's first step where it was accepted.
    if moved[0]:
        trial = [t["trial_x"][0], t["trial_y"][0]]
        np.testing.assert_allclose(trial, traj.points[1] - traj.points[0], rtol=1e-4)
    # One marker per step at the trial: in the accepted set where the step moved, else the rejected one.
    sets = {m["key"]: m for m in p["markers"]}
    for key, verdict in (("trial_accepted", True), ("trial_rejected", False)):
        start = np.asarray(sets[key]["start"])
        points = md.decode_f32(sets[key]["data"]).reshape(-1, 2)
        np.testing.assert_array_equal(np.diff(start)[:-1], (moved == verdict).astype(int))
        rows = np.flatnonzero(moved == verdict)
        np.testing.assert_allclose(points, np.column_stack([t["trial_x"], t["trial_y"]])[rows], rtol=1e-6)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_inspector_packs_every_optimizer_and_stays_small(name):
    surface = get_surface("curve_fit")
    if not OPTIMIZERS[name].supports(surface).runs:
        pytest.skip("not on this surface")
    traj = run(name, surface, (0.5, 0.5), 200)
    p = md.step_inspector(surface, traj, name, {})
    t = md.decode_table(p)
    assert np.isfinite(t["x"]).all() and len(t["x"]) == p["n"]
    for key, _, _ in p["arrows"]:
        assert f"{key}_x" in t
    assert md.payload_bytes(p) < 120_000


def test_loss_figure_draws_the_predicted_gap_dashed_on_the_log_axis_only():
    import plotly.graph_objects as go

    from figures.explorer import loss_figure

    traj = run("sgd", VALLEY, START, 30, lr=0.05)
    gap = theory.predicted_loss_gap(float(traj.losses[0]), theory.Rate(0.9, False), 30)
    fig = go.Figure(loss_figure({"sgd": traj}, min_value=0.0, predicted={"sgd": gap}))  # validates the dict
    dashed = [t for t in fig.data if t.line.dash == "dash"]
    assert len(dashed) == 1 and dashed[0].name == "SGD, predicted"
    np.testing.assert_allclose(np.asarray(dashed[0].y, dtype=float), gap, rtol=1e-6)
    assert not [
        t
        for t in go.Figure(loss_figure({"sgd": traj}, min_value=None, predicted={"sgd": gap})).data
        if t.line.dash
    ]


def test_explorer_prediction_has_the_observed_slope_on_the_valley():
    """The page's dashed line (`ui.explorer.runs.predicted_gaps`) falls as fast as SGD's loss does."""
    from scenes.explorer import ExplorerChoices
    from scenes.problem import Problem
    from ui.explorer.runs import predicted_gaps

    problem = Problem("quadratic", (("angle", 20.0), ("condition", 10.0)), START)
    surface = problem.build_surface()
    traj = run("sgd", surface, START, 80, lr=0.05)
    choices = ExplorerChoices("none", problem, ("sgd",), (("sgd", (("lr", 0.05),)),), 80, None, 0.0, 0, None)
    predicted = predicted_gaps(choices, {"sgd": traj}, surface)["sgd"]
    observed = traj.losses - surface.min_value
    slope = lambda y: np.log(y[70] / y[40]) / 30  # noqa: E731
    assert slope(predicted) == pytest.approx(slope(observed), rel=0.02)
    assert predicted[0] == pytest.approx(observed[0])
    noisy = ExplorerChoices("none", problem, ("sgd",), (("sgd", (("lr", 0.05),)),), 80, None, 1.0, 0, None)
    assert predicted_gaps(noisy, {"sgd": traj}, surface) == {}  # no prediction with noise


def test_a_batch_keeps_the_state_records_only_when_asked():
    """Searches run thousands of paths and need no inspector: `run_batch` keeps no records unless
    `keep_records=True`, and then row i's records are those of `run` from start i."""
    starts = np.array([START, (1.0, -1.0)])
    assert run_batch("adam", VALLEY, starts, 10, lr=0.1).records == {}
    batch = run_batch("adam", VALLEY, starts, 10, lr=0.1, keep_records=True)
    for i, start in enumerate(starts):
        single = run("adam", VALLEY, start, 10, lr=0.1)
        mine = batch.trajectory(i)
        assert mine.records.keys() == single.records.keys() == {"m_x", "m_y", "v_x", "v_y"}
        for name in single.records:
            np.testing.assert_array_equal(mine.records[name], single.records[name])
