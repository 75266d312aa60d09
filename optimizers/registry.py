"""The optimizers the app offers, one record each (`OptimizerInfo`): everything the app knows about
a method outside its update rule is declared here once, and every page, figure, test and the
trainer reads it from here (none branches on an optimizer's name).

A record says: its label, description and formula; its hyperparameters with slider ranges; its
kind (a first-order `Rule`, a second-order solver, or a line search), and from that where it runs
and whether it takes minibatches; what it needs of a surface (`supports`); the per-step
quantities the engine records (`records`, LM's damping λ included); what the step inspector shows
(`inspector`, see optimizers/inspection.py); its step-size limit on a quadratic (`lr_limit`, see
optimizers/theory.py); its full-batch step for the trainer's polynomial (`dense_step`); its colour.
Name sets (`names_of(FIRST_ORDER)`, ...) are derived from the records, never written out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from optimizers import first_order, quasi_newton, second_order
from optimizers import inspection as ins
from optimizers.first_order import Optimizer, Rule, per_coordinate
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


class DenseProblem(NamedTuple):
    """What a full-batch step for the trainer's polynomial least squares may use (n parameters)."""

    loss: float
    g: np.ndarray  # (n,) gradient
    J: np.ndarray  # (m, n) residuals' Jacobian (constant: the residuals are linear in theta)
    H: np.ndarray  # (n, n) Hessian 2 JᵀJ
    value: Callable[[np.ndarray], float]  # the loss at another theta (LM judges its trial)


# (theta, state, problem, lr, hyper) -> (theta, state); state starts as None.
DenseStep = Callable[[np.ndarray, Any, DenseProblem, float, dict[str, Any]], tuple[np.ndarray, Any]]


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


def _lr(default: float, low: float = 1e-4, high: float = 1.0) -> Param:
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


def _beta(name: str, label: str, default: float, low: float, high: float, what: str) -> Param:
    return Param(name, label, default, low, high, minimum=0.0, maximum=1.0, exclusive_max=True, help=what)


_EPS = Param(
    "eps",
    "ε",
    1e-8,
    1e-10,
    1e-1,
    log=True,
    minimum=0.0,
    help="Added to the root in the denominator so that it never divides by zero.",
)
_STEP = Param(
    "lr",
    "step scale α",
    1.0,
    0.05,
    1.5,
    minimum=0.0,
    exclusive_min=True,
    help="1 is the pure method; smaller values damp the step.",
)


def _state_records(*fields: str) -> tuple[Record, ...]:
    """Records of a first-order method's state after each iteration (for the step inspector): for
    each named state field ('v', 's', 'm'), its x and y coordinates as '<field>_x', '<field>_y'.
    The engine's state is one rule state per coordinate (`first_order.per_coordinate`)."""
    return tuple(
        Record(f"{name}_{axis}", lambda state, name=name, i=i: getattr(state[i], name))
        for name in fields
        for i, axis in enumerate("xy")
    )


def _state(*fields: str) -> tuple[str, ...]:
    """The columns of `_state_records(*fields)`."""
    return tuple(f"{name}_{axis}" for name in fields for axis in "xy")


def _adam_columns(s: ins.Steps) -> dict[str, np.ndarray]:
    """Adam's bias-corrected moments and per-coordinate scale after iteration k (count t = k + 1)."""
    t = np.arange(1, s.n + 1, dtype=float)
    b1, b2, eps = s.number("beta1"), s.number("beta2"), s.number("eps")
    out: dict[str, np.ndarray] = {}
    for axis in "xy":
        out[f"mhat_{axis}"] = s.columns[f"m_{axis}"] / (1.0 - b1**t)
        out[f"vhat_{axis}"] = s.columns[f"v_{axis}"] / (1.0 - b2**t)
        out[f"scale_{axis}"] = 1.0 / (np.sqrt(out[f"vhat_{axis}"]) + eps)
    return out


