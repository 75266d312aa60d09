"""How a lecture scene's numbers are measured on the engine: the explorer's runs
(`scenes.explorer`), the figures' own arithmetic, the training-practice studies
(`training.studies`), the search page's grid-against-random comparison (`sweeps`) and Reddi, Kale
& Kumar's online problem; `measure` and `decide` run a scene's study (see `scenes.lecture`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers
from optimizers import theory
from optimizers.registry import FIRST_ORDER
from optimizers.schedules import make_schedule
from scenes import explorer
from scenes.lecture.claims import TOL, LectureScene, Value, right_answers

# --------------------------------------------------------------------------- explorer runs


split_run_id = explorer.split_run_id  # "sgd~2" -> ("sgd", 2), as the explorer names its runs


def explorer_surface(settings: Mapping[str, Any]) -> Any:
    """The scene's surface, as the explorer builds it from these settings."""
    return explorer.scene(settings).problem.build_surface()


def explorer_start(settings: Mapping[str, Any]) -> tuple[float, float]:
    return explorer.scene(settings).start


def explorer_runs(settings: Mapping[str, Any], seed: int | None = None) -> tuple[Any, dict[str, Any]]:
    """The scene's surface and run id -> Trajectory, as the explorer runs them
    (`scenes.explorer`: its defaults, the full batch where a method needs it); `seed` replaces
    the noise seed. A setting the explorer does not have (or cannot take) is a ValueError: the
    runs would silently be another scene's."""
    choices = explorer.scene(settings)
    drawn = explorer.drawn_settings(choices)
    unknown = [k for k in settings if k not in drawn and k not in STUDY_OPTIONS]
    if unknown or choices.warnings:
        raise ValueError(f"the explorer cannot take {', '.join(unknown) or choices.warnings[0]}")
    surface = choices.problem.build_surface()
    return surface, {run: choices.spec(run, seed=seed).run() for run in choices.optimizers}


STUDY_OPTIONS = ("average_last", "average_seeds")  # `explorer_numbers`' own, no explorer setting


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def run_numbers(run: str, traj: Any, surface: Any) -> dict[str, Value]:
    """What a scene may say about one run, under "<run>.<name>"."""
    min_value = surface.min_value if surface.min_value is not None else 0.0
    gaps = traj.losses - min_value
    steps = np.linalg.norm(np.diff(traj.points, axis=0), axis=1)
    hit = traj.first_hit(min_value + TOL) if surface.min_value is not None else None
    accepted = traj.records.get("accepted")
    g0 = surface.grad(traj.points[0])
    out: dict[str, Value] = {
        "hit": math.inf if hit is None else int(hit),
        "final": float(gaps[-1]),
        "start_gap": float(gaps[0]),
        "status": traj.status,
        "point": traj.ending.point or "none",
        "steps": int(traj.n_steps),
        "first_step": float(steps[0]) if len(steps) else 0.0,
        "longest_step": float(steps.max()) if len(steps) else 0.0,
        "rises": int(np.sum(np.diff(traj.losses) > 1e-12)),
        "iters_per_epoch": int(traj.iters_per_epoch),
        "end_x": float(traj.points[-1][0]),
        "end_y": float(traj.points[-1][1]),
        "cos_gd": float(np.dot(_unit(traj.points[1] - traj.points[0]), _unit(-g0))) if len(steps) else 0.0,
    }
    if len(surface.minima):
        out["dist"] = float(np.min(np.linalg.norm(surface.minima - traj.points[-1], axis=1)))
    # steps spent on the plateau: gradient norm below a tenth of its value at the start
    out["flat_steps"] = int(np.sum(traj.grad_norms[1:] < 0.1 * traj.grad_norms[0]))
    if accepted is not None and len(accepted):
        out["rejected"] = int(np.sum(accepted == 0))
        out["first_accept"] = int(np.argmax(accepted == 1)) if (accepted == 1).any() else math.inf
        out["last_accepted"] = int(accepted[-1])
    return out


