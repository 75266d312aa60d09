"""Myths about optimizers, each a scene with its source: Adam always wins; adaptive methods
don't care about the coordinates; Adam converges on every convex problem; local minima are the
main obstacle."""

from __future__ import annotations

from scenes.lecture.claims import LectureScene, TryThis
from scenes.lecture.claims import answer as _a
from scenes.lecture.claims import compare as _c

MYTHS: tuple[LectureScene, ...] = (
    # ----------------------------------------------------------------------- myths
    LectureScene(
        "myth-adam-always-wins",
        (9, 10),
        "Myth: Adam always wins",
        "explorer",
        "runs",
        {
            "surface": "rosenbrock",
            "opts": ["momentum", "adam"],
            "steps": 300,
            "momentum_lr": 0.0015,
            "adam_lr": 0.1,
        },
        "Rosenbrock's banana valley, {set.steps} steps, momentum (α = {set.momentum_lr:g}) against "
        "Adam (α = {set.adam_lr:g}). Which ends closer to the minimum (1, 1)?",
        (
            _a("Adam", _c("adam.dist", "<", other="momentum.dist")),
            _a("Momentum", _c("momentum.dist", "<", other="adam.dist")),
        ),
        "Momentum builds up speed along the curved floor and ends {momentum.dist:.2g} from (1, 1); "
        "Adam's steps are about α per coordinate, so along the bend it ends {adam.dist:.2g} away. "
        "Adaptive methods are a good default, not a law: tuned SGD with momentum often matches or "
        "beats them.",
        TryThis(
            "Give Adam a smaller α = 0.02: it ends {adam.dist:.2g} from (1, 1), still farther than "
            "momentum ({momentum.dist:.2g}).",
            (("adam_lr", 0.02),),
            (_c("adam.dist", ">", other="momentum.dist"),),
        ),
        citation="Wilson, Roelofs, Stern, Srebro & Recht, The Marginal Value of Adaptive Gradient "
        "Methods in Machine Learning, NeurIPS 2017.",
        myth=True,
    ),
    LectureScene(
        "myth-rotation",
        (8,),
        "Myth: adaptive methods don't care about the coordinates",
        "explorer",
        "runs",
        {
            "surface": "quadratic",
            "quadratic_condition": 50.0,
            "quadratic_angle": 45.0,
            "opts": ["sgd", "rmsprop"],
            "steps": 200,
            "sgd_lr": 0.019,
            "rmsprop_lr": 0.1,
        },
        "A κ = {set.quadratic_condition:g} valley turned by {set.quadratic_angle:g}°: SGD (α = "
        "{set.sgd_lr:g}, under its limit {sgd.limit:.2g}) against RMSProp (α = {set.rmsprop_lr:g}). "
        "Which ends closer to the minimum after {set.steps} steps?",
        (
            _a("RMSProp, as in the aligned valley", _c("rmsprop.final", "<", other="sgd.final")),
            _a("SGD", _c("sgd.final", "<", other="rmsprop.final")),
        ),
        "RMSProp scales each coordinate, x and y, by its own gradient size. That helps when the "
        "valley lies along the axes; turned by 45°, both coordinates see the same mixture of steep "
        "and flat, the scaling cannot separate them, and RMSProp ends {rmsprop.final:.2g} above L* "
        "while SGD ends {sgd.final:.2g}.",
        TryThis(
            "Turn the valley back to 0°: RMSProp ends {rmsprop.final:.2g} above L*, SGD {sgd.final:.2g}.",
            (("quadratic_angle", 0.0),),
            (_c("rmsprop.final", "<", other="sgd.final"),),
        ),
        citation="Zhang et al. (2025) on Adam's dependence on the coordinate system (rotations).",
        myth=True,
    ),
    LectureScene(
        "myth-adam-converges",
        (10, 11),
        "Myth: Adam converges on every convex problem",
        "figure",
        "reddi",
        {
            "C": 3.0,
            "steps": 3000,
            "lr": 0.5,
            "beta1": 0.0,
            "beta2": 0.1,
            "x0": 1.0,
            "opts": ("adam", "amsgrad"),
        },
        "Reddi, Kale & Kumar's convex problem on [−1, 1]: the loss is {C:g}x once every three "
        "steps, −x the other two, so the best point is x = −1. Adam with β₁ = {beta1:g}, β₂ = "
        "{beta2:g} and α_t = {lr:g}/√t, from x = 1: where does it end after {steps} steps?",
        (
            _a("Near x = −1, the minimum", _c("adam.x", "<", -0.5)),
            _a("Near x = +1, the worst point", _c("adam.x", ">", 0.5)),
            _a("In between", _c("adam.x", ">=", -0.5), _c("adam.x", "<=", 0.5)),
        ),
        "The rare large gradient {C:g} is divided by a √v that forgets it quickly (β₂ = {beta2:g}), while "
        "the frequent −1s push x up: Adam ends at x = {adam.x:.2g}, its average regret stays "
        "{adam.avg_regret:.2g}. AMSGrad divides by the largest v seen so far, never forgets the "
        "large gradient and ends at x = {amsgrad.x:.2g}.",
        TryThis(
            "With β₂ = {beta2:g} Adam remembers the large gradient long enough: it ends at x = {adam.x:.2g}.",
            (("beta2", 0.999),),
            (_c("adam.x", "<", 0.0),),
        ),
        citation="Reddi, Kale & Kumar, On the Convergence of Adam and Beyond, ICLR 2018.",
        myth=True,
    ),
    LectureScene(
        "myth-local-minima",
        (15,),
        "Myth: local minima are the main obstacle",
        "explorer",
        "runs",
        {"surface": "saddle", "opts": ["sgd"], "steps": 100, "start_x": -1.5, "start_y": 0.001},
        "SGD starts at (−1.5, 0.001) on x² − y², almost on the saddle's ridge. For a while it "
        "barely moves. What holds it up?",
        (
            _a(
                "A local minimum: it is stuck",
                _c("sgd.status", "!=", "diverged"),
                _c("sgd.final", ">=", other="sgd.start_gap"),
            ),
            _a(
                "A saddle: the gradient nearly vanishes, then it escapes downhill",
                _c("sgd.final", "<", other="sgd.start_gap"),
            ),
        ),
        "Near the saddle the gradient is tiny in every direction: SGD spends {sgd.flat_steps} of "
        "{sgd.steps} steps with less than a tenth of its first gradient, then slides off along "
        "−y (the loss falls from {sgd.start_gap:.2g} to {sgd.final:.2g}). In high dimensions "
        "most critical points with a high loss are saddles, not minima.",
        TryThis(
            "Start exactly on the ridge, y = 0: SGD has no push along y and creeps to the saddle "
            "point, ending at ({sgd.end_x:.2g}, {sgd.end_y:.2g}).",
            (("start_y", 0.0),),
            (_c("sgd.end_y", "==", 0.0), _c("sgd.end_x", ">", -0.1)),
        ),
        citation="Dauphin, Pascanu, Gulcehre, Cho, Ganguli & Bengio, Identifying and attacking the "
        "saddle point problem in high-dimensional non-convex optimization, NeurIPS 2014.",
        myth=True,
    ),
)
