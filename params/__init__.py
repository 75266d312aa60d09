"""Param: a tunable number (or choice) with its slider range and its valid range.

Surfaces (their parameters), optimizers (their hyperparameters) and schedules declare their
settings as `Param`s; the engine validates with them and the pages build their widgets from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Param", "validate_params"]


@dataclass(frozen=True)
class Param:
    """A tunable number (or choice) with its slider range and its valid range.

    `low`/`high` are the slider's range; `minimum`/`maximum` what the maths accepts (a learning
    rate of 5 is valid, just not on the slider). Exclusive bounds reject the bound itself.
    """

    name: str
    label: str
    default: Any
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_min: bool = False
    exclusive_max: bool = False
    help: str = ""

    def validate(self, value: Any) -> Any:
        """Return `value` coerced to this parameter's type, or raise ValueError saying why not."""
        if self.choices is not None:
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(
                    f"{self.name} must be one of {', '.join(map(repr, self.choices))}; got {value!r}"
                )
            return value
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"{self.name} must be a number; got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{self.name} must be a finite number; got {value!r}")
        if self.integer:
            if number != int(number):
                raise ValueError(f"{self.name} must be a whole number; got {value!r}")
            number = int(number)
        self._check_range(number)
        return number

    def validate_array(self, values: np.ndarray) -> np.ndarray:
        """Vectorised `validate` for an array of numbers (one per run)."""
        values = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{self.name} must hold finite numbers only")
        if self.integer and np.any(values != np.round(values)):
            raise ValueError(f"{self.name} must hold whole numbers only")
        for bad in (values.min(), values.max()):
            self._check_range(float(bad))
        return values

    def _check_range(self, number: float) -> None:
        too_low = self.minimum is not None and (
            number < self.minimum or (self.exclusive_min and number == self.minimum)
        )
        too_high = self.maximum is not None and (
            number > self.maximum or (self.exclusive_max and number == self.maximum)
        )
        if too_low or too_high:
            raise ValueError(f"{self.name} must be {self.allowed()}; got {number:g}")

    def allowed(self) -> str:
        """The valid range in words, e.g. '> 0' or 'in [0, 1)'."""
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            left = "(" if self.exclusive_min else "["
            right = ")" if self.exclusive_max else "]"
            return f"in {left}{lo:g}, {hi:g}{right}"
        if lo is not None:
            return f"{'>' if self.exclusive_min else '>='} {lo:g}"
        if hi is not None:
            return f"{'<' if self.exclusive_max else '<='} {hi:g}"
        return "any finite number"


def validate_params(specs: tuple[Param, ...], given: dict[str, Any], what: str) -> dict[str, Any]:
    """Fill defaults, reject unknown names, validate each value; `what` names the owner."""
    known = {p.name: p for p in specs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        valid = ", ".join(known) or "none"
        raise ValueError(f"unknown parameter(s) for {what}: {', '.join(unknown)}; valid: {valid}")
    return {name: p.validate(given.get(name, p.default)) for name, p in known.items()}