def _lm_columns(s: ins.Steps) -> dict[str, np.ndarray]:
    """LM's λ as iteration k used it, and whether its trial was accepted (from the records)."""
    return {"lam": s.record("damping_used"), "accepted": s.record("accepted")}


def _newton_dense(theta, state, problem: DenseProblem, lr, hyper):
    return second_order.newton_nd(theta, problem.g, problem.H, lr), state


def _gauss_newton_dense(theta, state, problem: DenseProblem, lr, hyper):
    return second_order.gauss_newton_nd(theta, problem.g, problem.J, lr), state


def _lm_dense(theta, lam, problem: DenseProblem, lr, hyper):
    """LM's step; its state is λ (the damping after the step), starting at the `damping` given."""
    lam = hyper["damping"] if lam is None else lam
    theta, lam, _ = second_order.lm_nd(
        theta, problem.loss, problem.g, problem.J, problem.value, lam, hyper["scaling"], lr
    )
    return theta, lam


_ALPHA = ("α_k (after the schedule)", "lr")
_SCALE = ("step scale α_k", "lr")
_GRADIENT_STEP = ins.Arrow("neg_grad", "−α_k g (gradient step)", ins.BLUE, ins.gradient_step)
_ROOT_SCALED = ins.Inspector(
    table=(_ALPHA, ("s_{k+1}", ("s_x", "s_y")), ("1/(√s + ε)", ("scale_x", "scale_y"))),
    state=_state("s"),
    columns=ins.root_scaling("s"),
    arrows=(ins.Arrow("before", "before ÷(√s + ε): −α_k g", ins.BLUE, ins.gradient_step),),
)
GD_LIMIT = LrLimit(
    "2/λ_max",
    "Gradient descent multiplies the error along each eigenvector by 1 − αλ; it shrinks only while "
    "|1 − αλ| < 1, i.e. α < 2/λ.",
    optimum="lr",
)
LM_CURVE_POINTS = 25  # damping values on each LM step curve delta(lambda)
INSPECTOR_MAX_LM_STEPS = 200  # LM steps with a curve (the payload grows by 800 bytes a step)


