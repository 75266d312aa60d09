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

from typing import Any

import numpy as np

from optimizers import first_order, quasi_newton, second_order
from optimizers import inspection as ins
from optimizers.first_order import Rule
from optimizers.info import (  # noqa: F401  (re-exported: the registry's vocabulary)
    EPS,
    FIRST_ORDER,
    KINDS,
    LINE_SEARCH,
    SECOND_ORDER,
    STEP_SCALE,
    LrLimit,
    OptimizerInfo,
    Record,
    Support,
    beta_param,
    lr_param,
    state_columns,
    state_records,
)
from optimizers.second_order import DenseProblem  # noqa: F401  (re-exported for the trainer)
from params import Param

_ALPHA = ("α_k (after the schedule)", "lr")
_SCALE = ("step scale α_k", "lr")
_GRADIENTSTEP_SCALE = ins.Arrow("neg_grad", "−α_k g (gradient step)", ins.BLUE, ins.gradient_step)
_ROOT_SCALED = ins.Inspector(
    table=(_ALPHA, ("s_{k+1}", ("s_x", "s_y")), ("1/(√s + ε)", ("scale_x", "scale_y"))),
    state=state_columns("s"),
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
INSPECTOR_MAX_LMSTEP_SCALES = 200  # LM steps with a curve (the payload grows by 800 bytes a step)


OPTIMIZERS: dict[str, OptimizerInfo] = {
    info.name: info
    for info in (
        OptimizerInfo(
            "sgd",
            "SGD",
            "Plain (stochastic) gradient descent: step downhill by α times the gradient.",
            first_order.sgd,
            (lr_param(0.01),),
            "grad",
            r"\theta_{k+1} = \theta_k - \alpha\,\nabla_\theta L(\theta_k)",
            kind=FIRST_ORDER,
            lecture="Step against the gradient, scaled by the learning rate α. With minibatches the "
            "gradient is the average over the m samples of the batch, so it is noisy.",
            color="#E69F00",  # Okabe-Ito orange
            inspector=ins.Inspector(table=(_ALPHA,), arrows=(_GRADIENTSTEP_SCALE,)),
            lr_limit=GD_LIMIT,
        ),
        OptimizerInfo(
            "momentum",
            "Momentum",
            "Accumulates a velocity of past gradients: fast along a consistent slope, damped across it.",
            first_order.momentum,
            (
                lr_param(0.01),
                beta_param(
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
            lecture="The velocity v accumulates gradients with rate β (the 'friction', often 0.9); "
            "the step is largest when a sequence of gradients all point in the same direction.",
            color="#56B4E9",  # Okabe-Ito sky blue
            records=state_records("v"),
            inspector=ins.Inspector(
                table=(_ALPHA, ("v_{k+1}", ("v_x", "v_y"))),
                state=state_columns("v"),
                arrows=(
                    _GRADIENTSTEP_SCALE,
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
            "Divides each gradient component by the root of its running mean square. The scaling is "
            "per coordinate: it evens out a valley that lines up with the axes, not a rotated one.",
            first_order.rmsprop,
            (
                lr_param(0.01),
                beta_param(
                    "beta",
                    "decay β",
                    0.9,
                    0.0,
                    0.999,
                    "How long the running mean of g² remembers, often 0.9.",
                ),
                EPS,
            ),
            "grad",
            r"s_{k+1} = \beta\,s_k + (1-\beta)\,g\circ g \\ "
            r"\theta_{k+1} = \theta_k - \alpha\,\frac{g}{\sqrt{s_{k+1}} + \epsilon}",
            kind=FIRST_ORDER,
            lecture="s tracks the uncentered variance of the gradients. Dividing by √s evens out the "
            "coordinates: in a valley along the axes it damps the oscillation across and speeds "
            "progress along it, so a larger α works; in a rotated valley it helps little.",
            color="#009E73",  # Okabe-Ito bluish green
            records=state_records("s"),
            inspector=_ROOT_SCALED,
        ),
        OptimizerInfo(
            "adam",
            "Adam",
            "Momentum plus RMSProp, with both moments bias-corrected.",
            first_order.adam,
            (
                lr_param(0.1),
                beta_param("beta1", "β₁ (first moment)", 0.9, 0.0, 0.999, "Decay of the mean of gradients."),
                beta_param("beta2", "β₂ (second moment)", 0.999, 0.5, 0.9999, "Decay of the mean of g²."),
                EPS,
                Param(
                    "bias_correction",
                    "bias correction",
                    "on",
                    choices=("on", "off"),
                    help="On: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), undoing the moments' start at 0. Off: "
                    "m̂ = m, v̂ = v. The first step is then (1 − β₁)/√(1 − β₂) times the corrected one: "
                    "about 3× larger at β₁ = 0.9, β₂ = 0.999, smaller only if β₂ < 1 − (1 − β₁)².",
                ),
            ),
            "grad",
            r"m_{k+1} = \beta_1 m_k + (1-\beta_1)\,g,\quad v_{k+1} = \beta_2 v_k + (1-\beta_2)\,g\circ g \\ "
            r"\hat m_{k+1} = \frac{m_{k+1}}{1-\beta_1^{k+1}},\quad "
            r"\hat v_{k+1} = \frac{v_{k+1}}{1-\beta_2^{k+1}}\ "
            r"\text{(bias correction; off: } \hat m = m,\ \hat v = v) \\ "
            r"\theta_{k+1} = \theta_k - \alpha\,\frac{\hat m_{k+1}}{\sqrt{\hat v_{k+1}} + \epsilon}",
            kind=FIRST_ORDER,
            lecture="Combines momentum (first moment m) and RMSProp (second moment v). Both start at "
            "zero, so they are bias-corrected (m̂, v̂) before the step.",
            color="#D55E00",  # Okabe-Ito vermillion
            records=state_records("m", "v"),
            inspector=ins.Inspector(
                table=(
                    _ALPHA,
                    ("m_{k+1}", ("m_x", "m_y")),
                    ("v_{k+1}", ("v_x", "v_y")),
                    ("m̂", ("mhat_x", "mhat_y")),
                    ("v̂", ("vhat_x", "vhat_y")),
                    ("1/(√v̂ + ε)", ("scale_x", "scale_y")),
                ),
                state=state_columns("m", "v"),
                columns=ins.bias_corrected_moments("v"),
                arrows=(
                    _GRADIENTSTEP_SCALE,
                    ins.Arrow("before", "before ÷(√v̂ + ε): −α_k m̂", ins.PURPLE, ins.scaled("mhat")),
                ),
            ),
        ),
        OptimizerInfo(
            "newton",
            "Newton",
            "Uses the curvature: jumps to the stationary point of the local quadratic model, which is "
            "its minimum only where the Hessian is positive definite (at a saddle or a maximum it "
            "heads there instead); no learning rate.",
            second_order.newton,
            (STEP_SCALE,),
            "hessian",
            r"\theta_{k+1} = \theta_k - \alpha\,H^{-1}\,\nabla_\theta L(\theta_k)",
            kind=SECOND_ORDER,
            lecture="Uses the curvature (the Hessian H) from the second-order Taylor expansion to take "
            "a more direct route: 'we got rid of the learning rate!'. On a quadratic loss, such as "
            "linear regression, one step lands exactly on the minimum; where H is not positive "
            "definite it heads for a saddle or a maximum instead.",
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
            dense_step=second_order.newton_dense,
        ),
        OptimizerInfo(
            "gauss_newton",
            "Gauss-Newton",
            "For sums of squares: approximates the Hessian by 2JᵀJ, needing first derivatives only.",
            second_order.gauss_newton,
            (STEP_SCALE,),
            "residuals",
            r"\theta_{k+1} = \theta_k - \alpha\,(J^\top J)^{-1} J^\top r",
            kind=SECOND_ORDER,
            lecture="For a loss that is a sum of squared residuals r, approximate the Hessian by "
            "2·JᵀJ: it needs only first derivatives of the residuals.",
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
            dense_step=second_order.gauss_newton_dense,
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
            lecture="A damped Gauss-Newton: λ is adjusted every iteration so that the loss decreases. "
            "Large λ behaves like gradient descent, small λ like Gauss-Newton; Marquardt's scaling "
            "uses diag(JᵀJ) instead of I.",
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
                columns=ins.lm_columns,
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
                        ins.trial_where(1.0),
                    ),
                    ins.Marker(
                        "trial_rejected",
                        "rejected",
                        {"symbol": "x", "size": 13, "color": ins.RED, "line": {"color": "white", "width": 1}},
                        "λ = {lam}: rejected",
                        ins.trial_where(0.0),
                    ),
                ),
                curves=ins.Curves(
                    (
                        ("Levenberg (D = I)", "#ea580c", "solid"),
                        ("Marquardt (D = diag JᵀJ)", "#0891b2", "dash"),
                    ),
                    LM_CURVE_POINTS,
                    INSPECTOR_MAX_LMSTEP_SCALES,
                    ins.lm_curves(LM_CURVE_POINTS),
                ),
                legend="δ(λ): Levenberg (orange), Marquardt (dashed); ● accepted, ✕ rejected",
            ),
            dense_step=second_order.lm_dense,
        ),
        OptimizerInfo(
            "nesterov",
            "Nesterov",
            "Momentum that looks ahead: the step adds β times the new velocity to the gradient "
            "(torch's SGD with nesterov=True), braking earlier than plain momentum.",
            first_order.nesterov,
            (
                lr_param(0.01),
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
            lecture="Momentum evaluated with a look-ahead: the step adds β times the new velocity to "
            "the gradient, so it brakes before an overshoot that plain momentum runs into.",
            color="#332288",  # Paul Tol's muted indigo: Okabe-Ito has no more colours that read on white
            records=state_records("v"),
            inspector=ins.Inspector(
                table=(_ALPHA, ("v_{k+1}", ("v_x", "v_y"))),
                state=state_columns("v"),
                arrows=(
                    _GRADIENTSTEP_SCALE,
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
                lr_param(0.1),
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
            lecture="Like RMSProp, but s sums all past squared gradients: each coordinate's step "
            "only shrinks, fast where the gradients were large.",
            color="#999933",  # Paul Tol's muted olive
            records=state_records("s"),
            inspector=_ROOT_SCALED,
        ),
        OptimizerInfo(
            "amsgrad",
            "AMSGrad",
            "Adam whose step sizes never grow back: it divides by the largest second moment so far "
            "(torch's Adam with amsgrad=True), Reddi, Kale & Kumar's fix for problems where Adam "
            "does not converge.",
            first_order.amsgrad,
            (
                lr_param(0.1),
                beta_param("beta1", "β₁ (first moment)", 0.9, 0.0, 0.999, "Decay of the mean of gradients."),
                beta_param("beta2", "β₂ (second moment)", 0.999, 0.5, 0.9999, "Decay of the mean of g²."),
                EPS,
            ),
            "grad",
            r"m_{k+1} = \beta_1 m_k + (1-\beta_1)\,g,\quad v_{k+1} = \beta_2 v_k + (1-\beta_2)\,g\circ g \\ "
            r"v^{\max}_{k+1} = \max(v^{\max}_k, v_{k+1}) \\ "
            r"\hat m_{k+1} = \frac{m_{k+1}}{1-\beta_1^{k+1}},\quad "
            r"\hat v_{k+1} = \frac{v^{\max}_{k+1}}{1-\beta_2^{k+1}} \\ "
            r"\theta_{k+1} = \theta_k - \alpha\,\frac{\hat m_{k+1}}{\sqrt{\hat v_{k+1}} + \epsilon}",
            kind=FIRST_ORDER,
            lecture="Adam with a memory of its largest second moment: the denominator never "
            "shrinks, so a run of small gradients cannot blow up the step (Reddi, Kale & Kumar, 2018).",
            color="#117733",  # Paul Tol's muted green
            records=state_records("m", "v", "v_max"),
            inspector=ins.Inspector(
                table=(
                    _ALPHA,
                    ("m_{k+1}", ("m_x", "m_y")),
                    ("v_{k+1}", ("v_x", "v_y")),
                    ("v^max_{k+1}", ("v_max_x", "v_max_y")),
                    ("m̂", ("mhat_x", "mhat_y")),
                    ("v̂ (of v^max)", ("vhat_x", "vhat_y")),
                    ("1/(√v̂ + ε)", ("scale_x", "scale_y")),
                ),
                state=state_columns("m", "v", "v_max"),
                columns=ins.bias_corrected_moments("v_max"),
                arrows=(
                    _GRADIENTSTEP_SCALE,
                    ins.Arrow("before", "before ÷(√v̂ + ε): −α_k m̂", ins.PURPLE, ins.scaled("mhat")),
                ),
            ),
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
            lecture="A quasi-Newton method: curvature estimated from recent steps and gradient "
            "changes, with a line search that makes every step lower the loss.",
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
                        ins.line_search_points,
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
