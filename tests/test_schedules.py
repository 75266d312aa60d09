"""Learning-rate schedules against their closed forms (issue 2, lecture section 6).

Expected values are computed here from the formulas in the issue, never copied from the engine:

    inverse_time   lr0 / (1 + d * epoch)
    step           lr0 * d ** floor(epoch / s)
    exponential    lr0 * d ** epoch
    constant/None  lr0

Epochs count from 0, so epoch 0 always uses lr0 (torch.optim.lr_scheduler's convention).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizers import schedules
from optimizers.schedules import schedule_values

KINDS = ("constant", "inverse_time", "step", "exponential")


def closed_form(spec: dict | None, lr0: float, epoch: int) -> float:
    """The issue's formula for one epoch, in plain Python floats."""
    if spec is None or spec["kind"] == "constant":
        return lr0
    kind, d = spec["kind"], spec["decay_rate"]
    if kind == "inverse_time":
        return lr0 / (1.0 + d * epoch)
    if kind == "step":
        return lr0 * d ** math.floor(epoch / spec["step_size"])
    if kind == "exponential":
        return lr0 * d**epoch
    raise AssertionError(kind)


def test_registry_lists_the_four_kinds():
    assert set(schedules.SCHEDULES) == set(KINDS)


def test_lecture_inverse_time_example():
    # Lecture, section 6: alpha0 = 0.1, decay_rate = 1.0 -> 0.1, 0.05, 0.033.., 0.025.
    got = schedule_values({"kind": "inverse_time", "decay_rate": 1.0}, 0.1, 4)
    np.testing.assert_allclose(got, [0.1, 0.05, 0.1 / 3, 0.025], rtol=1e-15)


def test_lecture_chart_has_46_epochs():
    got = schedule_values({"kind": "inverse_time", "decay_rate": 1.0}, 0.1, 46)
    assert got.shape == (46,)
    assert got[-1] == pytest.approx(0.1 / 46, rel=1e-14)


def test_step_decay_exact_values():
    spec = {"kind": "step", "step_size": 10, "decay_rate": 0.5}
    got = schedule_values(spec, 0.2, 35)
    expected = [0.2] * 10 + [0.1] * 10 + [0.05] * 10 + [0.025] * 5
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_exponential_exact_values():
    got = schedule_values({"kind": "exponential", "decay_rate": 0.9}, 1.0, 4)
    np.testing.assert_allclose(got, [1.0, 0.9, 0.81, 0.729], rtol=1e-14)


@pytest.mark.parametrize("spec", [None, {"kind": "constant"}])
def test_constant(spec):
    got = schedule_values(spec, 0.03, 7)
    np.testing.assert_array_equal(got, np.full(7, 0.03))


SPECS = [
    None,
    {"kind": "constant"},
    {"kind": "inverse_time", "decay_rate": 0.0},
    {"kind": "inverse_time", "decay_rate": 0.37},
    {"kind": "inverse_time", "decay_rate": 5.0},
    {"kind": "step", "step_size": 1, "decay_rate": 0.5},
    {"kind": "step", "step_size": 3, "decay_rate": 0.1},
    {"kind": "step", "step_size": 50, "decay_rate": 0.9},
    {"kind": "exponential", "decay_rate": 0.95},
    {"kind": "exponential", "decay_rate": 1.0},
]


@pytest.mark.parametrize("spec", SPECS, ids=repr)
@pytest.mark.parametrize("lr0", [1e-4, 0.1, 1.0])
def test_matches_closed_form(spec, lr0):
    n = 60
    got = schedule_values(spec, lr0, n)
    assert isinstance(got, np.ndarray)
    assert got.shape == (n,)
    assert np.all(np.isfinite(got))
    expected = [closed_form(spec, lr0, e) for e in range(n)]
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    assert got[0] == pytest.approx(lr0, rel=1e-15)  # epoch 0 uses lr0
    assert np.all(np.diff(got) <= 0)  # decay never increases the rate


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_validate_schedule_accepts_good_specs(spec):
    out = schedules.validate_schedule(spec)
    assert out is None or isinstance(out, dict)


def test_spec_is_not_mutated():
    spec = {"kind": "step", "step_size": 2, "decay_rate": 0.5}
    before = dict(spec)
    schedule_values(spec, 0.1, 5)
    schedules.validate_schedule(spec)
    assert spec == before


BAD_SPECS = [
    # (spec, words the message must contain, case-insensitive)
    ({"kind": "cosine"}, ["cosine", "inverse_time", "step", "exponential"]),
    ({"kind": "inverse_time", "decay_rate": -0.1}, ["decay_rate"]),
    ({"kind": "exponential", "decay_rate": -0.5}, ["decay_rate"]),
    ({"kind": "step", "step_size": 10, "decay_rate": -0.5}, ["decay_rate"]),
    ({"kind": "inverse_time"}, ["decay_rate"]),
    ({"kind": "exponential"}, ["decay_rate"]),
    ({"kind": "step", "decay_rate": 0.5}, ["step_size"]),
    ({"kind": "step", "step_size": 0, "decay_rate": 0.5}, ["step_size"]),
    ({"kind": "step", "step_size": -3, "decay_rate": 0.5}, ["step_size"]),
    ({"kind": "inverse_time", "decay_rate": float("nan")}, ["decay_rate"]),
    ({"kind": "inverse_time", "decay_rate": float("inf")}, ["decay_rate"]),
    ({"kind": "exponential", "decay_rate": "fast"}, ["decay_rate"]),
    ({"kind": "inverse_time", "decay_rate": 1.0, "gamma": 2}, ["gamma", "decay_rate"]),
    ({"decay_rate": 0.5}, ["kind"]),
]


@pytest.mark.parametrize(("spec", "words"), BAD_SPECS, ids=[repr(s) for s, _ in BAD_SPECS])
def test_bad_specs_raise_helpful_value_error(spec, words):
    for call in (
        lambda: schedules.validate_schedule(spec),
        lambda: schedule_values(spec, 0.1, 5),
    ):
        with pytest.raises(ValueError) as info:
            call()
        msg = str(info.value).lower()
        for word in words:
            assert word.lower() in msg, f"message {msg!r} should mention {word!r}"


def test_make_schedule_validates_once_and_returns_a_pure_function_of_the_epoch():
    with pytest.raises(ValueError, match="unknown schedule kind"):
        schedules.make_schedule({"kind": "cosine"})
    factors = schedules.make_schedule({"kind": "step", "step_size": 2, "decay_rate": 0.5})
    epochs = np.arange(6)
    np.testing.assert_array_equal(factors(epochs), [1, 1, 0.5, 0.5, 0.25, 0.25])
    np.testing.assert_array_equal(factors(epochs), factors(epochs))  # no state between calls
    np.testing.assert_array_equal(factors(np.array([4, 0])), [0.25, 1.0])
    np.testing.assert_array_equal(schedules.make_schedule(None)(epochs), np.ones(6))
