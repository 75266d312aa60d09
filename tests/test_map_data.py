"""The map component's data (figures/map_data.py): what is sent, its size, and that a rerun that
changes only the paths leaves the contour's payload byte for byte the same (so Streamlit's message
cache sends it as a reference)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import streamlit.config

import optimizers
import surfaces
from figures import OPTIMIZER_COLORS, level_transform, surface_grid
from figures import explorer as fx
from figures import map_data as md

DEFAULT_RACE = {"sgd": {"lr": 0.09}, "momentum": {"lr": 0.01}, "rmsprop": {"lr": 0.1}, "adam": {"lr": 0.1}}


def _race(name: str, race: dict, steps: int = 60, start=None):
    s = surfaces.get_surface(name)
    start = tuple(surfaces.SURFACES[name].default_start) if start is None else start
    return s, start, {o: optimizers.run(o, s, start, steps, **kw) for o, kw in race.items()}


def _base(name: str, n: int = 40, log_levels: bool = False):
    s = surfaces.get_surface(name)
    grid = surface_grid(s, n)
    return s, grid, md.map_base(s, grid, log_levels=log_levels, key=md.contour_key(name, grid, log_levels))


def test_float32_base64_roundtrip_keeps_nan():
    a = np.array([1.5, -2.0, np.nan, 3.25e-7])
    out = md.decode_f32(md.b64_f32(a))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, a.astype(np.float32))


def test_base_carries_the_contour_values_axes_and_minima():
    s, (xs, _, Z), base = _base("quadratic", n=40)
    assert (base["nx"], base["ny"]) == (40, 40)
    np.testing.assert_array_equal(md.decode_f32(base["x"]), xs)
    z = md.decode_f32(base["z"]).reshape(40, 40)
    np.testing.assert_array_equal(z, Z)  # linear levels: the loss itself, row i at y = ys[i]
    assert base["xrange"] == list(s.bounds[0]) and base["yrange"] == list(s.bounds[1])
    np.testing.assert_allclose(base["minima"], np.asarray(s.minima).reshape(-1, 2))
    assert base["equal_aspect"] is True and base["data_panel"] is None
    assert base["colorbar"]["title"]["text"] == "loss L"


def test_log_levels_are_sent_with_what_the_browser_needs_to_recover_the_loss():
    s, (_, _, Z), base = _base("rosenbrock", n=30, log_levels=True)
    zt, floor, delta = level_transform(Z, log_levels=True, min_value=s.min_value)
    z = md.decode_f32(base["z"]).reshape(Z.shape)
    np.testing.assert_allclose(z, zt, rtol=1e-6)
    assert base["log"] is True and (base["floor"], base["delta"]) == (floor, delta)
    # The browser's hover reads L = floor + 10**z - delta: it must give back the grid's loss.
    recovered = base["floor"] + 10.0 ** z.astype(float) - base["delta"]
    np.testing.assert_allclose(recovered, Z, rtol=2e-5, atol=1e-3 * base["delta"] + 1e-9)
    assert base["colorbar"]["ticktext"]  # decades labelled with the loss


def test_data_surface_base_has_the_data_panel_and_the_least_squares_fit():
    s, _, base = _base("linear_regression", n=30)
    panel = base["data_panel"]
    assert panel is not None and base["equal_aspect"] is False
    targets = s.data[1]
    np.testing.assert_allclose(md.decode_f32(panel["y"]), np.asarray(targets, dtype=np.float32))
    xgrid = md.decode_f32(panel["fit_x"])
    assert len(xgrid) == md.FIT_POINTS
    best = np.asarray(s.predict(np.asarray(s.minima)[0], xgrid.astype(float)), dtype=np.float32)
    np.testing.assert_allclose(md.decode_f32(panel["best_fit"]), best, rtol=1e-5)


def test_contour_key_changes_with_the_contour_only():
    s = surfaces.get_surface("quadratic")
    g = surface_grid(s, 30)
    assert md.contour_key("quadratic", g, False) == md.contour_key("quadratic", surface_grid(s, 30), False)
    assert md.contour_key("quadratic", g, False) != md.contour_key("quadratic", g, True)
    other = surfaces.get_surface("quadratic", condition=50.0)
    key = md.contour_key("quadratic", g, False)
    assert key != md.contour_key("quadratic", surface_grid(other, 30), False)


def test_paths_carry_points_losses_colours_and_labels():
    s, start, trajs = _race("quadratic", DEFAULT_RACE)
    paths = md.map_paths(s, trajs, start=start, base_key="k1")
    assert paths["base"] == "k1" and paths["start"] == [float(start[0]), float(start[1])]
    assert [p["label"] for p in paths["paths"]] == ["SGD", "Momentum", "RMSProp", "Adam"]
    for p, (name, traj) in zip(paths["paths"], trajs.items(), strict=True):
        assert p["name"] == name and p["color"] == OPTIMIZER_COLORS[name]
        assert p["n"] == traj.n_steps + 1 and p["markers"] is True
        np.testing.assert_array_equal(md.decode_f32(p["x"]), traj.points[:, 0].astype(np.float32))
        np.testing.assert_array_equal(md.decode_f32(p["y"]), traj.points[:, 1].astype(np.float32))
        np.testing.assert_array_equal(md.decode_f32(p["loss"]), traj.losses.astype(np.float32))
    assert paths["n_steps"] == 60 and paths["fit_steps"] is None


def test_a_diverged_path_stops_at_its_last_finite_point():
    s = surfaces.get_surface("quadratic")
    traj = optimizers.run("sgd", s, (-3.5, 1.5), 200, lr=0.5)
    assert traj.status == "diverged"
    p = md.map_paths(s, {"sgd": traj}, start=(-3.5, 1.5), base_key="k")["paths"][0]
    x = md.decode_f32(p["x"])
    assert p["n"] == len(x) == fx.finite_length(traj)
    assert np.isfinite(x).all() and np.isfinite(md.decode_f32(p["loss"])).all()


def test_long_paths_have_no_step_dots():
    s, start, trajs = _race("rosenbrock", {"sgd": {"lr": 1e-4}}, steps=300)
    assert md.map_paths(s, trajs, start=start, base_key="k")["paths"][0]["markers"] is False


def test_data_surface_paths_carry_the_fit_at_a_few_steps():
    s, start, trajs = _race("linear_regression", {"sgd": {"lr": 0.05}, "newton": {}}, steps=10)
    paths = md.map_paths(s, trajs, start=start, base_key="k")
    ks = paths["fit_steps"]
    assert ks[0] == 0 and ks[-1] == paths["n_steps"] == 10
    base = md.map_base(s, surface_grid(s, 20), log_levels=False, key="k")
    xgrid = md.decode_f32(base["data_panel"]["fit_x"])
    for p, traj in zip(paths["paths"], trajs.values(), strict=True):
        fits = md.decode_f32(p["fit"]).reshape(len(ks), md.FIT_POINTS)
        last = min(ks[-1], traj.n_steps)
        want = np.asarray(s.predict(traj.points[last], xgrid.astype(float)), dtype=np.float32)
        np.testing.assert_allclose(fits[-1], want, rtol=1e-5, atol=1e-6)


def test_a_paths_only_change_leaves_the_base_payload_identical_and_sends_little():
    s = surfaces.get_surface("quadratic")
    grid = surface_grid(s, 80)  # the page's grid
    key = md.contour_key("quadratic", grid, False)
    base_json = json.dumps(md.map_base(s, grid, log_levels=False, key=key))
    # Another rerun with other paths (steps, start, learning rate): the same base, byte for byte.
    assert json.dumps(md.map_base(s, surface_grid(s, 80), log_levels=False, key=key)) == base_json
    sizes = []
    for steps, start in ((60, (-3.5, 1.5)), (61, (-3.5, 1.5)), (60, (2.0, -2.0))):
        _, _, trajs = _race("quadratic", DEFAULT_RACE, steps=steps, start=start)
        paths = md.map_paths(s, trajs, start=start, base_key=key)
        assert "z" not in paths and key in json.dumps(paths)
        sizes.append(md.payload_bytes(paths))
    assert max(sizes) < 10_000  # 4 paths of 61 points: a few KB, far from the 40 KB per rerun goal
    # Big enough for Streamlit's message cache, so a rerun sends a reference instead of it.
    assert len(base_json) >= streamlit.config.get_option("global.minCachedMessageSize")
    assert len(base_json) < 60_000


def test_paths_do_not_grow_with_the_contour_grid():
    s, start, trajs = _race("quadratic", DEFAULT_RACE)
    small = md.map_paths(s, trajs, start=start, base_key=md.contour_key("q", surface_grid(s, 20), False))
    large = md.map_paths(s, trajs, start=start, base_key=md.contour_key("q", surface_grid(s, 200), False))
    assert md.payload_bytes(small) == md.payload_bytes(large)


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_every_surface_gives_json_ready_payloads(name):
    info = surfaces.SURFACES[name]
    s = surfaces.get_surface(name)
    grid = surface_grid(s, 24)
    base = md.map_base(s, grid, log_levels=info.log_levels, key="k")
    json.dumps(base, allow_nan=False)  # no NaN or inf outside the base64 arrays
    _, start, trajs = _race(name, {"sgd": {"lr": 1e-3}}, steps=5)
    json.dumps(md.map_paths(s, trajs, start=start, base_key="k"), allow_nan=False)


def test_builder_does_not_import_streamlit():
    code = "import sys, figures.map_data; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
