"""Learning-rate decay schedules, in the lecture's notation (epochs count from 0).

    constant      alpha = alpha0
    inverse_time  alpha = alpha0 / (1 + decay_rate * epoch)
    step          alpha = alpha0 * decay_rate ** floor(epoch / step_size)
    exponential   alpha = alpha0 * decay_rate ** epoch

Epoch 0 uses alpha0, as torch.optim.lr_scheduler does. A schedule is specified as `None`
(constant) or a dict {"kind": ..., **params}; `make_schedule` checks the spec once and returns a
pure function of the epoch, epoch -> alpha / alpha0 (as optax's schedules do), which the runner
evaluates once for all its steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from params import Param, validate_params

Schedule = dict[str, Any] | None  # a schedule's spec, as a link or a caller writes it
Factors = Callable[[np.ndarray], np.ndarray]  # epochs (integer array) -> alpha / alpha0, same shape

_DECAY = Param("decay_rate", "decay rate", 0.5, 0.0, 1.0, minimum=0.0, help="How fast the rate falls.")


@dataclass(frozen=True)
class ScheduleInfo:
    label: str
    formula: str  # LaTeX, lecture notation
    params: tuple[Param, ...] = ()


SCHEDULES: dict[str, ScheduleInfo] = {
    "constant": ScheduleInfo("Constant", r"\alpha = \alpha_0"),
    "inverse_time": ScheduleInfo(
        "1/t decay",
        r"\alpha = \frac{\alpha_0}{1 + \text{decay\_rate}\cdot \text{epoch}}",
        (
            Param(
                "decay_rate",
                "decay rate",
                1.0,
                0.0,
                2.0,
                minimum=0.0,
                help="α halves after 1/decay_rate epochs.",
            ),
        ),
    ),
    "step": ScheduleInfo(
        "Step decay",
        r"\alpha = \alpha_0 \cdot \text{decay\_rate}^{\lfloor \text{epoch} / T \rfloor}",
        (
            Param(
                "step_size",
                "drop every T epochs",
                10,
                1,
                100,
                integer=True,
                minimum=1,
                maximum=1_000_000,
                help="Epochs between two drops.",
            ),
            Param(
                "decay_rate",
                "decay rate",
                0.5,
                0.05,
                1.0,
                minimum=0.0,
                maximum=1.0,
                help="Factor applied at each drop (often 0.5).",
            ),
        ),
    ),
    "exponential": ScheduleInfo(
        "Exponential decay",
        r"\alpha = \alpha_0 \cdot \text{decay\_rate}^{\text{epoch}}",
        (
            Param(
                "decay_rate",
                "decay rate t",
                0.97,
                0.8,
                1.0,
                minimum=0.0,
                maximum=1.0,
                exclusive_min=True,
                help="Factor applied every epoch (t < 1).",
            ),
        ),
    ),
}


def validate_schedule(schedule: Schedule) -> Schedule:
    """Return the schedule with defaults filled in, or raise ValueError saying what is wrong."""
    if schedule is None:
        return None
    if not isinstance(schedule, dict) or "kind" not in schedule:
        raise ValueError(
            f"a schedule is None or a dict with a 'kind' ({', '.join(SCHEDULES)}); got {schedule!r}"
        )
    kind = schedule["kind"]
    if kind not in SCHEDULES:
        raise ValueError(f"unknown schedule kind {kind!r}; valid: {', '.join(SCHEDULES)}")
    given = {k: v for k, v in schedule.items() if k != "kind"}
    specs = SCHEDULES[kind].params
    missing = [p for p in specs if p.name not in given]
    if missing:
        needs = ", ".join(f"{p.name} ({p.allowed()})" for p in missing)
        raise ValueError(f"schedule {kind!r} needs {needs}")
    return {"kind": kind, **validate_params(specs, given, f"schedule {kind!r}")}


def make_schedule(schedule: Schedule) -> Factors:
    """Validate the spec once and return `factors(epochs) -> alpha / alpha0`, a pure function of
    an (integer) epoch array, same shape. Raises ValueError saying what is wrong with the spec."""
    schedule = validate_schedule(schedule)
    kind = "constant" if schedule is None else schedule["kind"]
    if kind == "constant":
        return lambda epochs: np.ones_like(np.asarray(epochs, dtype=float))
    d = schedule["decay_rate"]
    if kind == "inverse_time":
        return lambda epochs: 1.0 / (1.0 + d * np.asarray(epochs, dtype=float))
    if kind == "step":
        size = schedule["step_size"]
        return lambda epochs: d ** np.floor(np.asarray(epochs, dtype=float) / size)
    return lambda epochs: d ** np.asarray(epochs, dtype=float)  # exponential


def schedule_values(schedule: Schedule, lr0: float, n: int) -> np.ndarray:
    """The learning rates of epochs 0 .. n-1, for plotting: shape (n,)."""
    return lr0 * make_schedule(schedule)(np.arange(int(n)))
