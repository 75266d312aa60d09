"""A run's results as data, and the words for how runs end (the one word table).

`Ending` (how a run ended: reason, step, value, limit, and where a converged run stopped),
`Trajectory` (one run) and `BatchResult` (N runs of one optimizer) are what `optimizers.runner`
returns; `notes` are what a second-order method met on the way (the registry's `curvature` says
which matrix to inspect).

Every phrase about an ending or a stationary point is written once, here:

    ENDINGS[reason]     the public status, the headline and detail of `Ending.message`, the
                        summary table's 'stopped at' and 'why it stopped' (figures/explorer.py)
    POINT_KINDS[kind]   minimum / saddle / maximum / degenerate: in a headline, in the summary
                        table, and as the curvature of the map's local model (the browser gets
                        `curvature_words()` in the overlay's payload)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizers.registry import OPTIMIZERS, OptimizerInfo
from optimizers.second_order import sym_eig2, zero_cutoff
from optimizers.theory import STATIONARY_KINDS, stationary_point_kind
from surfaces.base import Surface, split_xy

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class EndingWords:
    """How one kind of ending is worded. Templates take step, at (the step it was seen at), value
    and limit: numbers in `headline`/`detail` (the engine's message), strings in `why` (compact
    numbers, the summary table)."""

    status: str  # the public status: "converged", "diverged" or "max_steps"
    headline: str
    separator: str  # between the headline and the detail in `Ending.message`
    detail: str
    stopped: str  # the summary's 'stopped at' ("" for a converged run: the point's kind says it)
    why: str  # the summary's 'why it stopped', in the lecture's words
    seen_after: int = 0  # the ending is seen this many steps after the path's last point


ENDINGS: dict[str, EndingWords] = {
    "converged": EndingWords(
        "converged",
        "converged at step {at}",
        ": ",
        "gradient norm {value:.2g} < tol {limit:g}",
        "",
        "the gradient vanished at step {step} (‖∇L‖ = {value} < {limit})",
    ),
    "loss_exploded": EndingWords(
        "diverged",
        "diverged at step {at}",
        ": ",
        "loss passed {limit:.2g} (reached {value:.3g}); try a smaller learning rate",
        "diverged",
        "the loss passed {limit} at step {step}: the learning rate is too large",
    ),
    "unbounded_below": EndingWords(
        "diverged",
        "diverged at step {at}",
        ": ",
        "the loss fell below -{limit:.2g} (reached {value:.3g}); this surface is unbounded below",
        "diverged",
        "the loss fell below −{limit} at step {step}: this surface has no minimum",
    ),
    "overflow": EndingWords(
        "diverged",
        "diverged at step {at}",
        ": ",
        "the point, its loss or its gradient overflowed to inf/NaN; the path ends at step {step}, its "
        "last finite point",
        "diverged",
        "the numbers overflowed after step {step}: the learning rate is too large",
        seen_after=1,
    ),
    "max_steps": EndingWords(
        "max_steps",
        "ran all {step} steps",
        "; ",
        "gradient norm is still {value:.2g} (tol {limit:g})",
        "out of steps",
        "all {step} steps ran; ‖∇L‖ is still {value}",
    ),
}


@dataclass(frozen=True)
class PointWords:
    """How one kind of stationary point (or of curvature, at any point) is worded."""

    short: str  # the summary's 'stopped at'
    headline: str  # in parentheses after a converged run's headline
    why: str  # added to the summary's 'why it stopped' ("" adds nothing)
    curvature: str  # the local quadratic model's curvature there (the map's theory overlay)


# In the order of `theory.STATIONARY_KINDS` (= the curvature codes of `theory.curvature_code`).
POINT_KINDS: dict[str, PointWords] = {
    "minimum": PointWords("a minimum", "a minimum", "", "positive definite"),
    "saddle": PointWords(
        "a saddle point",
        "a saddle point, not a minimum",
        "the curvature is negative in one direction: a saddle point, not a minimum",
        "indefinite: a saddle",
    ),
    "maximum": PointWords(
        "a maximum",
        "a maximum, not a minimum",
        "the curvature is negative in every direction: a maximum, not a minimum",
        "negative definite",
    ),
    "degenerate": PointWords(
        "a flat point",
        "a flat point: the Hessian is singular, so its kind is undecided",
        "the Hessian is singular there, so the curvature cannot tell what kind of point it is",
        "singular",
    ),
}
AT_MINIMUM = 1e-10  # L - L* at most this (relative to 1 + |L*|): the point is a (global) minimum
UNKNOWN_POINT = "a stationary point"  # 'stopped at' of a converged run whose kind is unknown


def curvature_words() -> list[str]:
    """The curvature's words by code (0 positive definite .. 3 singular), for the browser."""
    return [POINT_KINDS[kind].curvature for kind in STATIONARY_KINDS]


