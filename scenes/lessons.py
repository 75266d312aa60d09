"""The explorer's lessons: preset scenes whose notes are made of claims, decided on the runs shown.

A preset is a scene (setting keys -> values, as `scenes.explorer`'s table names them) with a title,
a note and the `Claim`s the note makes (`scenes.claims`). The note is a template: every number in
it (`{sgd_lr}`, `{kappa}`, `{sgd_limit}`, `{rmsprop_steps_run}`) is a fact of the scene on screen
(`scenes.explorer.facts`), never typed. `note` decides the claims on the runs on screen, every
rerun: when all hold the note is shown with the scene's numbers; when one fails, the note is not
shown and the page says instead what the runs did and what changed (the preset's `context`, such
as the stability limit at this κ). A lesson stays on screen while settings it does not own change
(the page drops it once one it sets changes), so its claims must be decided live.

Run ids: the optimizer's name for its first run, "<name>~2", "<name>~3" for copies
(`figures.split_run_id`). A copy has its own hyperparameters (`sgd~2_lr`) and its own schedule
(`sgd~2_sched`, `sgd~2_sched_decay_rate`); the first run of each optimizer uses the page's schedule
(`sched`, `sched_decay_rate`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scenes.claims import TOL, Claim, Evidence, Verdict, fill
from scenes.claims import check as check_on

__all__ = ["PRESETS", "TOL", "Claim", "Preset", "Verdict", "note"]

DEFAULT_SURFACE = "quadratic"
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
IGNORED = ("view", "ema")  # ways of looking at a scene: a lesson does not own them
# Lesson data (until the optimizer registry records it): the methods that divide each coordinate
# of the gradient by its own running scale, which the rotated-valley note speaks of.
PER_COORDINATE_SCALING = ("rmsprop", "adam", "adagrad")


@dataclass(frozen=True)
class Preset:
    title: str
    note: str  # a template: `{name}` is a fact of the scene (`scenes.explorer.facts`)
    settings: dict[str, Any]
    claims: tuple[Claim, ...]
    context: str = ""  # said, filled in, when a claim fails: what the scene's numbers are now

    def owns(self, key: str) -> bool:
        """Whether the lesson sets `key` (changing it leaves the lesson)."""
        return key in self.settings and key not in IGNORED


PRESETS: dict[str, Preset] = {
    "rmsprop_valley": Preset(
        "RMSProp in the elongated valley",
        "At condition number κ = {kappa:.3g} the valley is {kappa:.3g} times steeper across than "
        "along. SGD's α must stay below 2/λ_max = {sgd_limit:.3g} or its steps across the valley "
        "grow, so at α = {sgd_lr} it crawls along the floor: after {steps} steps it is still about "
        "{sgd_gap:.2g} above L*. RMSProp divides each gradient component by the root of its running "
        "mean square; the valley here lies along the axes, so this damps the oscillation across it "
        "and speeds up the progress along it: RMSProp converges in {rmsprop_steps_run} steps. Try "
        "SGD with α = 0.015: it diverges.",
        {
            "surface": "quadratic",
            "quadratic_condition": 100.0,
            "opts": ["sgd", "rmsprop"],
            "steps": 200,
            "sgd_lr": 0.009,
            "rmsprop_lr": 0.1,
        },
        (
            Claim("RMSProp converges within 80 steps", "rmsprop", status="converged", within=80),
            Claim("SGD never gets within the tolerance", "sgd", status="max_steps", never_within=True),
            Claim("RMSProp ends closer to the minimum than SGD", "rmsprop", beats="sgd"),
            Claim("SGD with α = 0.015 diverges", "sgd", status="diverged", change=(("sgd_lr", 0.015),)),
        ),
        context="Here κ = {kappa:.3g} and SGD's stability limit is 2/λ_max = {sgd_limit:.3g}.",
    ),
    "newton_linreg": Preset(
        "Newton on linear regression: one step",
        "The loss of linear regression is quadratic in (w, b), so Newton's second-order Taylor "
        "model is exact: one step lands on the least-squares solution. SGD at α = {sgd_lr} is not "
        "there after {steps} steps.",
        {"surface": "linear_regression", "opts": ["sgd", "newton"], "steps": 30, "sgd_lr": 0.1},
        (
            Claim("Newton lands on the minimum in one step", "newton", status="converged", within=1),
            Claim("SGD is not there after {steps} steps", "sgd", never_within=True),
        ),
    ),
    "lm_blend": Preset(
        "LM blends gradient descent and Gauss-Newton",
        "On the curve fit a·exp(b·t), Levenberg-Marquardt starts with a large damping "
        "λ₀ = {lm_damping} (short, gradient-like steps) and divides λ by 10 after each step that "
        "lowers the loss, ending with Gauss-Newton steps: Gauss-Newton converges in "
        "{gauss_newton_steps_run} steps, LM in {lm_steps_run}, while SGD is still far. The λ panel "
        "under the learning-rate tab shows λ_k.",
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
        "On Himmelblau's function from ({start_x:.3g}, {start_y:.3g}) with a small damping "
        "λ₀ = {lm_damping}, the first Gauss-Newton-like trial steps raise the loss: LM rejects them "
        "(θ stays put) and multiplies λ by 10 each time, until the damped step is short enough to go "
        "downhill ({lm_rejected} trials rejected in all). Then λ falls again and LM converges to a "
        "minimum at step {lm_steps_run}. The λ panel marks rejected steps with ✕.",
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
        "and gets close to the minimum ({min_x:.3g}, {min_y:.3g}) in {steps} steps; Adam's steps "
        "have a length of about α = {adam_lr} per coordinate, so it crawls along the bend and ends "
        "farther from it. Try a larger α for Adam, or more steps.",
        {
            "surface": "rosenbrock",
            "opts": ["momentum", "adam"],
            "steps": 300,
            "momentum_lr": 0.0015,
            "adam_lr": 0.1,
        },
        (
            Claim("Momentum gets close to the minimum", "momentum", near_minimum=True, radius=0.15),
            Claim("Momentum ends closer to the minimum than Adam", "momentum", beats="adam"),
        ),
    ),
    "too_large_lr": Preset(
        "Too large a learning rate diverges",
        "With α above 2 divided by the largest curvature (here 2/{lambda_max:.3g} = {sgd_limit:.3g}), "
        "every step across the valley overshoots by more than it corrects: SGD at α = {sgd_lr} "
        "diverges, the loss grows without bound. The path is drawn until it leaves finite values, "
        "and the table flags the run. Adam's steps stay about α long, so it does not diverge.",
        {"surface": "quadratic", "opts": ["sgd", "adam"], "sgd_lr": 0.15},
        (
            Claim("SGD at α = {sgd_lr} diverges", "sgd", status="diverged"),
            Claim("Adam does not diverge", "adam", status="max_steps"),
        ),
        context="SGD's stability limit here is 2/λ_max = {sgd_limit:.3g}.",
    ),
    "decay": Preset(
        "Learning-rate decay with noisy gradients",
        "Two copies of SGD with the same α = {sgd_lr} and the same noisy gradients (σ = {noise}). "
        "At a constant α the noise keeps SGD bouncing around the minimum; with 1/t decay (SGD #2) "
        "α is high far from the minimum and low close to it, so it settles closer: over the last "
        "30 steps the loss averages {sgd~2_mean:.3g} with decay against {sgd_mean:.3g} without (the "
        "table's mean column; one noisy draw, such as the final loss, can go either way). Decay "
        "also wins on average over 10 seeds. The EMA slider smooths the curves, as for training "
        "curves.",
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
        "kind. On Himmelblau's function from ({start_x:.3g}, {start_y:.3g}) that is the local "
        "maximum: the gradient vanishes there, so the run stops, and the table says it stopped at "
        "a maximum. LM only accepts steps that lower the loss, so it goes downhill to a minimum.",
        {"surface": "himmelblau", "opts": ["newton", "lm"], "steps": 50},
        (
            Claim("Newton stops at a maximum", "newton", status="converged", point="maximum"),
            Claim("LM reaches a minimum", "lm", status="converged", point="minimum"),
        ),
    ),
}


@dataclass(frozen=True)
class Note:
    """What the page shows for a lesson: its note when every claim holds, else what happened."""

    holds: bool
    text: str
    verdicts: tuple[Verdict, ...] = ()


def note(preset: Preset, evidence: Evidence, facts: Mapping[str, Any], tol: float = TOL) -> Note:
    """The lesson's note decided on `evidence` (the runs on screen): the note with the scene's
    numbers when all its claims hold; otherwise, instead of the note, what the runs did."""
    verdicts = tuple(check_on(c, evidence, tol) for c in preset.claims)
    if all(v.holds for v in verdicts):
        try:
            return Note(True, fill(preset.note, facts), verdicts)
        except KeyError as exc:  # a number the note states does not exist in this scene
            return Note(
                False, f"The lesson's note cannot be stated here (no {exc.args[0]} in this scene).", verdicts
            )
    failed = []
    for claim, verdict in zip(preset.claims, verdicts, strict=True):
        if verdict.holds:
            continue
        try:
            said = fill(claim.text, facts)
        except KeyError:
            said = claim.text
        failed.append(f"it says “{said}”, but here {verdict.observed}")
    parts = ["In this scene the lesson's note does not hold, so it is not shown: " + "; ".join(failed) + "."]
    if preset.context:
        with contextlib.suppress(KeyError):
            parts.append(fill(preset.context, facts))
    return Note(False, " ".join(parts), verdicts)
