"""The optimizers the app offers: labels, hyperparameters with slider ranges, update rules, and
what each needs of a surface (`OptimizerInfo.supports`), decided here once for the runner, the
pages and the sweeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizers import first_order, quasi_newton, second_order
from optimizers.first_order import Optimizer, Rule, per_coordinate
from params import Param


@dataclass(frozen=True)
class Support:
    """How an optimizer fits a surface (see `OptimizerInfo.supports`)."""

    runs: bool  # False: it cannot run on this surface
    reason: str = ""  # why not, for a person (run_batch raises ValueError with this text)
    full_batch: bool = False  # it ignores batch_size: it needs the exact gradient and curvature
    notes: tuple[str, ...] = ()  # what it meets on this surface, for a person


@dataclass(frozen=True)
class OptimizerInfo:
    """What the app shows about an optimizer, and how to build its update rule."""

    name: str
    label: str
    description: str
    factory: Callable[..., Rule | Optimizer]  # a Rule (first-order, any shape) or an engine Optimizer
    hyper: tuple[Param, ...]
    needs: str  # "grad", "loss" (grad and loss values: a line search), "hessian" or "residuals"
    formula: str  # LaTeX in the lecture's notation; lines separated by \\
    # The matrix a second-order method solves with, which the runner's notes inspect along the
    # path: "hessian" (H), "gram" (J^T J, undamped), or None.
    curvature: str | None = None
    # Reads a per-step quantity worth recording from the state (LM's damping lambda), or None.
    damping: Callable[[Any], Any] | None = None
    # More per-step quantities to record (L-BFGS's line search), read from the state after each
    # iteration: (column name, reader) pairs; the runner keeps them as BatchResult.records.
    records: tuple[tuple[str, Callable[[Any], Any]], ...] = ()

    @property
    def full_batch_only(self) -> bool:
        """Second-order methods need the whole loss's gradient and curvature: no minibatches."""
        return self.needs != "grad"

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


def _state_records(*fields: str) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Records of a first-order method's state after each iteration (for the step inspector): for
    each named state field ('v', 's', 'm'), its x and y coordinates as '<field>_x', '<field>_y'.
    The engine's state is one rule state per coordinate (`first_order.per_coordinate`)."""
    return tuple(
        (f"{name}_{axis}", lambda state, name=name, i=i: getattr(state[i], name))
        for name in fields
        for i, axis in enumerate("xy")
    )


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
            records=_state_records("v"),
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
            records=_state_records("s"),
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
            records=_state_records("m", "v"),
        ),
        OptimizerInfo(
            "newton",
            "Newton",
            "Uses the curvature: jumps to the minimum of the local quadratic model (no learning rate).",
            second_order.newton,
            (_STEP,),
            "hessian",
            r"\theta_{k+1} = \theta_k - \alpha\,H^{-1}\,\nabla_\theta L(\theta_k)",
            curvature="hessian",
        ),
        OptimizerInfo(
            "gauss_newton",
            "Gauss-Newton",
            "For sums of squares: approximates the Hessian by 2JᵀJ, needing first derivatives only.",
            second_order.gauss_newton,
            (_STEP,),
            "residuals",
            r"\theta_{k+1} = \theta_k - \alpha\,(J^\top J)^{-1} J^\top r",
            curvature="gram",
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
            damping=lambda state: state.lam,
            # lambda_k as iteration k used it (lambda_0 first) and whether its trial was accepted.
            records=(("damping_used", lambda state: state.used), ("accepted", lambda state: state.accepted)),
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
            records=_state_records("v"),
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
            records=_state_records("s"),
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
            records=quasi_newton.RECORDS,
        ),
    )
}


def first_order_rule(name: str, **hyper: Any) -> Rule:
    """The `Rule` of first-order method `name`, for a parameter of any shape.

    Hyperparameters not given take the registry's defaults; each is a float or an array that
    broadcasts against theta, checked against the registry's valid range. lr is not one of them:
    it is passed to `Rule.step`. Bad input raises ValueError saying what is allowed.

        >>> rule = first_order_rule("adam", beta1=0.8)
        >>> state = rule.init(theta)                      # theta of any shape, e.g. (B, P)
        >>> theta, state = rule.step(theta, g, state, lr)  # lr a float or e.g. (B, 1)
    """
    first = [n for n, info in OPTIMIZERS.items() if not info.full_batch_only]
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