# Stop codes of the runner's ending scan; `Ending.reason` and `BatchResult.status` name them.
RUNNING, CONVERGED, EXPLODED, NONFINITE = 0, 1, 2, 3
STATUS = np.array(["max_steps", "converged", "diverged", "diverged"])


@dataclass(frozen=True)
class Ending:
    """How a run ended, as data. `message` words it for a person; pages format the fields.

    reason  "converged"        the gradient norm `value` fell below tol (`limit`) at `step`;
            "loss_exploded"    the loss `value` passed the loss limit `limit` at `step`;
            "unbounded_below"  the loss `value` fell below -`limit` at `step`;
            "overflow"         at step + 1 the point, its loss or its gradient stopped being
                               finite (`value` NaN); the path ends at `step`, its last finite point;
            "max_steps"        all `step` steps ran; `value` is the last gradient norm, `limit` tol.
    """

    reason: str
    step: int  # the path's last step (its last finite point)
    value: float
    limit: float
    # Where a converged run stopped (the gradient vanishes there), from the Hessian there
    # (`theory.stationary_point_kind`): "minimum", "saddle", "maximum" or "degenerate" (singular H,
    # second derivatives cannot tell); None for a run that did not converge.
    point: str | None = None

    @property
    def words(self) -> EndingWords:
        return ENDINGS[self.reason]

    @property
    def status(self) -> str:
        """The public status: "converged", "diverged" or "max_steps"."""
        return self.words.status

    @property
    def seen_at(self) -> int:
        """The step at which the run was seen to end (an overflow shows one step after the path ends)."""
        return self.step + self.words.seen_after

    def _fill(self, template: str, value: Any, limit: Any) -> str:
        return template.format(step=self.step, at=self.seen_at, value=value, limit=limit)

    @property
    def headline(self) -> str:
        """'converged at step 12 (a minimum)', 'diverged at step 7' or 'ran all 500 steps'."""
        kind = f" ({POINT_KINDS[self.point].headline})" if self.point else ""
        return self._fill(self.words.headline, self.value, self.limit) + kind

    @property
    def detail(self) -> str:
        """What decided, in words (the message without its headline)."""
        return self._fill(self.words.detail, self.value, self.limit)

    @property
    def message(self) -> str:
        return f"{self.headline}{self.words.separator}{self.detail}"

    def stopped_at(self) -> str:
        """Where the run stopped, for the summary table: the point's kind, 'out of steps' or 'diverged'."""
        if self.words.stopped:
            return self.words.stopped
        return POINT_KINDS[self.point].short if self.point else UNKNOWN_POINT

    def why(self, number: Any = str) -> str:
        """Why the run stopped, in the lecture's words; `number` formats the value and the limit."""
        text = self._fill(self.words.why, number(self.value), number(self.limit))
        extra = POINT_KINDS[self.point].why if self.point else ""
        return f"{text}; {extra}" if extra else text


