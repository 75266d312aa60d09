"""sweeps/background.py: sweeps in a worker process return what the same sweep returns here,
report progress, can be cancelled, and a dead worker is reported (and replaced on the next job)."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

import surfaces
import sweeps
from sweeps import background

ROSENBROCK_START = (-1.5, 2.0)


@pytest.fixture(autouse=True)
def _stop_pool():
    yield
    background.shutdown()


def test_worker_search_equals_the_in_process_search_and_reports_progress():
    ranges = [sweeps.Range("lr", 1e-3, 0.5, log=True), sweeps.Range("beta1", 0.5, 0.95)]
    kwargs = dict(optimizer="adam", start=ROSENBROCK_START, ranges=ranges, grid=(30, 20), steps=200)
    job = background.submit("search", "rosenbrock", (), **kwargs)
    result = job.result(timeout=120)
    here = sweeps.search(surface=surfaces.get_surface("rosenbrock"), **kwargs)
    np.testing.assert_array_equal(result.score, here.score)
    np.testing.assert_array_equal(result.final_loss, here.final_loss)
    assert job.progress() == (600, 600)


def test_worker_map_rebuilds_the_surface_with_its_parameters():
    kwargs = dict(optimizer="sgd", n=9, steps=50, hyper={"lr": 0.01})
    job = background.submit("map", "quadratic", (("condition", 30.0),), **kwargs)
    here = sweeps.many_start_map(surface=surfaces.get_surface("quadratic", condition=30.0), **kwargs)
    np.testing.assert_array_equal(job.result(timeout=120).steps_to_tol, here.steps_to_tol)


def test_bad_input_raises_the_sweeps_own_error():
    lr = [sweeps.Range("lr", 0.1, 0.2)]
    job = background.submit("search", "rosenbrock", (), optimizer="adam", start=ROSENBROCK_START,
                            ranges=lr, grid=(3,), steps=10, score="speed")  # fmt: skip
    with pytest.raises(ValueError, match="Unknown score"):
        job.result(timeout=120)
    with pytest.raises(ValueError, match="Unknown sweep or study 'train'"):
        background.submit("train", "rosenbrock", ())
    with pytest.raises(ValueError, match="Unknown sweep or study"):
        background.function("os:system")


def test_a_running_job_can_be_cancelled():
    # L-BFGS, 40,000 runs x 1,000 steps: about half a minute of work, cut short.
    job = background.submit("search", "rosenbrock", (), optimizer="lbfgs", start=ROSENBROCK_START,
                            ranges=[sweeps.Range("lr", 0.01, 1.0)], grid=(40_000,), steps=1_000)  # fmt: skip
    deadline = time.monotonic() + 60
    while job.progress()[1] == 0 and time.monotonic() < deadline:  # until its first chunk is done
        time.sleep(0.05)
    assert job.progress()[1] == 40_000
    job.cancel()
    with pytest.raises(background.CancelledError):
        job.result(timeout=60)


def test_a_dead_worker_is_reported_and_the_next_job_gets_a_new_one():
    job = background.submit("search", "rosenbrock", (), optimizer="lbfgs", start=ROSENBROCK_START,
                            ranges=[sweeps.Range("lr", 0.01, 1.0)], grid=(40_000,), steps=1_000)  # fmt: skip
    deadline = time.monotonic() + 60
    while job.progress()[1] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in list(background._POOL._executor._processes):  # the worker this test started
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(background.WorkerFailedError, match="stopped unexpectedly"):
        job.result(timeout=60)
    again = background.submit("search", "rosenbrock", (), optimizer="sgd", start=ROSENBROCK_START,
                              ranges=[sweeps.Range("lr", 1e-4, 1e-3)], grid=(4,), steps=20)  # fmt: skip
    assert len(again.result(timeout=120)) == 4


def test_a_training_study_runs_in_the_worker_like_here_and_reports_its_epochs():
    from training import studies as ts

    setup = ts.Setup(dataset="moons", n_samples=80, noise=0.2, model="mlp", hidden=(4,), optimizer="adam",
                     hyper=(("lr", 0.01),), epochs=20, batch_size=16)  # fmt: skip
    job = background.submit("learning_curve", setup, seeds=(0, 1))
    curve = job.result(timeout=120)
    here = ts.learning_curve(setup, (0, 1))
    np.testing.assert_array_equal(curve.val_error, here.val_error)
    assert job.progress() == (len(here.x) * 20, len(here.x) * 20)


def test_a_study_stops_when_its_progress_callback_raises():
    from training import studies as ts

    setup = ts.Setup(dataset="moons", n_samples=80, model="mlp", hidden=(4,), optimizer="sgd", epochs=50)
    seen = []

    def stop_at_ten(done, total):
        seen.append((done, total))
        if done == 10:
            raise background.CancelledError

    with pytest.raises(background.CancelledError):
        ts.cross_validation(setup, "l2", 3, progress=stop_at_ten)
    assert seen[-1] == (10, len(ts.VALIDATION_VALUES["l2"]) * 2 * 50)


def test_a_lecture_scene_is_decided_in_the_worker_like_here():
    from scenes import lecture

    scene = lecture.BY_ID["bias-variance"]
    job = background.submit("lecture_scene", scene.id)
    outcome = job.result(timeout=120)
    here = lecture.decide(scene)
    assert outcome.right == here.right and outcome.numbers == here.numbers
    assert outcome.try_holds == here.try_holds
    assert job.progress() == (2, 2)
    with pytest.raises(ValueError, match="no lecture scene"):
        background.submit("lecture_scene", "no-such-scene").result(timeout=120)