def explorer_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """Every run's numbers, the scene's data size, and with `average_last` and `average_seeds`
    the mean of L − L* over the last steps and seeds ("<run>.avg": noisy gradients)."""
    surface, runs = explorer_runs(settings)
    numbers: dict[str, Value] = {}
    for run, traj in runs.items():
        numbers.update({f"{run}.{k}": v for k, v in run_numbers(run, traj, surface).items()})
    g0 = surface.grad(np.asarray(explorer_start(settings)))
    try:
        newton_dir = -np.linalg.solve(surface.hessian(np.asarray(explorer_start(settings))), g0)
    except np.linalg.LinAlgError:
        newton_dir = np.zeros(2)
    firsts = {run: _unit(t.points[1] - t.points[0]) for run, t in runs.items() if t.n_steps}
    for run, step in firsts.items():
        numbers[f"{run}.cos_newton"] = float(np.dot(step, _unit(newton_dir)))
        for other, step2 in firsts.items():  # how alike two runs' first steps point
            if other != run:
                numbers[f"{run}.cos.{other}"] = float(np.dot(step, step2))
    choices = explorer.scene(settings)
    for run in runs:  # the stable-α limit at θ₀ (2/λ_max for gradient descent), where one exists
        hyper = dict(choices.hyper_of(run))
        limit = theory.step_limit(
            split_run_id(run)[0], surface, choices.start, float(hyper.get("momentum", 0))
        )
        if limit is not None:
            numbers[f"{run}.limit"] = float(limit.lr)
        beta = hyper.get("momentum")  # the hyperparameter β of momentum and Nesterov
        if beta is not None:  # a velocity of gradients that agree grows to 1/(1 − β) of one
            numbers[f"{run}.gain"] = 1.0 / (1.0 - float(beta))
        if "beta1" in hyper and "beta2" in hyper:  # uncorrected m/√v after one step, per coordinate
            numbers[f"{run}.first_ratio"] = (1 - float(hyper["beta1"])) / math.sqrt(1 - float(hyper["beta2"]))
    # the scene's own settings, so that a text quotes them instead of typing them again
    numbers.update({f"set.{k}": v for k, v in settings.items() if isinstance(v, int | float | str)})
    if surface.data is not None:
        m = len(surface.data[0])
        numbers["data.m"] = m
        numbers["data.batch"] = int(settings.get("batch", m))
        numbers["data.batches"] = m // int(settings.get("batch", m))
    last, seeds = settings.get("average_last"), settings.get("average_seeds")
    if last and seeds:
        min_value = surface.min_value or 0.0
        sums = dict.fromkeys(runs, 0.0)
        for seed in range(int(seeds)):
            _, noisy = explorer_runs(settings, seed=seed)
            for run, traj in noisy.items():
                sums[run] += float(np.mean(traj.losses[-int(last) :] - min_value)) / int(seeds)
        numbers.update({f"{run}.avg": v for run, v in sums.items()})
    return numbers


# --------------------------------------------------------------------------- figure studies


def newton_cost(n: float) -> dict[str, float]:
    """Slide 16: n parameters, the Hessian's n² entries, and inverting it costs about n³."""
    return {"params": float(n), "entries": float(n) ** 2, "inversion": float(n) ** 3}


def newton_cost_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    cost = newton_cost(float(settings["n"]))
    # at 1e12 operations per second (a fast GPU), how long one inversion takes; the Hessian's
    # memory at 8 bytes (float64) an entry
    return {
        **{f"cost.{k}": v for k, v in cost.items()},
        "cost.days": cost["inversion"] / 1e12 / 86400,
        "cost.terabytes": cost["entries"] * 8 / 1e12,
    }


FAMILIES = ("linear systems", "first order", "second order", "others")
# The lecture's map (slide 24): solvers outside this app, placed by the lecture's own lists.
LECTURE_SOLVERS: dict[str, tuple[str, ...]] = {
    "linear systems": ("LU", "QR", "Cholesky", "Jacobi", "Gauss-Seidel", "CG", "PCG"),
    "first order": ("gradient descent", "SGD"),
    "second order": ("Newton", "Gauss-Newton", "LM", "(L)BFGS"),
    "others": ("genetic algorithms", "MCMC", "Metropolis-Hastings", "Lagrange", "ADMM", "primal-dual"),
}


