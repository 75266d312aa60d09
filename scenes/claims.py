"""Claims: what a sentence on a page promises about runs, as data decided on the engine's numbers.

A `Claim` says something about one run of a scene (who converges and by which step, who never gets
within the tolerance, who diverges, who ends closer to the minimum, what kind of point a run stops
at, how many LM trials are rejected). `check` decides it on `Evidence`: the scene's surface and the
runs already computed (the runs on screen, every rerun); only a claim that needs a variant of the
scene (the note's "try α = 0.015", or other noise seeds) asks the evidence for more runs.

A claim's text is a template: `{name}` is filled from the scene's facts (`fill`), so the numbers a
sentence states are the scene's own, never typed. `Verdict.observed` says in words what the runs
did, so a page can say what changed when a claim no longer holds. Pure: no streamlit, no plotly.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from scenes.settings import fmt

TOL = 1e-3  # the default tolerance for "within": L(θ_k) − L* ≤ TOL


@dataclass(frozen=True)
class Claim:
    """One thing a note says about run `run`, checkable on the engine's numbers.

    Every field that is set must hold. `change` runs the scene with some settings changed (the
    note's "try α = 0.01"). `beats` compares the mean of L − L* over the last `last` steps,
    averaged over seeds 0 .. seeds − 1 when `seeds` > 1 (noisy gradients: never one lucky draw).
    """

    text: str  # the claim in the note's words; `{name}` is a fact of the scene (`fill`)
    run: str
    status: str | None = None  # "converged", "diverged" or "max_steps"
    within: int | None = None  # L − L* <= TOL by this step
    never_within: bool = False  # L − L* > TOL at every step
    beats: str | None = None  # ends with a smaller L − L* than this run
    point: str | None = None  # converged at a "minimum", "saddle", "maximum" or "degenerate" point
    near: tuple[float, float] | None = None  # ends within `radius` of this point
    near_minimum: bool = False  # ends within `radius` of the surface's nearest minimum
    radius: float = 0.0
    rejections: int | None = None  # at least this many rejected LM trials, and the last one accepted
    change: tuple[tuple[str, Any], ...] = ()
    last: int = 1
    seeds: int = 1

    def runs(self) -> tuple[str, ...]:
        """The runs the claim speaks of (both must be on screen for it to be decided)."""
        return (self.run,) if self.beats is None else (self.run, self.beats)


@dataclass(frozen=True)
class Verdict:
    holds: bool
    why: str  # the numbers that decided, for a failing test's message
    observed: str = ""  # what the runs did, in words a page can show


class Evidence(Protocol):
    """A scene's surface and its runs (run id -> Trajectory), and the same scene changed."""

    @property
    def surface(self) -> Any: ...

    @property
    def runs(self) -> Mapping[str, Any]: ...

    def label(self, run: str) -> str: ...

    def variant(self, change: Mapping[str, Any], seed: int | None = None) -> Evidence: ...


def fill(text: str, facts: Mapping[str, Any]) -> str:
    """`text` with each `{name}` replaced by the fact (numbers as short text: 0.15, 1e-08, 100).
    Raises KeyError naming a fact the scene does not have."""
    out = []
    for literal, name, spec, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            value = facts[name]
            out.append(format(value, spec) if spec else _short(value))
    return "".join(out)


def _short(value: Any) -> str:
    """A fact as a note states it: a float to 3 significant digits, anything else as `fmt` writes it."""
    return f"{float(value):.3g}" if isinstance(value, float | np.floating) else fmt(value)


def mean_gap(traj: Any, min_value: float, last: int) -> float:
    """Mean of L − L* over the last `last` steps of a run (all its steps if it has fewer)."""
    return float(np.mean(np.asarray(traj.losses[-last:], dtype=float) - min_value))


def mean_gaps(claim: Claim, evidence: Evidence) -> dict[str, float]:
    """Mean of L − L* over the last `claim.last` steps and seeds 0 .. claim.seeds − 1, for the
    claim's run and the run it beats (the evidence's own runs when `seeds` is 1)."""
    sums = dict.fromkeys(claim.runs(), 0.0)
    for seed in range(claim.seeds):
        e = evidence.variant({}, seed=seed) if claim.seeds > 1 else evidence
        for run in sums:
            sums[run] += mean_gap(e.runs[run], e.surface.min_value, claim.last) / claim.seeds
    return sums


def outcome(traj: Any, min_value: float | None) -> str:
    """How a run ended, in words: "converges to a minimum at step 71", "diverges at step 12",
    "is still 0.0086 above L* after 200 steps"."""
    k = int(traj.n_steps)
    if traj.status == "diverged":
        return f"diverges at step {k}"
    gap = float(traj.losses[-1]) - min_value if min_value is not None else math.nan
    if traj.status == "converged":
        where = {"minimum": "a minimum", "saddle": "a saddle point", "maximum": "a maximum"}.get(
            traj.ending.point or "", "a stationary point"
        )
        return f"converges to {where} at step {k}"
    above = f"is still {gap:.2g} above L*" if math.isfinite(gap) else "has not converged"
    return f"{above} after {k} steps"


def check(claim: Claim, evidence: Evidence, tol: float = TOL) -> Verdict:
    """Whether `claim` holds on `evidence`, with the numbers that decided and, in words, what the
    runs did. A claim about a run that is not there does not hold."""
    base = evidence.variant(dict(claim.change)) if claim.change else evidence
    missing = [run for run in claim.runs() if run not in base.runs]
    if missing:
        names = ", ".join(base.label(run) for run in missing)
        return Verdict(False, f"no run {', '.join(missing)}", f"{names} did not run")
    surface, traj = base.surface, base.runs[claim.run]
    min_value = surface.min_value
    known = min_value is not None and math.isfinite(min_value)
    gaps = traj.losses - min_value if known else traj.losses
    hit = traj.first_hit(min_value + tol) if known else None
    facts = [
        f"status {traj.status} ({traj.ending.point}) after {traj.n_steps} steps, final L−L* {gaps[-1]:.3g}"
    ]
    said = [f"{base.label(claim.run)} {outcome(traj, min_value if known else None)}"]
    ok = True
    if claim.status is not None:
        ok &= traj.status == claim.status
    if claim.within is not None or claim.never_within:
        facts.append(f"within tol at step {hit}")
        said.append(f"never within {tol:g} of L*" if hit is None else f"within {tol:g} of L* from step {hit}")
    if claim.within is not None:
        ok &= known and hit is not None and hit <= claim.within
    if claim.never_within:
        ok &= known and hit is None
    if claim.point is not None:
        ok &= traj.status == "converged" and traj.ending.point == claim.point
    if claim.near is not None:
        dist = float(np.hypot(*(traj.points[-1] - np.asarray(claim.near))))
        facts.append(f"ends {dist:.3g} from {claim.near}")
        said.append(f"ends {dist:.3g} from ({claim.near[0]:g}, {claim.near[1]:g})")
        ok &= dist <= claim.radius
    if claim.near_minimum:
        minima = np.asarray(getattr(surface, "minima", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
        dist = float(np.min(np.linalg.norm(minima - traj.points[-1], axis=1))) if len(minima) else math.inf
        facts.append(f"ends {dist:.3g} from the nearest minimum")
        said.append(f"ends {dist:.3g} from the nearest minimum")  # the table's 3 digits
        ok &= dist <= claim.radius
    if claim.rejections is not None:
        accepted = traj.records.get("accepted", np.ones(0))
        rejected = int((accepted == 0).sum())
        facts.append(f"{rejected} rejected trials")
        said.append(f"{rejected} trial steps rejected")
        ok &= bool(rejected >= claim.rejections and len(accepted) and accepted[-1] == 1)
    if claim.beats is not None:
        if not known:
            ok = False
        else:
            means = mean_gaps(claim, base)
            facts.append(f"mean L−L*: {means}")
            over = f" over the last {claim.last} steps" if claim.last > 1 else ""
            seeds = f" and {claim.seeds} seeds" if claim.seeds > 1 else ""
            said.append(
                f"L − L*{over}{seeds}: {base.label(claim.run)} {means[claim.run]:.2g}, "
                f"{base.label(claim.beats)} {means[claim.beats]:.2g}"
            )
            ok &= means[claim.run] < means[claim.beats]
    return Verdict(bool(ok), "; ".join(facts), "; ".join(said))