@dataclass(frozen=True)
class Trajectory:
    """One run: the path, its losses and how it ended. Arrays never hold NaN or inf in points."""

    optimizer: str
    points: np.ndarray  # (k+1, 2)
    losses: np.ndarray  # (k+1,)
    lrs: np.ndarray  # (k,) learning rate used by each iteration
    grad_norms: np.ndarray  # (k+1,) exact gradient norm at each point
    ending: Ending
    notes: tuple[str, ...] = ()  # what a second-order method met on the way, for a person
    iters_per_epoch: int = 1  # iterations per pass over the data (1 for full batch)
    records: dict[str, np.ndarray] = field(default_factory=dict)  # (k,) each, see OptimizerInfo.records

    @property
    def lambdas(self) -> np.ndarray | None:
        """(k,) LM's damping after each iteration (its record "lambda"), None for other methods."""
        return self.records.get("lambda")

    @property
    def n_steps(self) -> int:
        return len(self.points) - 1

    @property
    def status(self) -> str:
        """ "converged", "diverged" or "max_steps" (see `Ending`)."""
        return self.ending.status

    @property
    def message(self) -> str:
        """How the run ended and what it met, in one sentence for a person."""
        return "; ".join([self.ending.message, *self.notes])

    def first_hit(self, target_loss: float) -> int | None:
        """The first step whose loss is <= target_loss (None if none): with target L* + tol, the
        first step within tolerance of the minimum (as run_batch's `first_hit`)."""
        hit = np.flatnonzero(self.losses <= target_loss)
        return int(hit[0]) if hit.size else None

    def to_frame(self) -> pd.DataFrame:
        """One row per point: step, epoch, x, y, loss, grad_norm, lr and the records (lambda for LM).

        lr and the records belong to the iteration that leaves the point; the last row has none.
        """
        import pandas as pd  # only the export needs pandas; the engine itself is NumPy only

        k = self.n_steps
        pad = np.full(1, np.nan)
        columns: dict[str, Any] = {
            "step": np.arange(k + 1),
            "epoch": np.arange(k + 1) // self.iters_per_epoch,
            "x": self.points[:, 0],
            "y": self.points[:, 1],
            "loss": self.losses,
            "grad_norm": self.grad_norms,
            "lr": np.concatenate([self.lrs, pad]),
        }
        for name, values in self.records.items():
            columns[name] = np.concatenate([values, pad])
        return pd.DataFrame(columns)


@dataclass(frozen=True, eq=False)
class BatchResult:
    """N runs of one optimizer. With keep_paths=False the arrays hold only the final row."""

    optimizer: str
    surface: Surface
    points: np.ndarray  # (steps+1, N, 2), or (1, N, 2)
    losses: np.ndarray  # (steps+1, N), or (1, N)
    final_grad_norms: np.ndarray  # (N,) exact gradient norm where each run ended
    n_steps: np.ndarray  # (N,) iterations each run made before it ended
    codes: np.ndarray  # (N,) stop codes
    first_hit: np.ndarray  # (N,) first step with loss <= target_loss before the run ended, -1 if none
    steps: int
    tol: float
    loss_limit: np.ndarray  # (N,) |loss| beyond which a run counts as diverged
    lr_per_step: np.ndarray  # (steps, 1) or (steps, N)
    iters_per_epoch: int
    records: dict[str, np.ndarray] = field(default_factory=dict)  # (steps, N) each, when paths are kept

    @property
    def lambdas(self) -> np.ndarray | None:
        """(steps, N) LM's damping after each iteration when paths are kept, else None."""
        return self.records.get("lambda")

    @cached_property
    def grad_norms(self) -> np.ndarray:
        """(steps+1, N) exact gradient norm at each point, or (1, N); computed when first asked."""
        if len(self.points) == 1:
            return self.final_grad_norms[None]
        return _grad_norms(self.surface, self.points)

    @property
    def status(self) -> np.ndarray:
        """(N,) "converged", "max_steps" or "diverged"."""
        return STATUS[self.codes]

    @property
    def lrs(self) -> np.ndarray:
        """(steps, N) learning rate of every iteration (also after a run ended)."""
        return np.broadcast_to(self.lr_per_step, (self.steps, len(self.codes)))

    @property
    def final_points(self) -> np.ndarray:
        return self.points[-1]

    @property
    def final_losses(self) -> np.ndarray:
        return self.losses[-1]

    def ending(self, i: int) -> Ending:
        """How run i ended, as data."""
        k, code = int(self.n_steps[i]), int(self.codes[i])
        gn, loss = float(self.final_grad_norms[i]), float(self.losses[-1, i])
        if code == CONVERGED:
            return Ending(
                "converged", k, gn, self.tol, point=_point_kind(self.surface, self.trajectory_points(i)[-1])
            )
        if code == EXPLODED:
            reason = "unbounded_below" if loss < 0 else "loss_exploded"
            return Ending(reason, k, loss, float(self.loss_limit[i]))
        if code == NONFINITE:
            return Ending("overflow", k, float("nan"), float(self.loss_limit[i]))
        return Ending("max_steps", k, gn, self.tol)

    def notes(self, i: int) -> tuple[str, ...]:
        """What run i's method met on the way, and whether a converged run sits on a saddle."""
        info = OPTIMIZERS[self.optimizer]
        return curvature_notes(info, self.surface, self.trajectory_points(i), int(self.codes[i]))

    def message(self, i: int) -> str:
        """A sentence for a person: how run i ended, and what its method met on the way."""
        return "; ".join([self.ending(i).message, *self.notes(i)])

    def trajectory_points(self, i: int) -> np.ndarray:
        if len(self.points) == 1:
            return self.points[:, i]
        return self.points[: int(self.n_steps[i]) + 1, i]

    def trajectory(self, i: int) -> Trajectory:
        """Run i as a Trajectory (needs keep_paths=True)."""
        if len(self.points) == 1 and self.steps > 0:
            raise ValueError("trajectory() needs the paths: call run_batch with keep_paths=True")
        k = int(self.n_steps[i])
        return Trajectory(
            optimizer=self.optimizer,
            points=self.points[: k + 1, i].copy(),
            losses=self.losses[: k + 1, i].copy(),
            lrs=self.lrs[:k, i].copy(),
            grad_norms=_grad_norms(self.surface, self.points[: k + 1, i]),
            ending=self.ending(i),
            notes=self.notes(i),
            iters_per_epoch=self.iters_per_epoch,
            records={name: values[:k, i].copy() for name, values in self.records.items()},
        )