def family(name: str) -> str:
    """Where an app optimizer sits on slide 24's map, from its kind in the registry: a rule of
    the gradient alone is first order; curvature (the Hessian, JᵀJ of the residuals, or L-BFGS's
    quasi-Newton estimate from gradient changes) is second order, as the lecture lists (L)BFGS."""
    return "first order" if optimizers.OPTIMIZERS[name].kind == FIRST_ORDER else "second order"


def solver_map_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    out: dict[str, Value] = {f"{name}.family": family(name) for name in optimizers.OPTIMIZERS}
    for fam in FAMILIES:
        out[f"count.{fam.replace(' ', '_')}"] = sum(family(n) == fam for n in optimizers.OPTIMIZERS)
    return out


SCHEDULE_EPOCHS = 46  # the lecture's chart of the rate runs over 46 epochs


def schedule_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """α at epochs 0..3 of the scene's schedule (the lecture's 1/t example)."""
    spec = {"kind": settings["sched"], "decay_rate": settings["sched_decay_rate"]}
    lr0 = float(settings["lr"])
    factors = make_schedule(spec)(np.arange(SCHEDULE_EPOCHS))
    out: dict[str, Value] = {f"lr.{e}": float(lr0 * f) for e, f in enumerate(factors[:4])}
    out["curve.lr"] = tuple(float(lr0 * f) for f in factors)
    return out


# --------------------------------------------------------------------------- training studies


def practice_setup(settings: Mapping[str, Any]) -> Any:
    """The training-practice page's `Setup` from its settings (the page's keys, no `tr_`)."""
    from training.studies import Setup

    optimizer = settings.get("optimizer", "newton")
    hyper = tuple(
        sorted((k[len(optimizer) + 1 :], v) for k, v in settings.items() if k.startswith(optimizer + "_"))
    )
    batch = settings.get("batch", "full")
    layers, width = int(settings.get("layers", 1)), int(settings.get("width", 16))
    return Setup(
        dataset=settings.get("dataset", "sine"),
        n_samples=int(settings.get("n", 60)),
        noise=float(settings.get("noise", 0.3)),
        label_noise=float(settings.get("label_noise", 0.0)),
        seed=int(settings.get("seed", 0)),
        model=settings.get("model", "polynomial"),
        degree=int(settings.get("degree", 4)),
        hidden=(width,) * layers,
        l2=float(settings.get("l2", "0")),
        optimizer=optimizer,
        hyper=hyper,
        epochs=int(settings.get("epochs", 1)),
        batch_size=None if batch == "full" else int(batch),
    )


def capacity_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """Degrees 1 / 4 / 15 fitted by Newton: train and validation error of each, and which degree
    has the lowest of each."""
    from training import studies

    setup = practice_setup(settings)
    panels = studies.capacity_panels(setup)
    out: dict[str, Value] = {}
    for degree, panel in zip(studies.CAPACITY_DEGREES, panels, strict=True):
        out[f"d{degree}.train"] = panel.train_error
        out[f"d{degree}.val"] = panel.val_error
    out["best_train"] = int(studies.CAPACITY_DEGREES[int(np.argmin([p.train_error for p in panels]))])
    out["best_val"] = int(studies.CAPACITY_DEGREES[int(np.argmin([p.val_error for p in panels]))])
    return out


def selection_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """Train / validation / test: every degree 1..15 fitted on train, the one with the lowest
    validation error chosen, then its test error read once."""
    from training import studies

    setup = practice_setup(settings)
    X, y = setup.data()
    tr, va, te = setup.parts()
    vals, tests = [], []
    for degree in range(1, 16):
        s = setup.replace(degree=degree)
        h = studies.fit(s)
        vals.append(float(studies.error(s.build(), h.theta, X[va], y[va])))
        tests.append(float(studies.error(s.build(), h.theta, X[te], y[te])))
    best = int(np.argmin(vals))
    return {
        "curve.val": tuple(vals),
        "curve.test": tuple(tests),
        "n_train": len(tr),
        "n_val": len(va),
        "n_test": len(te),
        "chosen": best + 1,
        "chosen.val": vals[best],
        "chosen.test": tests[best],
    }


