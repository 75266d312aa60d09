"""The lecture as data: an ordered sequence of scenes, each tied to its slide, with a question
whose right answer is decided on the engine's numbers (pure: no streamlit, no plotly).

A `LectureScene` names a page and its settings (the explorer's or the search page's URL keys, the
training-practice page's keys without their `tr_` prefix, or a figure's own parameters) and any
options of its study that are no page setting, a question with two to four
`Answer`s, the explanation and a "try this" follow-up. Nothing in a scene is a typed verdict:

- `measure(scene)` runs the scene's study on the engine (`optimizers.run`, `training.studies`,
  `sweeps`) and returns named numbers, e.g. ``{"sgd.hit": 37, "rmsprop.final": 2e-9}``;
- an `Answer` holds when all of its `Claim`s hold on those numbers (`holds`); exactly one answer
  of every scene holds, which `tests/test_lecture_scenes.py` checks;
- the question, answers, explanation and follow-up fill ``{name}`` or ``{name:.3g}`` placeholders
  from the same numbers (`fill`), so no number in them is typed.

Slide numbers: ../shared/LECTURE.md lists the lecture's content in order, without numbers; they
are counted here from its order, anchored where the issue names them (Adam's bias correction on
slides 10-11, Newton's cost on 16, "full batch only" on 23, the map of solvers on 24).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers
from optimizers import theory
from optimizers.registry import FIRST_ORDER
from optimizers.schedules import make_schedule
from scenes import explorer

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
        return format(value, spec)
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{value:.3g}"


def fill(text: str, numbers: Mapping[str, Value]) -> str:
    """`text` with each {name} or {name:spec} replaced by that measured number (inf reads
    "never"; the spec "when" reads a step as "at step 12" or "never", "steps" a count as "1 step"
    or "3 steps"); an unknown name raises KeyError (a test walks every text of every scene)."""
    return _FIELD.sub(lambda m: _fmt(numbers[m.group(1)], m.group(2) or ""), text)


def right_answers(scene: LectureScene, numbers: Mapping[str, Value]) -> list[int]:
    """Indices of the answers whose claims all hold (exactly one, when the scene is right)."""
    return [i for i, a in enumerate(scene.answers) if all(c.holds(numbers) for c in a.claims)]


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
        if "momentum" in hyper:  # a velocity of gradients that agree grows to 1/(1 − β) of one
            numbers[f"{run}.gain"] = 1.0 / (1.0 - float(hyper["momentum"]))
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
    # at 1e12 operations per second (a fast GPU), how long one inversion takes
    return {**{f"cost.{k}": v for k, v in cost.items()}, "cost.days": cost["inversion"] / 1e12 / 86400}


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


def decide(scene: LectureScene) -> Outcome:
    numbers = measure(scene)
    changed = measure(scene, dict(scene.try_this.change))
    return Outcome(
        numbers,
        right_answers(scene, numbers),
        changed,
        all(c.holds(changed) for c in scene.try_this.claims),
    )


# --------------------------------------------------------------------------- the scenes


def _c(
    left: str, op: str, value: Value | None = None, *, other: str | None = None, factor: float = 1.0
) -> Claim:
    return Claim(left, op, value, other, factor)


def _a(text: str, *claims: Claim) -> Answer:
    return Answer(text, claims)


def _order3(a: str, b: str, what: str, label_a: str, label_b: str) -> tuple[Answer, ...]:
    """'a first', 'b first', 'a tie' on a measured number (e.g. steps to tolerance)."""
    return (
        _a(label_a, _c(f"{a}.{what}", "<", other=f"{b}.{what}")),
        _a(label_b, _c(f"{b}.{what}", "<", other=f"{a}.{what}")),
        _a("They tie", _c(f"{a}.{what}", "==", other=f"{b}.{what}")),
    )


SCENES: tuple[LectureScene, ...] = (
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
        "n = {cost.params:.0e} parameters give n² = {cost.entries:.0e} Hessian entries (8 TB in "
        "float64), and inverting it costs about n³ = {cost.inversion:.0e} operations: "
        "{cost.days:.1f} days per iteration at 10¹² operations per second. Impractical for deep "
        "learning.",
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
        "The app places each of its methods by what it needs: the gradient only is first order "
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
        {
            "surface": "quadratic",
            "opts": ["sgd", "sgd~2"],
            "steps": 300,
            "sgd_lr": 0.05,
            "sgd~2_lr": 0.05,
            "sgd~2_sched": "inverse_time",
            "sgd~2_sched_decay_rate": 0.1,
            "noise": 2.0,
            "ema": 0.9,
        },
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

# The order of the lecture: by first slide, myths right after the slide they belong to.
SCENES = tuple(sorted(SCENES, key=lambda s: (s.slides[0], s.myth)))
BY_ID: dict[str, LectureScene] = {s.id: s for s in SCENES}