OPTIMIZERS: dict[str, OptimizerInfo] = {
    info.name: info
    for info in (
        OptimizerInfo(
            "sgd",
            "SGD",
            "Plain (stochastic) gradient descent: step downhill by α times the gradient.",
            first_order.sgd,
            (_lr(0.01),),
            "grad",
            r"\theta_{k+1} = \theta_k - \alpha\,\nabla_\theta L(\theta_k)",
            kind=FIRST_ORDER,
            color="#E69F00",  # Okabe-Ito orange
            inspector=ins.Inspector(table=(_ALPHA,), arrows=(_GRADIENT_STEP,)),
            lr_limit=GD_LIMIT,
        ),
        OptimizerInfo(
            "momentum",
            "Momentum",
            "Accumulates a velocity of past gradients: fast along a consistent slope, damped across it.",
            first_order.momentum,
            (
                _lr(0.01),
                _beta(
                    "momentum",
                    "momentum β",
                    0.9,
                    0.0,
                    0.99,
                    "Accumulation rate ('friction') of the velocity, often 0.9.",
                ),
            ),
            "grad",
            r"v_{k+1} = \beta\,v_k + \nabla_\theta L(\theta_k) \\ \theta_{k+1} = \theta_k - \alpha\,v_{k+1}",
            kind=FIRST_ORDER,
            color="#56B4E9",  # Okabe-Ito sky blue
            records=_state_records("v"),
            inspector=ins.Inspector(
                table=(_ALPHA, ("v_{k+1}", ("v_x", "v_y"))),
                state=_state("v"),
                arrows=(
                    _GRADIENT_STEP,
                    ins.Arrow("velocity", "−α_k v_{k+1} (velocity)", ins.PURPLE, ins.scaled("v")),
                ),
            ),
            lr_limit=LrLimit(
                "2(1+β)/λ_max",
                "Heavy ball's error along each eigenvector follows z² − (1 + β − αλ) z + β; both "
                "roots stay inside the unit circle while α < 2(1 + β)/λ.",
                beta="momentum",
                optimum="lr_beta",
            ),
        ),
        OptimizerInfo(
            "rmsprop",
            "RMSProp",
            "Divides each gradient component by the root of its running mean square.",
            first_order.rmsprop,
            (
                _lr(0.01),
                _beta(
                    "beta",
                    "decay β",
                    0.9,
                    0.0,
                    0.999,
                    "How long the running mean of g² remembers, often 0.9.",
                ),
                _EPS,
            ),
            "grad",
            r"s_{k+1} = \beta\,s_k + (1-\beta)\,g\circ g \\ "
            r"\theta_{k+1} = \theta_k - \alpha\,\frac{g}{\sqrt{s_{k+1}} + \epsilon}",
            kind=FIRST_ORDER,
            color="#009E73",  # Okabe-Ito bluish green
            records=_state_records("s"),
            inspector=_ROOT_SCALED,
        ),
        OptimizerInfo(
            "adam",
            "Adam",
            "Momentum plus RMSProp, with both moments bias-corrected.",
            first_order.adam,
            (
                _lr(0.1),
                _beta("beta1", "β₁ (first moment)", 0.9, 0.0, 0.999, "Decay of the mean of gradients."),
                _beta("beta2", "β₂ (second moment)", 0.999, 0.5, 0.9999, "Decay of the mean of g²."),
                _EPS,
            ),
            "grad",
            r"m_{k+1} = \beta_1 m_k + (1-\beta_1)\,g,\quad v_{k+1} = \beta_2 v_k + (1-\beta_2)\,g\circ g \\ "
            r"\hat m_{k+1} = \frac{m_{k+1}}{1-\beta_1^{k+1}},\quad "
            r"\hat v_{k+1} = \frac{v_{k+1}}{1-\beta_2^{k+1}} \\ "
            r"\theta_{k+1} = \theta_k - \alpha\,\frac{\hat m_{k+1}}{\sqrt{\hat v_{k+1}} + \epsilon}",
            kind=FIRST_ORDER,
            color="#D55E00",  # Okabe-Ito vermillion
            records=_state_records("m", "v"),
            inspector=ins.Inspector(
                table=(
                    _ALPHA,
                    ("m_{k+1}", ("m_x", "m_y")),
                    ("v_{k+1}", ("v_x", "v_y")),
                    ("m̂", ("mhat_x", "mhat_y")),
                    ("v̂", ("vhat_x", "vhat_y")),
                    ("1/(√v̂ + ε)", ("scale_x", "scale_y")),
                ),
                state=_state("m", "v"),
                columns=_adam_columns,
                arrows=(
                    _GRADIENT_STEP,
                    ins.Arrow("before", "before ÷(√v̂ + ε): −α_k m̂", ins.PURPLE, ins.scaled("mhat")),
                ),
            ),
        ),
        OptimizerInfo(
            "newton",
            "Newton",
            "Uses the curvature: jumps to the minimum of the local quadratic model (no learning rate).",
            second_order.newton,
            (_STEP,),
            "hessian",
            r"\theta_{k+1} = \theta_k - \alpha\,H^{-1}\,\nabla_\theta L(\theta_k)",
            kind=SECOND_ORDER,
            color="#CC79A7",  # Okabe-Ito reddish purple
            curvature="hessian",
            inspector=ins.Inspector(
                table=(_SCALE,),
                arrows=(
                    ins.Arrow(
                        "neg_grad",
                        "−g (direction, as long as Newton's)",
                        ins.BLUE,
                        ins.as_long_as(ins.minus_grad, ins.newton_direction),
                    ),
                    ins.Arrow("newton", "−H⁻¹g (Newton direction)", ins.RED, ins.newton_direction),
                ),
            ),
            dense_step=_newton_dense,
        ),
        OptimizerInfo(
            "gauss_newton",
            "Gauss-Newton",
            "For sums of squares: approximates the Hessian by 2JᵀJ, needing first derivatives only.",
            second_order.gauss_newton,
            (_STEP,),
            "residuals",
            r"\theta_{k+1} = \theta_k - \alpha\,(J^\top J)^{-1} J^\top r",
            kind=SECOND_ORDER,
            color="#0072B2",  # Okabe-Ito blue
            curvature="gram",
            inspector=ins.Inspector(
                table=(_SCALE,),
                arrows=(
                    ins.Arrow(
                        "neg_grad",
                        "−g (direction, as long as Gauss-Newton's)",
                        ins.BLUE,
                        ins.as_long_as(ins.minus_grad, ins.gauss_newton_direction),
                    ),
                    ins.Arrow(
                        "gauss_newton", "−(JᵀJ)⁻¹Jᵀr (Gauss-Newton)", ins.RED, ins.gauss_newton_direction
                    ),
                ),
            ),
            dense_step=_gauss_newton_dense,
        ),
        OptimizerInfo(
            "lm",
            "Levenberg-Marquardt",
            "Damped Gauss-Newton: large λ behaves like gradient descent, small λ like Gauss-Newton.",
            second_order.lm,
            (
                Param(
                    "damping",
                    "initial damping λ",
                    1e-3,
                    1e-6,
                    1e3,
                    log=True,
                    minimum=0.0,
                    exclusive_min=True,
                    help="λ₀; divided by 10 after a step that lowers the loss, "
                    "multiplied by 10 otherwise (a rejected trial stays in place and counts as a step).",
                ),
                Param(
                    "scaling",
                    "damping matrix D",
                    "levenberg",
                    choices=("levenberg", "marquardt"),
                    help="Levenberg: D = I. Marquardt: D = diag(JᵀJ), "
                    "scaling each direction by its curvature.",
                ),
            ),
            "residuals",
            r"(J^\top J + \lambda D)\,\delta = -J^\top r,\quad "
            r"D = I \ \text{or}\ \operatorname{diag}(J^\top J) \\ "
            r"\theta_{k+1} = \theta_k + \delta \ \text{if}\ L \text{ falls} "
            r"\ (\lambda \leftarrow \lambda/10),"
            r"\ \text{else}\ \theta_{k+1} = \theta_k \ (\lambda \leftarrow 10\lambda)",
            kind=SECOND_ORDER,
            color="#000000",  # Okabe-Ito black
            # lambda: the damping after iteration k (for the next one); damping_used: lambda_k as
            # iteration k used it (lambda_0 first); accepted: whether its trial lowered the loss.
            records=(
                Record("lambda", lambda state: state.lam, with_paths=True),
                Record("damping_used", lambda state: state.used),
                Record("accepted", lambda state: state.accepted),
            ),
            inspector=ins.Inspector(
                table=(("λ tried at step k", "lam"), ("accepted (1) / rejected (0)", "accepted")),
                columns=_lm_columns,
                arrows=(ins.Arrow("trial", "δ(λ_k), the trial step", ins.RED, ins.lm_trial),),
                markers=(
                    ins.Marker(
                        "trial_accepted",
                        "accepted",
                        {
                            "symbol": "circle",
                            "size": 13,
                            "color": "#16a34a",
                            "line": {"color": "white", "width": 1},
                        },
                        "λ = {lam}: accepted",
                        ins.per_step(ins.trial_where(1.0)),
                    ),
                    ins.Marker(
                        "trial_rejected",
                        "rejected",
                        {"symbol": "x", "size": 13, "color": ins.RED, "line": {"color": "white", "width": 1}},
                        "λ = {lam}: rejected",
                        ins.per_step(ins.trial_where(0.0)),
                    ),
                ),
                curves=ins.Curves(
                    (
                        ("Levenberg (D = I)", "#ea580c", "solid"),
                        ("Marquardt (D = diag JᵀJ)", "#0891b2", "dash"),
                    ),
                    LM_CURVE_POINTS,
                    INSPECTOR_MAX_LM_STEPS,
                    ins.lm_curves(LM_CURVE_POINTS),
                ),
                legend="δ(λ): Levenberg (orange), Marquardt (dashed); ● accepted, ✕ rejected",
            ),
            dense_step=_lm_dense,
        ),
        OptimizerInfo(
            "nesterov",
            "Nesterov",
            "Momentum that looks ahead: the step adds β times the new velocity to the gradient "
            "(torch's SGD with nesterov=True), braking earlier than plain momentum.",
            first_order.nesterov,
            (
                _lr(0.01),
                Param(
                    "momentum",
                    "momentum β",
                    0.9,
                    0.01,
                    0.99,
                    minimum=0.0,
                    maximum=1.0,
                    exclusive_min=True,
                    exclusive_max=True,
                    help="Accumulation rate of the velocity, in (0, 1) as torch requires; often 0.9.",
                ),
            ),
            "grad",
            r"v_{k+1} = \beta\,v_k + \nabla_\theta L(\theta_k) \\ "
            r"\theta_{k+1} = \theta_k - \alpha\,\big(\nabla_\theta L(\theta_k) + \beta\,v_{k+1}\big)",
            kind=FIRST_ORDER,
            color="#332288",  # Paul Tol's muted indigo: Okabe-Ito has no more colours that read on white
            records=_state_records("v"),
            inspector=ins.Inspector(
                table=(_ALPHA, ("v_{k+1}", ("v_x", "v_y"))),
                state=_state("v"),
                arrows=(
                    _GRADIENT_STEP,
                    ins.Arrow(
                        "velocity", "−α_k β v_{k+1} (look-ahead)", ins.PURPLE, ins.scaled("v", "momentum")
                    ),
                ),
            ),
            lr_limit=LrLimit(
                "2(1+β)/((1+2β)λ_max)",
                "Nesterov's error along each eigenvector follows z² − (1 + β)(1 − αλ) z + β(1 − αλ); "
                "both roots stay inside the unit circle while α < 2(1 + β)/((1 + 2β)λ).",
                beta="momentum",
                look_ahead=True,
            ),
        ),
        OptimizerInfo(
            "adagrad",
            "AdaGrad",
            "Divides each gradient component by the root of the sum of all its past squares: "
            "steep directions slow down at once, and every step shrinks over time.",
            first_order.adagrad,
            (
                _lr(0.1),
                Param(
                    "eps",
                    "ε",
                    1e-10,
                    1e-12,
                    1e-1,
                    log=True,
                    minimum=0.0,
                    help="Added to the root in the denominator so that it never divides by zero.",
                ),
            ),
            "grad",
            r"s_{k+1} = s_k + g\circ g \\ "
            r"\theta_{k+1} = \theta_k - \alpha\,\frac{g}{\sqrt{s_{k+1}} + \epsilon}",
            kind=FIRST_ORDER,
            color="#999933",  # Paul Tol's muted olive
            records=_state_records("s"),
            inspector=_ROOT_SCALED,
        ),
        OptimizerInfo(
            "lbfgs",
            "L-BFGS",
            "Quasi-Newton: like BFGS it approximates the inverse Hessian from the steps taken and "
            "the gradient changes they caused, but from the last m only; a backtracking line search "
            "makes every step lower the loss.",
            quasi_newton.lbfgs,
            (
                Param(
                    "lr",
                    "first trial step α",
                    1.0,
                    0.05,
                    2.0,
                    minimum=0.0,
                    exclusive_min=True,
                    help="The line search tries t = α first, then halves it until the loss falls "
                    "enough (on the first iteration it starts at min(1, 1/‖g‖₁)·α).",
                ),
                Param(
                    "history",
                    "memory m",
                    10,
                    1,
                    50,
                    integer=True,
                    minimum=1,
                    maximum=50,
                    help="How many recent (step, gradient change) pairs approximate the curvature.",
                ),
            ),
            "loss",
            r"d_k = -H_k\,\nabla_\theta L(\theta_k),\quad H_k \approx (\nabla^2 L)^{-1} "
            r"\text{ from the last } m \text{ pairs } s_i = \theta_{i+1} - \theta_i,\ "
            r"y_i = \nabla L(\theta_{i+1}) - \nabla L(\theta_i) \\ "
            r"\theta_{k+1} = \theta_k + t\,d_k,\quad t = \alpha\,2^{-j} \text{ for the first } j "
            r"\text{ with } L(\theta_k + t\,d_k) \le L(\theta_k) + 10^{-4}\,t\,\nabla L^\top d_k",
            kind=LINE_SEARCH,
            color="#882255",  # Paul Tol's muted wine
            records=tuple(Record(name, read) for name, read in quasi_newton.RECORDS),
            inspector=ins.Inspector(
                table=(
                    ("d_k", ("d_x", "d_y")),
                    ("t₀ → t accepted", ("t0", "t")),
                    ("loss evaluations", "loss_evals"),
                ),
                state=("d_x", "d_y", "t0", "t", "loss_evals", "memory_reset"),
                arrows=(
                    ins.Arrow(
                        "neg_grad",
                        "−g (direction, as long as the first trial)",
                        ins.BLUE,
                        ins.as_long_as(ins.minus_grad, ins.first_trial),
                    ),
                    ins.Arrow(
                        "direction", "t₀ d (quasi-Newton direction, first trial)", ins.RED, ins.first_trial
                    ),
                ),
                markers=(
                    ins.Marker(
                        "trials",
                        "line-search trials",
                        {"symbol": "x", "size": 9, "color": ins.RED},
                        "line-search trial",
                        ins.per_step(ins.line_search_points),
                    ),
                ),
                legend="✕ line-search trials",
            ),
        ),
    )
}


