"""What a registry record holds (`OptimizerInfo`) and the small types it is made of: the kinds of
method, `Record` (a per-step quantity the engine keeps), `LrLimit` (a step-size limit on a
quadratic) and `Support` (how a method fits a surface); and the helpers the records are
written with (the shared hyperparameters, state records). The records themselves are in
optimizers/registry.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from optimizers import inspection as ins
from optimizers.first_order import Optimizer, Rule, per_coordinate
from optimizers.second_order import DenseStep
from params import Param

# The kinds of method. A first-order rule runs everywhere (the explorer, the batched trainer, the
# rules API) and takes minibatches; the others need the whole loss: no minibatches.
FIRST_ORDER = "first_order"  # a `Rule` of g alone, for a parameter of any shape
SECOND_ORDER = "second_order"  # solves with curvature (H or JᵀJ); trains the polynomial (dense_step)
LINE_SEARCH = "line_search"  # evaluates the loss along a direction (the explorer only)
KINDS = (FIRST_ORDER, SECOND_ORDER, LINE_SEARCH)


@dataclass(frozen=True)
class Support:
    """How an optimizer fits a surface (see `OptimizerInfo.supports`)."""

    runs: bool  # False: it cannot run on this surface
    reason: str = ""  # why not, for a person (run_batch raises ValueError with this text)
    full_batch: bool = False  # it ignores batch_size: it needs the exact gradient and curvature
    notes: tuple[str, ...] = ()  # what it meets on this surface, for a person


class Record(NamedTuple):
    """A per-step quantity the engine reads from the state after each iteration (the runner keeps
    them as `BatchResult.records` / `Trajectory.records`, one (steps,) column each)."""

    name: str
    read: Callable[[Any], Any]
    with_paths: bool = False  # kept whenever the paths are (cheap, and pages need it); else on request


@dataclass(frozen=True)
class LrLimit:
    """A first-order method's step-size limit on a quadratic (optimizers/theory.py).

    On one eigen-direction with curvature lam, h = lr * lam and beta = the `beta` hyperparameter
    (0 without one), the iteration's characteristic polynomial is z^2 - T z + D with

        heavy ball   T = 1 + beta - h,              D = beta        (beta = 0: gradient descent)
        look-ahead   T = 1 + beta - h (1 + beta),   D = beta (1 - h)   (Nesterov, torch's form)

    stable iff every root lies inside the unit circle, i.e. lr < `formula`.
    """

    formula: str  # the limit, shown next to the lr slider and on the search chart
    explanation: str  # why, in one sentence for a person
    beta: str | None = None  # the hyperparameter that is beta
    look_ahead: bool = False  # Nesterov's recursion instead of heavy ball's
    optimum: str | None = None  # "lr": gradient descent's optimal lr; "lr_beta": heavy ball's pair


@dataclass(frozen=True)
class OptimizerInfo:
    """Everything the app knows about an optimizer outside its update rule (see the module docstring)."""

    name: str
    label: str
    description: str
    factory: Callable[..., Rule | Optimizer]  # a Rule (first-order, any shape) or an engine Optimizer
    hyper: tuple[Param, ...]
    needs: str  # "grad", "loss" (grad and loss values: a line search), "hessian" or "residuals"
    formula: str  # LaTeX in the lecture's notation; lines separated by \\
    kind: str  # FIRST_ORDER, SECOND_ORDER or LINE_SEARCH
    color: str  # #rrggbb on every chart
    inspector: ins.Inspector
    # The matrix a second-order method solves with, which the runner's notes inspect along the
    # path: "hessian" (H), "gram" (J^T J, undamped), or None.
    curvature: str | None = None
    records: tuple[Record, ...] = ()
    lr_limit: LrLimit | None = None
    dense_step: DenseStep | None = None  # second-order: the trainer's step on n parameters
    # One or two sentences in the lecture's words (the explorer's "update rules" view).
    lecture: str = ""

    @property
    def full_batch_only(self) -> bool:
        """Second-order methods and line searches need the whole loss: no minibatches."""
        return self.kind != FIRST_ORDER

    @property
    def record_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.records)

    def defaults(self) -> dict[str, Any]:
        """Each hyperparameter's default value."""
        return {p.name: p.default for p in self.hyper}

    def supports(self, surface: Any) -> Support:
        """Whether this optimizer runs on `surface`, whether it ignores minibatches there, and
        what it meets there (Newton on a surface without a minimum heads for its saddle)."""
        if self.needs == "residuals" and not surface.has_residuals:
            return Support(
                False,
                f"{self.label} needs a loss that is a sum of squared residuals (it uses their "
                f"Jacobian J); the {surface.name} surface is not one. Try Newton, or a least-squares "
                "surface.",
            )
        notes = ()
        if self.curvature == "hessian" and surface.min_value is None:
            notes = (
                f"{self.label} solves H·δ = −∇L. On the saddle H has a negative eigenvalue, so the "
                "step heads for the stationary point, the saddle itself, instead of downhill.",
            )
        return Support(True, full_batch=self.full_batch_only, notes=notes)

    def optimizer(self, **hyper: Any) -> Optimizer:
        """The explorer engine's update rule with these (validated) hyperparameters, lr excluded."""
        built = self.factory(**hyper)
        return per_coordinate(built) if isinstance(built, Rule) else built


# ---- helpers the records are written with ----


def lr_param(default: float, low: float = 1e-4, high: float = 1.0) -> Param:
    return Param(
        "lr",
        "learning rate α",
        default,
        low,
        high,
        log=True,
        minimum=0.0,
        exclusive_min=True,
        help="Step size α: too small crawls, too large diverges.",
    )


def beta_param(name: str, label: str, default: float, low: float, high: float, what: str) -> Param:
    return Param(name, label, default, low, high, minimum=0.0, maximum=1.0, exclusive_max=True, help=what)


EPS = Param(
    "eps",
    "ε",
    1e-8,
    1e-10,
    1e-1,
    log=True,
    minimum=0.0,
    help="Added to the root in the denominator so that it never divides by zero.",
)
STEP_SCALE = Param(
    "lr",
    "step scale α",
    1.0,
    0.05,
    1.5,
    minimum=0.0,
    exclusive_min=True,
    help="1 is the pure method; smaller values damp the step.",
)


def state_records(*fields: str) -> tuple[Record, ...]:
    """Records of a first-order method's state after each iteration (for the step inspector): for
    each named state field ('v', 's', 'm'), its x and y coordinates as '<field>_x', '<field>_y'.
    The engine's state is one rule state per coordinate (`first_order.per_coordinate`)."""
    return tuple(
        Record(f"{name}_{axis}", lambda state, name=name, i=i: getattr(state[i], name))
        for name in fields
        for i, axis in enumerate("xy")
    )


def state_columns(*fields: str) -> tuple[str, ...]:
    """The columns of `state_records(*fields)`."""
    return tuple(f"{name}_{axis}" for name in fields for axis in "xy")
