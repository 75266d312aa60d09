"""The explorer's lesson presets, each with the claims its note makes, as data a test checks.

A preset is a scene (widget keys -> values, as the explorer's settings table names them) with a
title and a note; its `Claim`s say what the note promises in numbers: who converges and by which
step, who never gets within the tolerance, who diverges, who ends closer to the minimum, what kind
of point a run stops at, how many LM trials are rejected. `scene_runs` runs a scene with the
explorer's own defaults (the surface's suggested α and steps, the registry's defaults), and
`check` decides a claim on the engine's numbers. No streamlit here: tests import it directly.

Run ids: the optimizer's name for its first run, "<name>~2", "<name>~3" for copies
(`figures.split_run_id`). A copy has its own hyperparameters (`sgd~2_lr`) and its own schedule
(`sgd~2_sched`, `sgd~2_sched_decay_rate`); the first run of each optimizer uses the page's schedule
(`sched`, `sched_decay_rate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import optimizers
import surfaces
from figures import split_run_id
from optimizers.schedules import SCHEDULES

TOL = 1e-3  # the page's default tolerance for "steps to tolerance": L(θ_k) − L* ≤ TOL
DEFAULT_SURFACE = "quadratic"
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
MAX_STEPS = 500  # the steps slider's maximum


@dataclass(frozen=True)
class Claim:
    """One thing a preset's note says about run `run`, checkable on the engine's numbers.

    Every field that is set must hold. `change` runs the scene with some settings changed (the
    note's "try α = 0.01"). With `seeds` > 1 (noisy gradients), `beats` compares the mean of
    L − L* over the last `last` steps, averaged over seeds 0 .. seeds − 1.
    """

    text: str  # the claim in the note's words
    run: str
    status: str | None = None  # "converged", "diverged" or "max_steps"
    within: int | None = None  # L − L* <= TOL by this step
    never_within: bool = False  # L − L* > TOL at every step
    beats: str | None = None  # ends with a smaller L − L* than this run
    point: str | None = None  # converged at a "minimum", "saddle", "maximum" or "degenerate" point
    near: tuple[float, float] | None = None  # ends within `radius` of this point
    radius: float = 0.0
    rejections: int | None = None  # at least this many rejected LM trials, and the last one accepted
    change: tuple[tuple[str, Any], ...] = ()
    last: int = 1
    seeds: int = 1


@dataclass(frozen=True)
class Preset:
    title: str
    note: str
    settings: dict[str, Any]
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class Verdict:
    holds: bool
    why: str  # the numbers that decided, for a failing test's message


PRESETS: dict[str, Preset] = {
    "rmsprop_valley": Preset(
        "RMSProp in the elongated valley",
        "At condition number κ = 100 the valley is 100 times steeper across than along. SGD's α "
        "must stay below 2/(2κ) = 0.01 or its steps across the valley grow, so at α = 0.009 it "
        "crawls along the floor: after 200 steps it is still about 0.009 above L*. RMSProp divides "
        "each gradient component by the root of its running mean square: the oscillation across is "
        "damped, the progress along speeds up, and it converges in about 70 steps, whatever κ. "
        "Try SGD with α = 0.015: it diverges.",
        {
            "surface": "quadratic",
            "quadratic_condition": 100.0,
            "opts": ["sgd", "rmsprop"],
            "steps": 200,
            "sgd_lr": 0.009,
            "rmsprop_lr": 0.1,
        },
        (
            Claim("RMSProp converges in about 70 steps", "rmsprop", status="converged", within=80),
            Claim("SGD never gets within the tolerance", "sgd", status="max_steps", never_within=True),
            Claim("RMSProp ends closer to the minimum than SGD", "rmsprop", beats="sgd"),
            Claim("SGD with α = 0.015 diverges", "sgd", status="diverged", change=(("sgd_lr", 0.015),)),
        ),
    ),
    "newton_linreg": Preset(
        "Newton on linear regression: one step",
        "The loss of linear regression is quadratic in (w, b), so Newton's second-order Taylor "
        "model is exact: one step lands on the least-squares solution. SGD needs many more than 30.",
        {"surface": "linear_regression", "opts": ["sgd", "newton"], "steps": 30, "sgd_lr": 0.1},
        (
            Claim("Newton lands on the minimum in one step", "newton", status="converged", within=1),
            Claim("SGD is not there after 30 steps", "sgd", never_within=True),
        ),
    ),
    "lm_blend": Preset(
        "LM blends gradient descent and Gauss-Newton",
        "On the curve fit a·exp(b·t), Levenberg-Marquardt starts with a large damping λ₀ = 100 "
        "(short, gradient-like steps) and divides λ by 10 after each step that lowers the loss, "
        "ending with Gauss-Newton steps: it converges a few steps after Gauss-Newton itself, while "
        "SGD is still far. The λ panel under the learning-rate tab shows λ_k.",
        {
            "surface": "curve_fit",
            "opts": ["sgd", "gauss_newton", "lm"],
            "steps": 40,
            "sgd_lr": 0.05,
            "lm_damping": 100.0,
            "view": "Learning rate",
        },
        (
            Claim("Gauss-Newton converges within 10 steps", "gauss_newton", status="converged", within=10),
            Claim("LM converges within 15 steps", "lm", status="converged", within=15),
            Claim("SGD does not get within the tolerance", "sgd", never_within=True),
        ),
    ),
    "lm_rejects": Preset(
        "LM rejects steps and recovers",
        "On Himmelblau's function from (0.5, −0.5) with a small damping λ₀ = 0.001, the first "
        "Gauss-Newton-like trial steps raise the loss: LM rejects them (θ stays put) and multiplies "
        "λ by 10 each time, until the damped step is short enough to go downhill. Then λ falls "
        "again and LM converges in a few more steps. The λ panel marks rejected steps with ✕.",
        {
            "surface": "himmelblau",
            "start_x": 0.5,
            "start_y": -0.5,
            "opts": ["lm"],
            "steps": 60,
            "lm_damping": 0.001,
            "view": "Learning rate",
        },
        (
            Claim(
                "LM rejects at least 3 trials, then converges to a minimum within 15 steps",
                "lm",
                status="converged",
                within=15,
                point="minimum",
                rejections=3,
            ),
        ),
    ),
    "adam_rosenbrock": Preset(
        "Adam vs momentum on Rosenbrock",
        "Rosenbrock's banana valley is narrow and curved. Momentum builds up speed along the floor "
        "and gets close to the minimum (1, 1) in 300 steps; Adam's steps have a length of about α "
        "per coordinate, so it crawls along the bend and ends far from it. Try a larger α for "
        "Adam, or more steps.",
        {
            "surface": "rosenbrock",
            "opts": ["momentum", "adam"],
            "steps": 300,
            "momentum_lr": 0.0015,
            "adam_lr": 0.1,
        },
        (
            Claim("Momentum gets close to (1, 1)", "momentum", near=(1.0, 1.0), radius=0.15),
            Claim("Momentum ends closer to the minimum than Adam", "momentum", beats="adam"),
        ),
    ),
    "too_large_lr": Preset(
        "Too large a learning rate diverges",
        "With α above 2 divided by the largest curvature (here 2/20 = 0.1), every step across the "
        "valley overshoots by more than it corrects: SGD at α = 0.15 diverges, the loss grows "
        "without bound. The path is drawn until it leaves finite values, and the table flags the "
        "run. Adam's steps stay about α long, so it does not diverge.",
        {"surface": "quadratic", "opts": ["sgd", "adam"], "sgd_lr": 0.15},
        (
            Claim("SGD at α = 0.15 diverges", "sgd", status="diverged"),
            Claim("Adam does not diverge", "adam", status="max_steps"),
        ),
    ),
    "decay": Preset(
        "Learning-rate decay with noisy gradients",
        "Two copies of SGD with the same α = 0.05 and the same noisy gradients. At a constant α "
        "(orange) the noise keeps SGD bouncing around the minimum, about 0.1 above L\\*; with "
        "1/t decay (the dark copy, SGD #2) α is high far from the minimum and low close to it, so it "
        "settles about ten times closer. The EMA slider smooths the curves, as for training curves: "
        "one noisy draw, such as the final loss in the table, can go either way, while the mean over "
        "the last 30 steps favours decay on every seed (try a few).",
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
        (
            Claim(
                "With decay SGD ends closer to the minimum, on average over the last 30 steps and 10 seeds",
                "sgd~2",
                beats="sgd",
                last=30,
                seeds=10,
            ),
            Claim("... and on the scene's own seed", "sgd~2", beats="sgd", last=30),
        ),
    ),
    "newton_maximum": Preset(
        "Newton stops at a maximum",
        "Newton's step jumps to the stationary point of the local quadratic model, whatever its "
        "kind. On Himmelblau's function from (0, 0) that is the local maximum: the gradient "
        "vanishes there, so the run stops, and the table says it stopped at a maximum. LM only "
        "accepts steps that lower the loss, so it goes downhill to a minimum.",
        {"surface": "himmelblau", "opts": ["newton", "lm"], "steps": 50},
        (
            Claim("Newton stops at a maximum", "newton", status="converged", point="maximum"),
            Claim("LM reaches a minimum", "lm", status="converged", point="minimum"),
        ),
    ),
}


# --------------------------------------------------------------------------- running a scene


def schedule_prefix(run: str) -> str:
    """The settings prefix of a run's schedule: "sched" for an optimizer's first run (the page's
    schedule), "<run>_sched" for a copy (its own)."""
    return "sched" if split_run_id(run)[1] == 1 else f"{run}_sched"


def run_spec(settings: Mapping[str, Any], run: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A run's hyperparameters and schedule (None: constant) as the explorer sets them up."""
    name, _ = split_run_id(run)
    sinfo = surfaces.SURFACES[settings.get("surface", DEFAULT_SURFACE)]
    hyper = {}
    for p in optimizers.OPTIMIZERS[name].hyper:
        default = sinfo.suggested_lr.get(name, p.default) if p.name == "lr" else p.default
        hyper[p.name] = settings.get(f"{run}_{p.name}", default)
    prefix = schedule_prefix(run)
    kind = settings.get(prefix, "constant")
    if kind == "constant":
        return hyper, None
    params = {p.name: settings.get(f"{prefix}_{p.name}", p.default) for p in SCHEDULES[kind].params}
    return hyper, {"kind": kind, **params}


def scene_runs(settings: Mapping[str, Any], seed: int | None = None) -> tuple[Any, dict[str, Any]]:
    """The scene's Surface and run id -> Trajectory of each of its runs (full batch), as the
    explorer runs them; `seed` replaces the scene's noise seed."""
    name = settings.get("surface", DEFAULT_SURFACE)
    sinfo = surfaces.SURFACES[name]
    params = {p.name: settings[f"{name}_{p.name}"] for p in sinfo.params if f"{name}_{p.name}" in settings}
    surface = surfaces.get_surface(name, **params)
    start = (settings.get("start_x", sinfo.default_start[0]), settings.get("start_y", sinfo.default_start[1]))
    steps = settings.get("steps", min(sinfo.suggested_steps, MAX_STEPS))
    out = {}
    for run in settings.get("opts", DEFAULT_OPTIMIZERS):
        hyper, schedule = run_spec(settings, run)
        out[run] = optimizers.run(
            split_run_id(run)[0],
            surface,
            np.asarray(start, dtype=float),
            int(steps),
            schedule=schedule,
            noise=float(settings.get("noise", 0.0)),
            seed=int(settings.get("seed", 0) if seed is None else seed),
            **hyper,
        )
    return surface, out


def _gap(traj, min_value: float, last: int) -> float:
    return float(np.mean(traj.losses[-last:] - min_value))


def mean_gaps(claim: Claim, settings: Mapping[str, Any]) -> dict[str, float]:
    """Mean of L − L* over the last `claim.last` steps and seeds 0 .. claim.seeds − 1, for the
    claim's run and the run it beats."""
    settings = {**settings, **dict(claim.change)}
    sums = {claim.run: 0.0, claim.beats: 0.0}
    for seed in range(claim.seeds):
        surface, runs = scene_runs(settings, seed=seed if claim.seeds > 1 else None)
        min_value = surface.min_value
        for run in sums:
            sums[run] += _gap(runs[run], min_value, claim.last) / claim.seeds
    return sums


def check(claim: Claim, settings: Mapping[str, Any]) -> Verdict:
    """Whether `claim` holds for the scene `settings`, with the numbers that decided."""
    surface, runs = scene_runs({**settings, **dict(claim.change)})
    traj = runs[claim.run]
    gaps = traj.losses - surface.min_value
    hit = traj.first_hit(surface.min_value + TOL)
    facts = [
        f"status {traj.status} ({traj.ending.point}) after {traj.n_steps} steps, final L−L* {gaps[-1]:.3g}"
    ]
    ok = True
    if claim.status is not None:
        ok &= traj.status == claim.status
    if claim.within is not None:
        facts.append(f"within tol at step {hit}")
        ok &= hit is not None and hit <= claim.within
    if claim.never_within:
        ok &= hit is None
    if claim.point is not None:
        ok &= traj.ending.point == claim.point
    if claim.near is not None:
        dist = float(np.hypot(*(traj.points[-1] - np.asarray(claim.near))))
        facts.append(f"ends {dist:.3g} from {claim.near}")
        ok &= dist <= claim.radius
    if claim.rejections is not None:
        accepted = traj.records.get("accepted", np.ones(0))
        facts.append(f"{int((accepted == 0).sum())} rejected trials")
        ok &= bool((accepted == 0).sum() >= claim.rejections and accepted[-1] == 1)
    if claim.beats is not None:
        means = mean_gaps(claim, settings)
        facts.append(f"mean L−L*: {means}")
        ok &= means[claim.run] < means[claim.beats]
    return Verdict(bool(ok), "; ".join(facts))


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def run_labels(specs: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]]) -> dict[str, str]:
    """Run id -> legend label, from each run's (hyperparameters, schedule {"kind": ...}).

    An optimizer run once is just its label ("Adam"). Runs of one optimizer say how they differ:
    α always, any other hyperparameter whose values differ, and the schedule when it is not
    constant: "SGD, α 0.05" and "SGD, α 0.05, 1/t decay".
    """
    by_name: dict[str, list[str]] = {}
    for run in specs:
        by_name.setdefault(split_run_id(run)[0], []).append(run)
    labels = {}
    for run, (hyper, schedule) in specs.items():
        name = split_run_id(run)[0]
        label = optimizers.OPTIMIZERS[name].label
        siblings = by_name[name]
        if len(siblings) > 1:
            differing = [
                key for key in hyper if key == "lr" or len({repr(specs[r][0].get(key)) for r in siblings}) > 1
            ]
            parts = [("α" if key == "lr" else key) + " " + _short(hyper[key]) for key in differing]
            if schedule.get("kind", "constant") != "constant":
                parts.append(SCHEDULES[schedule["kind"]].label)
            label = ", ".join([label, *parts])
        labels[run] = label
    return labels
