"""The vocabulary of the lecture's scenes: `LectureScene`, its `Answer`s and `TryThis`, the
`Claim`s that decide them on measured numbers, and `fill`, which writes those numbers into a
scene's texts (see `scenes.lecture`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TOL = 1e-3  # "within the tolerance": L(θ_k) − L* ≤ TOL, the explorer's default
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
PAGES = ("explorer", "training", "search", "figure")

Value = float | int | str | tuple  # a tuple: a curve ("curve.<name>") for the page's chart


@dataclass(frozen=True)
class Claim:
    """`left` `op` `factor` × (`other`'s number, or `value`): a comparison of measured numbers.

    `left` and `other` name numbers of `measure` ("sgd.hit"); a number that is never reached
    (steps to tolerance) is inf, so "sooner than" compares right."""

    left: str
    op: str
    value: Value | None = None
    other: str | None = None
    factor: float = 1.0

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"unknown comparison {self.op!r}; valid: {', '.join(OPS)}")
        if (self.value is None) == (self.other is None):
            raise ValueError("a claim compares with either a value or another measured number")

    def holds(self, numbers: Mapping[str, Value]) -> bool:
        left = numbers[self.left]
        right = numbers[self.other] if self.other is not None else self.value
        if isinstance(right, int | float) and not isinstance(right, bool):
            right = self.factor * right
        return bool(OPS[self.op](left, right))

    def describe(self, numbers: Mapping[str, Value]) -> str:
        """The claim with its numbers, for a failing test's message."""
        right = f"{self.factor:g} × {self.other}" if self.other else repr(self.value)
        if self.other:
            right += f" ({numbers.get(self.other)!r})"
        return f"{self.left} ({numbers.get(self.left)!r}) {self.op} {right}"


@dataclass(frozen=True)
class Answer:
    text: str  # may hold {placeholders}
    claims: tuple[Claim, ...]  # right when all hold


@dataclass(frozen=True)
class TryThis:
    """One change to the scene and what it shows (its claims, on the changed scene's numbers)."""

    text: str  # what to change and what happens, placeholders from the changed scene
    change: tuple[tuple[str, Any], ...]
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class LectureScene:
    id: str  # ?scene=<id>: lowercase letters, digits and hyphens
    slides: tuple[int, ...]
    title: str
    page: str  # one of PAGES
    study: str  # a key of STUDIES: how its numbers are measured
    settings: Mapping[str, Any]  # the page's settings (explorer: its URL keys)
    question: str
    answers: tuple[Answer, ...]
    explanation: str  # placeholders filled from the runs
    try_this: TryThis
    citation: str = ""  # for the myths
    myth: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)  # the study's own, not the page's
    loss_chart: bool = False  # an explorer scene whose point is in its loss curves: show them too

    @property
    def slide_label(self) -> str:
        s = self.slides
        return f"slide {s[0]}" if len(s) == 1 else f"slides {s[0]}-{s[-1]}"


# --------------------------------------------------------------------------- numbers -> words

_FIELD = re.compile(r"\{([A-Za-z_][\w.~-]*)(?::([^{}]*))?\}")


_E_NOTATION = re.compile(r"(\d+(?:\.\d+)?)e([+-]\d+)")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _powers_of_ten(text: str) -> str:
    """Python's e-notation as a lecture writes it: 1e+06 -> 10⁶, 3.7e-07 -> 3.7×10⁻⁷."""

    def power(m: re.Match) -> str:
        exponent = f"10{str(int(m.group(2))).translate(_SUPERSCRIPT)}"
        return exponent if m.group(1) in ("1", "1.0") else f"{m.group(1)}×{exponent}"

    return _E_NOTATION.sub(power, text)


def _fmt(value: Value, spec: str) -> str:
    if isinstance(value, str):
        return value
    never = isinstance(value, float) and math.isinf(value)
    if spec == "when":  # steps to tolerance: "at step 12" or "never"
        return "never" if never else f"at step {int(value)}"
    if spec == "steps":  # a count of steps: "1 step", "12 steps"
        return f"{int(value)} step" + ("" if int(value) == 1 else "s")
    if never:
        return "never"
    if spec:
        return _powers_of_ten(format(value, spec))
    if isinstance(value, int | np.integer):
        return str(int(value))
    return _powers_of_ten(f"{value:.3g}")


def fill(text: str, numbers: Mapping[str, Value]) -> str:
    """`text` with each {name} or {name:spec} replaced by that measured number (inf reads
    "never"; the spec "when" reads a step as "at step 12" or "never", "steps" a count as "1 step"
    or "3 steps"; e-notation as a power of ten, 10⁶ or 3.7×10⁻⁷); an unknown name raises KeyError
    (a test walks every text of every scene)."""
    return _FIELD.sub(lambda m: _fmt(numbers[m.group(1)], m.group(2) or ""), text)


def right_answers(scene: LectureScene, numbers: Mapping[str, Value]) -> list[int]:
    """Indices of the answers whose claims all hold (exactly one, when the scene is right)."""
    return [i for i, a in enumerate(scene.answers) if all(c.holds(numbers) for c in a.claims)]


def compare(
    left: str, op: str, value: Value | None = None, *, other: str | None = None, factor: float = 1.0
) -> Claim:
    """A `Claim`, written short in the scene tables."""
    return Claim(left, op, value, other, factor)


def answer(text: str, *claims: Claim) -> Answer:
    """An `Answer`, right when all `claims` hold."""
    return Answer(text, claims)


def who_first(a: str, b: str, what: str, label_a: str, label_b: str) -> tuple[Answer, ...]:
    """'a first', 'b first', 'a tie' on a measured number (e.g. steps to tolerance)."""
    return (
        answer(label_a, compare(f"{a}.{what}", "<", other=f"{b}.{what}")),
        answer(label_b, compare(f"{b}.{what}", "<", other=f"{a}.{what}")),
        answer("They tie", compare(f"{a}.{what}", "==", other=f"{b}.{what}")),
    )