def names_of(kind: str) -> tuple[str, ...]:
    """The registry's optimizers of `kind` (FIRST_ORDER, SECOND_ORDER or LINE_SEARCH), in order."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    return tuple(name for name, info in OPTIMIZERS.items() if info.kind == kind)


LIMIT_FORMULAS = {name: info.lr_limit.formula for name, info in OPTIMIZERS.items() if info.lr_limit}


def first_order_rule(name: str, **hyper: Any) -> Rule:
    """The `Rule` of first-order method `name`, for a parameter of any shape.

    Hyperparameters not given take the registry's defaults; each is a float or an array that
    broadcasts against theta, checked against the registry's valid range. lr is not one of them:
    it is passed to `Rule.step`. Bad input raises ValueError saying what is allowed.

        >>> rule = first_order_rule("adam", beta1=0.8)
        >>> state = rule.init(theta)                      # theta of any shape, e.g. (B, P)
        >>> theta, state = rule.step(theta, g, state, lr)  # lr a float or e.g. (B, 1)
    """
    first = names_of(FIRST_ORDER)
    if name not in first:
        raise ValueError(f"unknown first-order optimizer {name!r}; valid: {', '.join(first)}")
    specs = {p.name: p for p in OPTIMIZERS[name].hyper if p.name != "lr"}
    if "lr" in hyper:
        raise ValueError("lr is not a hyperparameter of the rule: pass it to rule.step(theta, g, state, lr)")
    unknown = sorted(set(hyper) - set(specs))
    if unknown:
        raise ValueError(
            f"unknown hyperparameter(s) for {name}: {', '.join(unknown)}; valid: {', '.join(specs) or 'none'}"
        )
    values = {}
    for key, spec in specs.items():
        value = hyper.get(key, spec.default)
        if np.ndim(value) == 0:
            values[key] = spec.validate(value.item() if isinstance(value, np.ndarray) else value)
        else:
            values[key] = spec.validate_array(value)
    rule = OPTIMIZERS[name].factory(**values)
    assert isinstance(rule, Rule)
    return rule
