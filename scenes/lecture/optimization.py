"""The lecture's first part as scenes: SGD, momentum, RMSProp, Adam, Newton, Gauss-Newton,
Levenberg-Marquardt, L-BFGS, second order in practice and the map of solvers (slides 3-24)."""

from __future__ import annotations

import math

from scenes.lecture.claims import LectureScene, TryThis
from scenes.lecture.claims import answer as _a
from scenes.lecture.claims import compare as _c
from scenes.lecture.claims import who_first as _order3

OPTIMIZATION: tuple[LectureScene, ...] = (
    # ----------------------------------------------------------------------- 1. SGD
    LectureScene(
        "iteration-vs-epoch",
        (3, 4),
        "Iterations and epochs",
        "explorer",
        "runs",
        {"surface": "linear_regression", "opts": ["sgd"], "steps": 40, "batch": 10, "sgd_lr": 0.1},
        "SGD on linear regression with m = {data.m} samples and minibatches of {data.batch}. "
        "How many iterations make one epoch?",
        (
            _a("1: an epoch is one update", _c("sgd.iters_per_epoch", "==", 1)),
            _a("m / batch = {data.batches}", _c("sgd.iters_per_epoch", "==", other="data.batches")),
            _a("m = {data.m}: one update per sample", _c("sgd.iters_per_epoch", "==", other="data.m")),
        ),
        "An iteration is one update on one minibatch; an epoch is one pass over the whole training "
        "set. {data.m} samples in minibatches of {data.batch} make {sgd.iters_per_epoch} iterations "
        "per epoch, so the {sgd.steps} steps here are {sgd.steps} iterations, not epochs.",
        TryThis(
            "Set the minibatch size to all {data.m} samples: full-batch gradient descent, "
            "{sgd.iters_per_epoch} iteration per epoch.",
            (("batch", 50),),
            (_c("sgd.iters_per_epoch", "==", 1),),
        ),
    ),
    LectureScene(
        "sgd-noise",
        (3,),
        "SGD's noise",
        "explorer",
        "runs",
        {"surface": "linear_regression", "opts": ["sgd"], "steps": 60, "batch": 5, "sgd_lr": 0.1},
        "Minibatches of {data.batch} out of {data.m} samples: how does SGD's loss on the whole "
        "data set move?",
        (
            _a("Down at every step, as with the full batch", _c("sgd.rises", "==", 0)),
            _a("Down overall, but it goes up on some steps", _c("sgd.rises", ">", 0)),
        ),
        "Each minibatch's gradient is the average over {data.batch} samples only: an unbiased but "
        "noisy estimate of the full gradient. The loss of the whole data set rose on "
        "{sgd.rises} of {sgd.steps} steps. Training curves are smoothed (EMA) for that reason.",
        TryThis(
            "Use the full batch (50 samples): the loss then rises on {sgd.rises} steps.",
            (("batch", 50),),
            (_c("sgd.rises", "==", 0),),
        ),
        loss_chart=True,
    ),
    # ----------------------------------------------------------------------- 2. Momentum
    LectureScene(
        "momentum-valley",
        (5, 6),
        "Momentum along a valley",
        "explorer",
        "runs",
        {
            "surface": "quadratic",
            "quadratic_condition": 100.0,
            "opts": ["sgd", "momentum"],
            "steps": 150,
            "sgd_lr": 0.009,
            "momentum_lr": 0.009,
            "momentum_momentum": 0.9,
        },
        "SGD and momentum (β = {set.momentum_momentum:g}) with the same α = {set.sgd_lr:g} in a "
        "valley with κ = {set.quadratic_condition:g}. Who gets within the tolerance first?",
        _order3("sgd", "momentum", "hit", "SGD", "Momentum"),
        "Along the valley floor the gradients point the same way step after step, so the velocity "
        "adds them up (up to 1/(1 − β) = {momentum.gain:.3g} gradients), while across the valley "
        "they alternate and cancel. Momentum is within the tolerance {momentum.hit:when}; SGD "
        "{sgd.hit:when} in {sgd.steps} steps, {sgd.final:.2g} above L* at the end.",
        TryThis(
            "Set momentum's β to 0: v = g, the very same steps as SGD: momentum ends "
            "{momentum.final:.2g} above L*, SGD {sgd.final:.2g}.",
            (("momentum_momentum", 0.0),),
            (_c("momentum.final", "==", other="sgd.final"),),
        ),
        loss_chart=True,
    ),
    LectureScene(
        "momentum-agree",
        (6,),
        "The step is largest when the gradients agree",
        "explorer",
        "runs",
        {
            "surface": "quadratic",
            "quadratic_condition": 1.0,
            "start_x": -3.5,
            "start_y": 0.0,
            "opts": ["momentum"],
            "steps": 60,
            "momentum_lr": 0.002,
            "momentum_momentum": 0.9,
        },
        "Momentum (β = {set.momentum_momentum:g}, α = {set.momentum_lr:g}) rolls down a round bowl "
        "from ({set.start_x:g}, {set.start_y:g}): every gradient points the same way at first. How "
        "long is its longest step, compared with its first?",
        (
            _a("About as long", _c("momentum.longest_step", "<", other="momentum.first_step", factor=1.5)),
            _a(
                "Several times longer",
                _c("momentum.longest_step", ">=", other="momentum.first_step", factor=1.5),
            ),
        ),
        "v ← β·v + ∇L adds up gradients that point the same way: while they agree the step grows "
        "from {momentum.first_step:.3g} to {momentum.longest_step:.3g}. Near the minimum the "
        "gradients shrink and then reverse, and the velocity slows down.",
        TryThis(
            "Set β to 0.5: the velocity remembers less, and the longest step is only "
            "{momentum.longest_step:.3g}.",
            (("momentum_momentum", 0.5),),
            (_c("momentum.longest_step", "<", other="momentum.first_step", factor=2.5),),
        ),
    ),
    # ----------------------------------------------------------------------- 3. RMSProp
    LectureScene(
        "rmsprop-valley",
        (7, 8),
        "RMSProp in the elongated valley",
        "explorer",
        "runs",
        {
            "surface": "quadratic",
            "quadratic_condition": 100.0,
            "opts": ["sgd", "rmsprop"],
            "steps": 200,
            "sgd_lr": 0.009,
            "rmsprop_lr": 0.1,
        },
        "κ = {set.quadratic_condition:g}: small gradients along x, large ones along y. SGD (α = "
        "{set.sgd_lr:g}, just under its limit {sgd.limit:.2g}) against RMSProp (α = {set.rmsprop_lr:g}). "
        "Who gets within the tolerance first?",
        (
            _a("SGD", _c("sgd.hit", "<", other="rmsprop.hit")),
            _a("RMSProp", _c("rmsprop.hit", "<", other="sgd.hit")),
            _a(
                "Neither, in {sgd.steps} steps",
                _c("sgd.hit", "==", math.inf),
                _c("rmsprop.hit", "==", math.inf),
            ),
        ),
        "SGD's α must stay below 2/(2κ) = {sgd.limit:.2g} for the steep direction, so along the flat one it "
        "crawls: after {sgd.steps} steps it is {sgd.final:.2g} above L*. RMSProp divides each "
        "gradient component by the root of its running mean square: the y oscillation is damped, "
        "the x progress sped up, and it is within the tolerance at step {rmsprop.hit}.",
        TryThis(
            "Give SGD α = {set.sgd_lr:g}, beyond its limit {sgd.limit:.2g}: it {sgd.status}.",
            (("sgd_lr", 0.015),),
            (_c("sgd.status", "==", "diverged"),),
        ),
    ),
    LectureScene(
        "rmsprop-larger-lr",
        (8,),
        "RMSProp can take a larger learning rate",
        "explorer",
        "runs",
        {
            "surface": "quadratic",
            "quadratic_condition": 100.0,
            "opts": ["sgd", "rmsprop"],
            "steps": 200,
            "sgd_lr": 0.05,
            "rmsprop_lr": 0.05,
        },
        "Both at α = {set.sgd_lr:g}, beyond SGD's stability limit {sgd.limit:.2g} at κ = "
        "{set.quadratic_condition:g}. Which diverges?",
        (
            _a("Both", _c("sgd.status", "==", "diverged"), _c("rmsprop.status", "==", "diverged")),
            _a("Only SGD", _c("sgd.status", "==", "diverged"), _c("rmsprop.status", "!=", "diverged")),
            _a("Only RMSProp", _c("sgd.status", "!=", "diverged"), _c("rmsprop.status", "==", "diverged")),
            _a("Neither", _c("sgd.status", "!=", "diverged"), _c("rmsprop.status", "!=", "diverged")),
        ),
        "SGD's step across the valley is α times the gradient, 2κ·α·y: beyond α = {sgd.limit:.2g} it "
        "overshoots more than it corrects and {sgd.status} after {sgd.steps} steps. RMSProp's step "
        "is about α per coordinate whatever the gradient's size, so the steep direction cannot "
        "blow it up: it ends {rmsprop.final:.2g} above L*. That is why it can use a larger α.",
        TryThis(
            "Lower SGD to α = {set.sgd_lr:g}, under its limit: it no longer diverges and ends "
            "{sgd.final:.2g} above L*.",
            (("sgd_lr", 0.009),),
            (_c("sgd.status", "!=", "diverged"),),
        ),
    ),
    # ----------------------------------------------------------------------- 4. Adam
    LectureScene(
        "adam-first-steps",
        (10, 11),
        "Adam's bias correction",
        "explorer",
        "runs",
        {
            "surface": "quadratic",
            "opts": ["adam", "adam~2"],
            "steps": 60,
            "adam_lr": 0.1,
            "adam~2_lr": 0.1,
            "adam~2_bias_correction": "off",
        },
        "Adam (α = {set.adam_lr:g}, β₁ = 0.9, β₂ = 0.999, the defaults) beside Adam without bias "
        "correction. How long is the uncorrected first step, next to the corrected one?",
        (
            _a("Much shorter", _c("adam~2.first_step", "<", other="adam.first_step", factor=0.5)),
            _a(
                "About the same",
                _c("adam~2.first_step", ">=", other="adam.first_step", factor=0.5),
                _c("adam~2.first_step", "<=", other="adam.first_step", factor=2.0),
            ),
            _a("Much longer", _c("adam~2.first_step", ">", other="adam.first_step", factor=2.0)),
        ),
        "m and v start at zero. After one step m = (1 − β₁)·g and v = (1 − β₂)·g², so m/√v = "
        "(1 − β₁)/√(1 − β₂) = {adam~2.first_ratio:.2g} per coordinate instead of 1: the uncorrected first "
        "step is {adam~2.first_step:.3g} long, the corrected one {adam.first_step:.3g}. The "
        "correction divides by 1 − β^k and matters for the first steps only.",
        TryThis(
            "Set β₂ = 0.9 for both: (1 − β₁)/√(1 − β₂) = {adam~2.first_ratio:.2g}, so the "
            "uncorrected first step is the shorter ({adam~2.first_step:.3g} vs {adam.first_step:.3g}).",
            (("adam_beta2", 0.9), ("adam~2_beta2", 0.9)),
            (_c("adam~2.first_step", "<", other="adam.first_step", factor=0.5),),
        ),
    ),
    # ----------------------------------------------------------------------- 5. Newton
    LectureScene(
        "newton-quadratic",
        (12, 13),
        "Newton's method: one step on a quadratic",
        "explorer",
        "runs",
        {"surface": "quadratic", "quadratic_condition": 10.0, "opts": ["sgd", "newton"], "steps": 60},
        "Newton's step θ − H⁻¹∇L on the bowl x² + 10y². How many steps until it is within the tolerance?",
        (
            _a("One", _c("newton.hit", "==", 1)),
            _a("A few (2 to 10)", _c("newton.hit", ">=", 2), _c("newton.hit", "<=", 10)),
            _a("As many as SGD ({sgd.hit})", _c("newton.hit", ">", 10)),
        ),
        "The second-order Taylor model of a quadratic is the quadratic itself, so Newton's step "
        "lands on its minimum: within the tolerance {newton.hit:when}, SGD {sgd.hit:when}. "
        '"We got rid of the learning rate!"',
        TryThis(
            "Make the valley 100 times narrower (κ = 1000): Newton is still within the tolerance "
            "{newton.hit:when}; SGD, at the same α, {sgd.hit:when}.",
            (("quadratic_condition", 1000.0),),
            (_c("newton.hit", "==", 1), _c("sgd.hit", ">", 1)),
        ),
    ),
    LectureScene(
        "newton-linear-regression",
        (14,),
        "Newton on linear regression",
        "explorer",
        "runs",
        {"surface": "linear_regression", "opts": ["sgd", "newton"], "steps": 30, "sgd_lr": 0.1},
        "Can Newton's method solve linear regression, and what do we get?",
        (
            _a("Yes: the least-squares solution, in one step", _c("newton.hit", "==", 1)),
            _a(
                "Yes, but it needs several steps, like SGD",
                _c("newton.hit", ">", 1),
                _c("newton.hit", "<", math.inf),
            ),
            _a("No: it never gets within the tolerance", _c("newton.hit", "==", math.inf)),
        ),
        "The mean squared error of y = w·x + b is quadratic in (w, b), so Newton's model is exact "
        "and one step solves the normal equations: within the tolerance {newton.hit:when}. "
        "SGD is {sgd.final:.2g} above L* after {sgd.steps} steps.",
        TryThis(
            "Set Newton's step scale α to 0.5: half a Newton step each time, within the tolerance "
            "only {newton.hit:when}: the learning rate is back.",
            (("newton_lr", 0.5),),
            (_c("newton.hit", ">", 1),),
        ),
    ),
    LectureScene(
        "newton-cost",
        (16,),
        "What a Newton step costs",
        "figure",
        "newton_cost",
        {"n": 1e6},
        "A network with a million parameters. How many entries has its Hessian?",
        (
            _a("About a million (10⁶)", _c("cost.entries", "<", 1e9)),
            _a("About 10¹²", _c("cost.entries", ">=", 1e9), _c("cost.entries", "<", 1e15)),
            _a("About 10¹⁸", _c("cost.entries", ">=", 1e15)),
        ),
        "n = {cost.params:.0e} parameters give n² = {cost.entries:.0e} Hessian entries "
        "({cost.terabytes:.3g} TB in float64), and inverting it costs about "
        "n³ = {cost.inversion:.0e} operations: {cost.days:.1f} days per iteration at 10¹² "
        "operations per second. Impractical for deep learning.",
        TryThis(
            "A small network of 10,000 parameters: {cost.entries:.0e} entries, an inversion of "
            "{cost.inversion:.0e} operations, a second at most.",
            (("n", 1e4),),
            (_c("cost.inversion", "<=", 1e12),),
        ),
    ),
    LectureScene(
        "newton-saddle",
        (15,),
        "Newton at a saddle",
        "explorer",
        "runs",
        {"surface": "saddle", "opts": ["sgd", "newton"], "steps": 100},
        "On x² − y² from (−1.5, 0.01), SGD heads downhill along y. Where does Newton go?",
        (
            _a("Downhill, like SGD", _c("newton.point", "!=", "saddle")),
            _a("Onto the saddle point, and it stops there", _c("newton.point", "==", "saddle")),
        ),
        "Newton's step jumps to the stationary point of the local quadratic model, whatever its "
        "kind. Here the model is x² − y² itself, whose stationary point is the saddle (0, 0): "
        "Newton stops at a {newton.point} after {newton.steps:steps}, while SGD escapes downhill.",
        TryThis(
            "On Himmelblau's function from (0, 0), Newton stops at a {newton.point}.",
            (("surface", "himmelblau"), ("opts", ["newton"]), ("steps", 50)),
            (_c("newton.point", "==", "maximum"),),
        ),
    ),
    # ----------------------------------------------------------------------- Gauss-Newton, LM
    LectureScene(
        "gauss-newton",
        (18, 19),
        "Gauss-Newton: the Hessian from first derivatives",
        "explorer",
        "runs",
        {"surface": "curve_fit", "opts": ["sgd", "newton", "gauss_newton"], "steps": 40, "sgd_lr": 0.05},
        "Fitting a·exp(b·t). Gauss-Newton replaces the Hessian by 2·JᵀJ (first derivatives of the "
        "residuals only). Compared with Newton (the true Hessian), it gets within the tolerance…",
        (
            _a("sooner", _c("gauss_newton.hit", "<", other="newton.hit")),
            _a("at the same step", _c("gauss_newton.hit", "==", other="newton.hit")),
            _a("later", _c("gauss_newton.hit", ">", other="newton.hit")),
        ),
        "JᵀJ is positive semi-definite and drops the residuals' second derivatives, which are "
        "small near a good fit. Newton uses the true Hessian, model minimum or not: it stops at a "
        "{newton.point}, {newton.final:.2g} above L*. Gauss-Newton is within the tolerance "
        "{gauss_newton.hit:when}; SGD ends {sgd.final:.2g} above L* after {sgd.steps} steps.",
        TryThis(
            "Start near the fit, at (1, −0.5): Newton is within the tolerance {newton.hit:when}, "
            "Gauss-Newton {gauss_newton.hit:when}.",
            (("start_x", 1.0), ("start_y", -0.5)),
            (_c("newton.hit", "<", other="gauss_newton.hit"),),
        ),
    ),
    LectureScene(
        "lm-blend",
        (20,),
        "Levenberg-Marquardt blends gradient descent and Gauss-Newton",
        "explorer",
        "runs",
        {
            "surface": "curve_fit",
            "opts": ["gauss_newton", "lm"],
            "steps": 40,
            "lm_damping": 100.0,
            "view": "Learning rate",
        },
        "LM starts with a large damping λ₀ = 100. Its first step points…",
        (
            _a("along −∇L, like gradient descent", _c("lm.cos_gd", ">", other="lm.cos.gauss_newton")),
            _a("along Gauss-Newton's first step", _c("lm.cos.gauss_newton", ">=", other="lm.cos_gd")),
        ),
        "(JᵀJ + λI)δ = −Jᵀr: with λ large the λI term wins and δ ≈ −Jᵀr/λ, a short gradient step "
        "(cosine with −∇L {lm.cos_gd:.3f}, with Gauss-Newton's step {lm.cos.gauss_newton:.3f}). Each "
        "accepted step divides λ by 10, so LM ends with Gauss-Newton steps: within the tolerance "
        "{lm.hit:when}, Gauss-Newton {gauss_newton.hit:when}.",
        TryThis(
            "Set λ₀ = 0.001: LM's steps are then almost Gauss-Newton's, and it is within the "
            "tolerance {lm.hit:when}.",
            (("lm_damping", 0.001),),
            (_c("lm.hit", "<=", other="gauss_newton.hit", factor=1.5),),
        ),
    ),
    LectureScene(
        "lm-marquardt",
        (21,),
        "Marquardt's scaling",
        "explorer",
        "runs",
        {
            "surface": "rosenbrock",
            "opts": ["lm", "lm~2"],
            "steps": 100,
            "lm_damping": 100.0,
            "lm~2_damping": 100.0,
            "lm~2_scaling": "marquardt",
            "view": "Learning rate",
        },
        "Rosenbrock, two LMs with λ₀ = 100: Levenberg's D = I, Marquardt's D = diag(JᵀJ). Which "
        "gets within the tolerance first?",
        (
            _a("Levenberg (D = I)", _c("lm.hit", "<", other="lm~2.hit")),
            _a("Marquardt (D = diag JᵀJ)", _c("lm~2.hit", "<", other="lm.hit")),
            _a("They tie", _c("lm.hit", "==", other="lm~2.hit")),
        ),
        "With D = I a large λ turns every component into plain gradient descent, short along "
        "directions of small curvature. Marquardt scales each component by its curvature, so even "
        "heavily damped steps keep the Gauss-Newton proportions. Levenberg is within the "
        "tolerance {lm.hit:when}, Marquardt {lm~2.hit:when}.",
        TryThis(
            "The same two on Beale's function: Levenberg is within the tolerance {lm.hit:when}, "
            "Marquardt {lm~2.hit:when}: the scaling is no free lunch.",
            (("surface", "beale"),),
            (_c("lm.hit", "<", other="lm~2.hit"),),
        ),
    ),
    LectureScene(
        "lm-rejects",
        (20, 21),
        "LM rejects steps and recovers",
        "explorer",
        "runs",
        {
            "surface": "himmelblau",
            "start_x": 0.5,
            "start_y": -0.5,
            "opts": ["lm"],
            "steps": 60,
            "lm_damping": 0.001,
            "view": "Learning rate",
        },
        "Himmelblau from (0.5, −0.5), LM with a small λ₀ = 0.001 (almost Gauss-Newton). How many "
        "of its trial steps does LM reject?",
        (
            _a("None", _c("lm.rejected", "==", 0)),
            _a("One or two", _c("lm.rejected", ">=", 1), _c("lm.rejected", "<=", 2)),
            _a("Three or more", _c("lm.rejected", ">=", 3)),
        ),
        "λ is adjusted so that the loss decreases: a trial that raises the loss is rejected (θ "
        "stays) and λ is multiplied by 10. LM rejected {lm.rejected} trials, the first accepted "
        "trial was step {lm.first_accept}, then it stopped at a {lm.point} after {lm.steps:steps}.",
        TryThis(
            "Start with λ₀ = 10: the damped steps are short from the start and LM rejects {lm.rejected}.",
            (("lm_damping", 10.0),),
            (_c("lm.rejected", "<", 3),),
        ),
    ),
    LectureScene(
        "lbfgs",
        (22,),
        "L-BFGS: curvature from gradient changes",
        "explorer",
        "runs",
        {"surface": "rosenbrock", "opts": ["momentum", "adam", "lbfgs"], "steps": 300},
        "Rosenbrock's curved valley, 300 steps. Who is within the tolerance first?",
        (
            _a(
                "Momentum",
                _c("momentum.hit", "<", other="lbfgs.hit"),
                _c("momentum.hit", "<", other="adam.hit"),
            ),
            _a("Adam", _c("adam.hit", "<", other="lbfgs.hit"), _c("adam.hit", "<", other="momentum.hit")),
            _a("L-BFGS", _c("lbfgs.hit", "<", other="adam.hit"), _c("lbfgs.hit", "<", other="momentum.hit")),
        ),
        "L-BFGS estimates the inverse Hessian from the last m steps and the gradient changes they "
        "caused, with first derivatives only, and a line search makes every step lower the loss: "
        "within the tolerance {lbfgs.hit:when}; momentum {momentum.hit:when}, Adam {adam.hit:when}.",
        TryThis(
            "Give L-BFGS a memory of m = 1: it still gets within the tolerance, {lbfgs.hit:when}.",
            (("lbfgs_history", 1),),
            (_c("lbfgs.hit", "<", math.inf),),
        ),
    ),
    LectureScene(
        "second-order-full-batch",
        (23,),
        "Second order only with the full batch",
        "explorer",
        "runs",
        {
            "surface": "linear_regression",
            "opts": ["sgd", "newton"],
            "steps": 60,
            "sgd_lr": 0.1,
            "noise": 1.0,
            "seed": 0,
        },
        "Newton on linear regression, now with noisy gradients (σ = 1, like small minibatches). "
        "Does it still land on the minimum in one step?",
        (
            _a("Yes, within the tolerance at step 1", _c("newton.hit", "==", 1)),
            _a("No: it bounces around the minimum", _c("newton.hit", "!=", 1)),
        ),
        "Newton divides the gradient by the curvature, and the noise with it: every step jumps to "
        "the minimum of a noisy model. It ends {newton.final:.2g} above L* (within the tolerance: "
        "{newton.hit:when}). Hence the lecture: Newton, L-BFGS, Gauss-Newton and LM only "
        "with full-batch updates; SGD with momentum, Adam and RMSProp with minibatches.",
        TryThis(
            "Turn the noise off (σ = 0): Newton is within the tolerance {newton.hit:when}.",
            (("noise", 0.0),),
            (_c("newton.hit", "==", 1),),
        ),
        loss_chart=True,
    ),
    LectureScene(
        "solver-map",
        (24,),
        "The map of solvers",
        "figure",
        "solver_map",
        {},
        "On the lecture's map of solvers, where does L-BFGS belong?",
        (
            _a("Linear-system solvers", _c("lbfgs.family", "==", "linear systems")),
            _a("First order", _c("lbfgs.family", "==", "first order")),
            _a("Second order", _c("lbfgs.family", "==", "second order")),
            _a("Derivative-free and others", _c("lbfgs.family", "==", "others")),
        ),
        "The app places each of its methods by its kind: a rule of the gradient alone is first order "
        "({count.first_order} methods here), curvature from the Hessian, from JᵀJ or estimated "
        "from gradient changes is second order ({count.second_order}). L-BFGS is "
        '{lbfgs.family}. "Backprop is not a way to solve a linear system."',
        TryThis(
            "Look at Gauss-Newton: it needs only the residuals' first derivatives, yet it is "
            "{gauss_newton.family}.",
            (),
            (_c("gauss_newton.family", "==", "second order"),),
        ),
    ),
)
