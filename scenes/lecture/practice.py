"""The lecture's second part as scenes: learning-rate decay, train / validation / test, under-
and overfitting, early stopping, grid and random search, k-fold CV, bias and variance (slides
25-34)."""

from __future__ import annotations

from scenes.lecture.claims import LectureScene, TryThis
from scenes.lecture.claims import answer as _a
from scenes.lecture.claims import compare as _c
from scenes.lessons import PRESETS

DECAY_LESSON = PRESETS["decay"]

PRACTICE: tuple[LectureScene, ...] = (
    # ----------------------------------------------------------------------- 6. LR decay
    LectureScene(
        "lr-decay-values",
        (25,),
        "Learning-rate decay: 1/t",
        "figure",
        "schedule",
        {"lr": 0.1, "sched": "inverse_time", "sched_decay_rate": 1.0},
        "α = α₀ / (1 + decay_rate·epoch) with α₀ = 0.1 and decay rate 1: α at epochs 0, 1, 2 is "
        "{lr.0:.2g}, {lr.1:.2g}, {lr.2:.2g}. What is it at epoch 3?",
        (
            _a("0.025", _c("lr.3", ">", 0.0249), _c("lr.3", "<", 0.0251)),
            _a("0.0167", _c("lr.3", ">", 0.0166), _c("lr.3", "<", 0.0168)),
            _a("0.0125", _c("lr.3", ">", 0.0124), _c("lr.3", "<", 0.0126)),
        ),
        "0.1/(1 + 3) = {lr.3:.3g}: the lecture's sequence {lr.0:.2g}, {lr.1:.2g}, {lr.2:.2g}, "
        "{lr.3:.3g}. A high learning rate far from the minimum, a low one close to it.",
        TryThis(
            "Decay rate 0.5: α at epoch 2 is {lr.2:.3g}, half of α₀.",
            (("sched_decay_rate", 0.5),),
            (_c("lr.2", ">", 0.0499), _c("lr.2", "<", 0.0501)),
        ),
    ),
    LectureScene(
        "lr-decay-noise",
        (26,),
        "Decay with noisy gradients",
        "explorer",
        "runs",
        dict(DECAY_LESSON.settings),  # the explorer's decay lesson, the same scene
        "Two SGDs with α = 0.05 and noisy gradients; the second decays α as 1/t. Averaged over the "
        "last 30 steps and 10 noise seeds, which ends closer to the minimum?",
        (
            _a("Constant α", _c("sgd.avg", "<", other="sgd~2.avg")),
            _a("Decayed α", _c("sgd~2.avg", "<", other="sgd.avg")),
        ),
        "With a constant α the noise keeps SGD bouncing around the minimum, {sgd.avg:.2g} above L* "
        "on average; the decayed α is high far away and low close by, and settles at "
        "{sgd~2.avg:.2g}. One noisy draw can go either way, which is why the average decides.",
        TryThis(
            "Turn the noise off: the constant α is better ({sgd.final:.2g} vs "
            "{sgd~2.final:.2g}): decay only slows a clean run.",
            (("noise", 0.0),),
            (_c("sgd.final", "<", other="sgd~2.final"),),
        ),
        options={"average_last": 30, "average_seeds": 10},
        loss_chart=True,
    ),
    # ----------------------------------------------------------------------- 7. Practice
    LectureScene(
        "train-val-test",
        (28, 29),
        "Train, validation, test",
        "training",
        "selection",
        {"dataset": "sine", "n": 60, "noise": 0.3, "model": "polynomial", "optimizer": "newton", "epochs": 1},
        "We fit degrees 1 to 15 on the training part ({n_train} samples) and keep the degree with "
        "the lowest validation error ({n_val} samples). Its test error ({n_test} samples, read "
        "once) is…",
        (
            _a("below its validation error", _c("chosen.test", "<", other="chosen.val")),
            _a("above its validation error", _c("chosen.test", ">=", other="chosen.val")),
        ),
        "Validation chose degree {chosen} as the lowest of 15 validation errors ({chosen.val:.3g}), "
        "so that number is optimistic; the untouched test set says {chosen.test:.3g}. Test only "
        "at the very end: a test set used for choosing becomes a second validation set.",
        TryThis(
            "With 300 samples the estimates are steadier: validation {chosen.val:.3g}, test "
            "{chosen.test:.3g}.",
            (("n", 300),),
            (
                _c("chosen.test", "<", other="chosen.val", factor=1.5),
                _c("chosen.val", "<", other="chosen.test", factor=1.5),
            ),
        ),
    ),
    LectureScene(
        "under-overfitting",
        (30,),
        "Underfitting and overfitting",
        "training",
        "capacity",
        {
            "dataset": "sine",
            "n": 30,
            "noise": 0.3,
            "model": "polynomial",
            "degree": 15,
            "optimizer": "newton",
            "epochs": 1,
            "view": "Under- and overfitting",
        },
        "30 noisy samples of sin(πx), polynomials of degree 1, 4 and 15. Which degree has the "
        "lowest validation error?",
        (
            _a("1", _c("best_val", "==", 1)),
            _a("4", _c("best_val", "==", 4)),
            _a("15", _c("best_val", "==", 15)),
        ),
        "Training errors: {d1.train:.3g} (degree 1), {d4.train:.3g} (4), {d15.train:.3g} (15): "
        "the most flexible fits the training points best. Validation: {d1.val:.3g}, {d4.val:.3g}, "
        "{d15.val:.3g}. Degree 1 underfits both, degree 15 swings between the points "
        "(overfitting), degree {best_val} generalises best.",
        TryThis(
            "With n = 1000 samples degree 15 no longer swings: validation {d15.val:.3g} against "
            "degree 4's {d4.val:.3g}.",
            (("n", 1000),),
            (_c("d15.val", "<", other="d4.val", factor=1.2),),
        ),
    ),
    LectureScene(
        "early-stopping",
        (31,),
        "Early stopping",
        "training",
        "early_stopping",
        {
            "dataset": "sine",
            "n": 30,
            "noise": 0.3,
            "model": "polynomial",
            "degree": 15,
            "optimizer": "adam",
            "adam_lr": 0.05,
            "epochs": 300,
            "batch": "full",
            "view": "Training",
        },
        "Degree 15 trained with Adam for {epochs} epochs. Where is the validation error lowest?",
        (
            _a("At the last epoch", _c("best_epoch", "==", other="epochs")),
            _a(
                "Earlier, and it rises after",
                _c("best_epoch", "<", other="epochs"),
                _c("val.final", ">", other="val.best"),
            ),
        ),
        "The training error falls to {train.final:.3g}, while validation is lowest at epoch "
        "{best_epoch} ({val.best:.3g}) and ends at {val.final:.3g}: the model starts to fit the "
        "noise. Early stopping keeps the parameters of epoch {best_epoch}.",
        TryThis(
            "Degree 3 cannot follow the noise: its validation error is lowest at epoch "
            "{best_epoch} of {epochs}, and the last epoch is about as good ({val.final:.3g} against "
            "{val.best:.3g}).",
            (("degree", 3),),
            (_c("val.final", "<", other="val.best", factor=1.1),),
        ),
    ),
    LectureScene(
        "grid-vs-random",
        (32,),
        "Grid search against random search",
        "search",
        "grid_random",
        {
            "surface": "rosenbrock",
            "tune_optimizer": "adam",
            "tune_cmp_first_adam": "lr",
            "tune_cmp_second_adam": "beta2",
            "tune_cmp_n": 4,
            "tune_cmp_steps": 300,
            "tune_cmp_seeds": 20,
        },
        "Adam on Rosenbrock, 300 steps: α matters, β₂ little. A 4 × 4 grid against 16 random "
        "settings in the same ranges, twenty random searches. How many of them beat the grid?",
        (
            _a("Few (0-7)", _c("random_wins", "<=", 7)),
            _a("About half (8-12)", _c("random_wins", ">=", 8), _c("random_wins", "<=", 12)),
            _a("Most (13-20)", _c("random_wins", ">=", 13)),
        ),
        "With the same budget of {budget} runs the grid tries only {grid.values} values of α, each "
        "4 times; a random search tries {random.values}. When one hyperparameter matters more, "
        "random search samples it densely: {random_wins} of {seeds} random searches beat the grid, "
        "{grid_wins} lost to it.",
        TryThis(
            "Search α alone (a 1D range): a grid of 4 and 4 random values, now random wins "
            "{random_wins} of {seeds}.",
            (("tune_cmp_second_adam", "(none)"),),
            (_c("random.values", "==", other="grid.values"),),
        ),
    ),
    LectureScene(
        "k-fold",
        (33,),
        "k-fold cross-validation",
        "training",
        "kfold",
        {
            "dataset": "sine",
            "n": 40,
            "noise": 0.3,
            "model": "polynomial",
            "optimizer": "newton",
            "epochs": 1,
            "cv_k": 5,
            "cv_param": "degree",
            "view": "Cross-validation",
        },
        "{k}-fold CV over degrees 1 to {max_degree} on the {pool} samples of train + validation. How "
        "much do the {k} folds disagree at degree {max_degree}, compared with at CV's pick?",
        (
            _a("About as much", _c("spread.high", "<", other="spread.low", factor=3.0)),
            _a("Far more", _c("spread.high", ">=", other="spread.low", factor=3.0)),
        ),
        "Each fold trains on 4/5 of train + validation and validates on the rest; the mean over "
        "folds picks degree {cv_pick}, the single split picks {single_pick}. The folds' standard "
        "deviation is {spread.low:.3g} at degree {cv_pick} and {spread.high:.3g} at degree "
        "{max_degree}: a flexible model's score depends on which points it saw.",
        TryThis(
            "With k = 10 folds each model trains on 9/10: CV picks degree {cv_pick}.",
            (("cv_k", 10),),
            (_c("cv_pick", "<=", 8),),
        ),
        options={"max_degree": 12},
    ),
    LectureScene(
        "bias-variance",
        (34,),
        "Bias or variance?",
        "figure",
        "bias_variance",
        {"human": 0.01, "train": 0.05, "val": 0.08},
        "Human-level error 1 %, training error 5 %, validation error 8 %. What is the problem?",
        (
            _a("High bias (underfitting)", _c("verdict", "==", "high bias")),
            _a("High variance (overfitting)", _c("verdict", "==", "high variance")),
            _a("Both", _c("verdict", "==", "both")),
            _a("Neither", _c("verdict", "==", "good fit")),
        ),
        "Avoidable bias: {train:.0f} % − {human:.0f} % = {bias:.0f} points; variance: {val:.0f} % "
        "− {train:.0f} % = {variance:.0f} points. Verdict: {verdict}; {remedy}.",
        TryThis(
            "Training error 2 % instead: the bias gap is {bias:.0f} point, the variance "
            "{variance:.0f}: {verdict}.",
            (("train", 0.02),),
            (_c("verdict", "==", "high variance"),),
        ),
    ),
)