def early_stopping_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    from training import studies

    setup = practice_setup(settings)
    h = studies.fit(setup)
    train_err, val_err = studies.epoch_errors(h)
    best = h.best_epoch
    return {
        "curve.train": tuple(float(v) for v in train_err),
        "curve.val": tuple(float(v) for v in val_err),
        "epochs": h.epochs,
        "best_epoch": int(best),
        "val.best": float(val_err[best]),
        "val.final": float(val_err[-1]),
        "train.best": float(train_err[best]),
        "train.final": float(train_err[-1]),
        "iters_per_epoch": int(h.iters_per_epoch),
        "iterations": int(h.iters_per_epoch * h.epochs),
    }


def kfold_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """k-fold CV over the polynomial degree against a single split: which degree each picks and
    how much the folds disagree at the highest degree."""
    from training import studies

    setup = practice_setup(settings)
    k = int(settings["cv_k"])
    degrees = range(1, int(settings.get("max_degree", 15)) + 1)
    means, singles, spreads = [], [], []
    for d in degrees:
        folds, single = studies.cv_point(setup, "degree", d, k)
        means.append(float(np.mean(folds)))
        spreads.append(float(np.std(folds)))
        singles.append(single)
    return {
        "curve.degrees": tuple(degrees),
        "curve.cv": tuple(means),
        "curve.single": tuple(singles),
        "k": k,
        "pool": len(studies.cv_folds(setup, k)[0][0]) + len(studies.cv_folds(setup, k)[0][1]),
        "cv_pick": int(degrees[int(np.argmin(means))]),
        "single_pick": int(degrees[int(np.argmin(singles))]),
        "cv.best": float(min(means)),
        "spread.low": float(spreads[int(np.argmin(means))]),
        "spread.high": float(spreads[-1]),
        "max_degree": int(degrees[-1]),
    }


def bias_variance_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """The lecture's table: human-level, training and validation error, `training.studies.diagnose`."""
    from training import studies

    human, train, val = (float(settings[k]) for k in ("human", "train", "val"))
    d = studies.diagnose(human, train, val)
    return {
        "human": 100 * human,
        "train": 100 * train,
        "val": 100 * val,
        "bias": 100 * d.avoidable_bias,
        "variance": 100 * d.variance,
        "verdict": d.verdict,
        "remedy": d.remedy,
    }


def search_ranges(settings: Mapping[str, Any], prefix: str = "tune_cmp_") -> list[Any]:
    """The search page's searched ranges: the first and (unless "(none)") the second
    hyperparameter of `tune_optimizer`, each from its `lo`, `hi` and `scale` keys or the
    registry's slider range."""
    import sweeps

    opt = settings["tune_optimizer"]
    params = {p.name: p for p in optimizers.OPTIMIZERS[opt].hyper}
    ranges = []
    for which in ("first", "second"):
        name = settings.get(f"{prefix}{which}_{opt}", "(none)")
        if name == "(none)":
            continue
        p = params[name]
        lo = float(settings.get(f"{prefix}lo_{opt}_{name}", p.low))
        hi = float(settings.get(f"{prefix}hi_{opt}_{name}", p.high))
        log = settings.get(f"{prefix}scale_{opt}_{name}", "log" if p.log else "linear") == "log"
        ranges.append(sweeps.Range(name, lo, hi, log=log))
    return ranges


def grid_random_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """Grid against random search on the same budget (`sweeps.compare_grid_random`, the search
    page's comparison tab): how many of the random searches beat the grid, and how many distinct
    values of the first hyperparameter each tried."""
    import sweeps

    ranges = search_ranges(settings)
    n = int(settings.get("tune_cmp_n", 4))
    comp = sweeps.compare_grid_random(
        settings["tune_optimizer"],
        explorer_surface(settings),
        explorer_start(settings),
        ranges,
        grid=(n,) * len(ranges),
        seeds=tuple(range(int(settings.get("tune_cmp_seeds", 20)))),
        steps=int(settings.get("tune_cmp_steps", 300)),
    )
    grid_best = float(comp.grid.best_score)
    first = ranges[0].name
    return {
        "curve.random_best": tuple(float(v) for v in comp.random_best),
        "grid_best": grid_best,
        "budget": int(comp.grid.score.size),
        "seeds": len(comp.random_best),
        "random_wins": int(np.sum(comp.random_best < grid_best)),
        "grid_wins": int(np.sum(comp.random_best > grid_best)),
        "grid.values": len(np.unique(comp.grid.settings[first])),
        "random.values": len(np.unique(comp.random.settings[first])),
    }


