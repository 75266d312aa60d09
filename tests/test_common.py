"""The pages' cached engine calls (ui/common.py): a run's steps read off a longer run."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
from scenes.explorer import RunSpec
from ui import common

ENGINE_RUN = optimizers.run  # the real engine, for the expected runs
SETTINGS = {
    "optimizer": "adam",
    "surface": "rosenbrock",
    "surface_params": (),
    "start": (-1.2, 1.5),
    "schedule": (("decay_rate", 0.5), ("kind", "exponential")),
    "noise": 0.2,
    "seed": 4,
    "batch_size": None,
    "hyper": (("lr", 0.05),),
}


@pytest.fixture(autouse=True)
def fresh_caches():
    common.run_optimizer.cache_clear()
    common._longest_runs.clear()
    yield
    common.run_optimizer.cache_clear()
    common._longest_runs.clear()


@pytest.fixture
def engine_calls(monkeypatch):
    """The steps of every run the engine was asked for."""
    calls = []

    def counting(name, surface, start, steps, **options):
        calls.append(steps)
        return ENGINE_RUN(name, surface, start, steps, **options)

    monkeypatch.setattr(optimizers, "run", counting)
    return calls


def direct(steps: int) -> optimizers.Trajectory:
    s = SETTINGS
    return ENGINE_RUN(
        s["optimizer"], common.get_surface(s["surface"], ()), np.asarray(s["start"]), steps,
        schedule=dict(s["schedule"]), noise=s["noise"], seed=s["seed"], **dict(s["hyper"]),
    )  # fmt: skip


def test_shorter_runs_are_read_off_the_longest(engine_calls):
    common.run_optimizer(RunSpec(steps=200, **SETTINGS))
    for steps in (1, 17, 150, 199, 200):
        got = common.run_optimizer(RunSpec(steps=steps, **SETTINGS))
        want = direct(steps)
        np.testing.assert_array_equal(got.points, want.points)
        np.testing.assert_array_equal(got.records["m_x"], want.records["m_x"])
        assert got.ending == want.ending and got.n_steps == steps
        assert not got.points.flags.writeable  # shared between sessions: read-only
    assert engine_calls == [200]


def test_going_past_the_longest_run_doubles_it(engine_calls):
    for steps in (60, 61, 62, 100, 120, 121, 200):
        got = common.run_optimizer(RunSpec(steps=steps, **SETTINGS))
        np.testing.assert_array_equal(got.points, direct(steps).points)
    assert engine_calls == [60, 120, 240]  # 61 ran to 2 x 60; 121 to 2 x 120


def test_other_settings_are_other_runs(engine_calls):
    common.run_optimizer(RunSpec(steps=100, **SETTINGS))
    common.run_optimizer(RunSpec(steps=50, **{**SETTINGS, "seed": 5}))
    common.run_optimizer(RunSpec(steps=50, **{**SETTINGS, "hyper": (("lr", 0.06),)}))
    assert engine_calls == [100, 50, 50]


def test_a_run_that_ended_serves_any_longer_request(engine_calls):
    settings = {**SETTINGS, "optimizer": "newton", "schedule": None, "noise": 0.0, "hyper": ()}
    ended = common.run_optimizer(RunSpec(steps=100, **settings))
    assert ended.status == "converged" and ended.n_steps < 100
    assert common.run_optimizer(RunSpec(steps=400, **settings)).n_steps == ended.n_steps
    assert engine_calls == [100]


def test_bad_settings_raise_and_are_not_kept():
    with pytest.raises(ValueError, match="lr"):
        common.run_optimizer(RunSpec(steps=10, **{**SETTINGS, "hyper": (("lr", -1.0),)}))
    assert len(common._longest_runs) == 0
    common.run_optimizer(RunSpec(steps=10, **SETTINGS))
    assert len(common._longest_runs) == 1