def _grad_norms(surface: Surface, points: np.ndarray) -> np.ndarray:
    """Exact gradient norms at points (..., 2), as the runner measured them while running."""
    with np.errstate(all="ignore"):  # a norm past 1e154 overflows to inf when squared: so be it
        g = surface.value_and_grad(points)[1]
        return np.sqrt(g[..., 0] ** 2 + g[..., 1] ** 2)


def curvature_notes(info: OptimizerInfo, surface: Surface, path: np.ndarray, code: int) -> tuple[str, ...]:
    """What a second-order method met along `path` (the registry's `curvature` names the matrix it
    solves with). Where a converged run stopped is `Ending.point`."""
    notes = []
    if info.curvature == "hessian" and len(path) > 1:
        lam1, lam2, singular = _eigenvalues(surface.hessian_xy, path[:-1])
        indefinite = (lam2 < 0) & ~singular
        if indefinite.any():
            j = int(np.argmax(indefinite))
            notes.append(
                f"the Hessian was not positive definite from step {j} (eigenvalues {lam1[j]:.3g}, "
                f"{lam2[j]:.3g}): {info.label}'s step aims at a stationary point, which need not be "
                "a minimum"
            )
        if singular.any():
            j = int(np.argmax(singular))
            notes.append(f"the Hessian was singular at step {j}: no step along its flat direction")
    if info.curvature == "gram" and len(path) > 1:
        _, _, singular = _eigenvalues(surface.gram_xy, path[:-1])
        if singular.any():
            j = int(np.argmax(singular))
            notes.append(
                f"JᵀJ was singular at step {j} (the Jacobian lost rank): {info.label} took no step "
                "along that direction; LM's damping would"
            )
    return tuple(notes)


def _point_kind(surface: Surface, point: np.ndarray) -> str:
    """'minimum', 'saddle', 'maximum' or 'degenerate': the Hessian's verdict at `point` (2,).

    A point whose loss is L* (to round-off) is a minimum whatever the signs: on a curve of minima
    ((x^2 + y^2 - 1)^2) the Hessian's zero eigenvalue comes out a hair negative where a run stops.
    """
    with np.errstate(all="ignore"):
        loss = float(np.asarray(surface.value(np.asarray(point, dtype=float))))
        a, h, c = (float(v) for v in surface.hessian_xy(np.float64(point[0]), np.float64(point[1])))
    min_value = surface.min_value
    if min_value is not None and loss - min_value <= AT_MINIMUM * (1.0 + abs(min_value)):
        return "minimum"
    if not np.isfinite([a, h, c]).all():
        return "degenerate"
    return str(stationary_point_kind(np.array([[a, h], [h, c]])))


def _eigenvalues(entries_xy: Any, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lam1, lam2, singular) of the symmetric matrices that `entries_xy` (hessian_xy or
    gram_xy) gives at points (..., 2), each of shape (...)."""
    x, y = split_xy(points)
    lam1, lam2, _, _ = sym_eig2(*np.broadcast_arrays(*entries_xy(x, y), x)[:3])
    return lam1, lam2, np.abs(lam2) <= zero_cutoff(lam1, lam2)