def reddi_numbers(settings: Mapping[str, Any]) -> dict[str, Value]:
    """Reddi, Kale & Kumar's online counterexample (ICLR 2018, section 3): on x ∈ [−1, 1] the
    loss at step t is C·x when t mod 3 = 1 and −x otherwise, so the average loss (C − 2)·x/3 is
    smallest at x = −1. Each optimizer's rule from the registry runs on these gradients with
    α_t = α/√t and is projected back onto [−1, 1] after each step."""
    C, steps, lr = float(settings["C"]), int(settings["steps"]), float(settings["lr"])
    beta1, beta2 = float(settings["beta1"]), float(settings["beta2"])
    out: dict[str, Value] = {"C": C, "steps": steps, "lr": lr, "beta1": beta1, "beta2": beta2}
    for name in settings["opts"]:
        info = optimizers.OPTIMIZERS[name]
        hyper = {p.name: p.default for p in info.hyper if p.name != "lr"}
        hyper.update(beta1=beta1, beta2=beta2)
        rule = info.factory(**hyper)
        theta = np.array(float(settings.get("x0", 1.0)))
        state = rule.init(theta)
        regret, xs = 0.0, [float(theta)]
        for t in range(1, steps + 1):
            g = C if t % 3 == 1 else -1.0
            regret += g * float(theta) - (C if t % 3 == 1 else -1.0) * -1.0
            theta, state = rule.step(theta, np.array(g), state, lr / math.sqrt(t))
            theta = np.clip(theta, -1.0, 1.0)
            xs.append(float(theta))
        out[f"{name}.x"] = float(theta)
        out[f"curve.{name}"] = tuple(xs)
        out[f"{name}.avg_regret"] = regret / steps
    return out


STUDIES: dict[str, Callable[[Mapping[str, Any]], dict[str, Value]]] = {
    "runs": explorer_numbers,
    "newton_cost": newton_cost_numbers,
    "solver_map": solver_map_numbers,
    "schedule": schedule_numbers,
    "capacity": capacity_numbers,
    "selection": selection_numbers,
    "early_stopping": early_stopping_numbers,
    "kfold": kfold_numbers,
    "bias_variance": bias_variance_numbers,
    "grid_random": grid_random_numbers,
    "reddi": reddi_numbers,
}


def measure(scene: LectureScene, change: Mapping[str, Any] | None = None) -> dict[str, Value]:
    """The scene's numbers on the engine (with `change` applied to its settings)."""
    settings = {**scene.options, **scene.settings, **(change or {})}
    return STUDIES[scene.study](settings)


@dataclass(frozen=True)
class Outcome:
    """A scene decided: its numbers, the right answers (one when all is well) and the follow-up's."""

    numbers: dict[str, Value]
    right: list[int]
    try_numbers: dict[str, Value] = field(default_factory=dict)
    try_holds: bool = False


def decide(scene: LectureScene, progress: Callable[[int, int], None] | None = None) -> Outcome:
    """The scene's numbers, its right answers and its follow-up's, from its two studies (its own
    settings and the follow-up's change); `progress(done, 2)` after each."""
    numbers = measure(scene)
    if progress is not None:
        progress(1, 2)
    changed = measure(scene, dict(scene.try_this.change))
    if progress is not None:
        progress(2, 2)
    return Outcome(
        numbers,
        right_answers(scene, numbers),
        changed,
        all(c.holds(changed) for c in scene.try_this.claims),
    )


# Seconds `decide` takes for a scene of each study, cold, measured on the team's 2-core machine
# (grid-vs-random 2.0, k-fold 0.8, train-val-test 0.6, Reddi 0.4; an explorer scene 0.1-0.4).
# The job runner (`ui.jobs`) sends a scene estimated at 0.3 s or more to the worker pool.
STUDY_SECONDS = {"grid_random": 2.0, "kfold": 0.9, "selection": 0.6, "reddi": 0.45, "early_stopping": 0.3}


def estimated_seconds(scene: LectureScene) -> float:
    """How long deciding `scene` takes here (its study's measured time; 0.2 s for the others)."""
    return STUDY_SECONDS.get(scene.study, 0.2)
