"""Run a scene as the explorer runs it, and say in words what it shows (pure: no streamlit).

`run_race(scene)` builds the surface and runs each chosen optimizer with the page's settings (the
surface's suggested α and steps as defaults, a copy's own schedule, minibatches where the method
takes them); `caption(race)` is the export's caption: the surface and its parameters, each run's
settings, how each run ended (the summary table's words, `figures.explorer.summary_table`) and,
for a lesson, its note decided on these runs and the claims that hold (`scenes.lessons.note`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import optimizers
import surfaces
from export.scene import NO_PRESET, Scene
from figures import explorer as fx
from figures import split_run_id
from optimizers.schedules import SCHEDULES
from scenes import explorer, lessons
from scenes.claims import fill
from scenes.explorer import ExplorerChoices
from scenes.settings import fmt


@dataclass(frozen=True)
class Race:
    """A scene's surface and runs, as the page shows them."""

    scene: Scene
    surface: Any
    trajectories: dict[str, Any]  # run id -> Trajectory, in the page's order
    notes: tuple[str, ...]  # runs that could not run, what some met on the way
    pinned: dict[str, Any] = field(default_factory=dict)  # pin id -> its run, recomputed from its settings

    @property
    def choices(self) -> ExplorerChoices:
        return self.scene.choices

    @property
    def labels(self) -> dict[str, str]:
        return self.choices.labels

    @property
    def pin_runs(self) -> dict[str, str]:
        """Pin id -> the run id it pins (for its colour)."""
        return {pid: self.choices.pinned[pid].run for pid in self.pinned}


def run_race(scene: Scene) -> Race:
    """The surface and the runs of `scene`, each the engine's run of its `RunSpec` (the page's runs,
    uncached)."""
    choices = scene.choices
    surface = choices.problem.build_surface()
    trajectories: dict[str, Any] = {}
    notes: list[str] = []
    for run in choices.optimizers:
        oinfo = optimizers.OPTIMIZERS[split_run_id(run)[0]]
        support = oinfo.supports(surface)
        if not support.runs:
            notes.append(f"{oinfo.label} is not run: {support.reason}")
            continue
        try:
            trajectories[run] = choices.spec(run).run()
        except ValueError as exc:
            notes.append(f"{oinfo.label} could not run: {exc}")
            continue
        notes.extend(support.notes)
    pinned = {}
    for pid, pin in choices.pinned.items():
        if optimizers.OPTIMIZERS[pin.optimizer].supports(surface).runs:
            try:
                pinned[pid] = choices.pin_spec(pin).run()
            except ValueError as exc:
                notes.append(f"The pinned {choices.pin_labels[pid]} could not run: {exc}")
    return Race(scene, surface, trajectories, tuple(dict.fromkeys(notes)), pinned)


# --------------------------------------------------------------------------- the caption


@dataclass(frozen=True)
class Caption:
    """The export's words about a race: a headline, then sections of sentences and a table."""

    headline: str  # one line: the surface, the runs, θ₀ and the steps (drawn on the slide PNG too)
    surface: str
    runs: tuple[tuple[str, str], ...]  # (label, its settings)
    endings: tuple[dict[str, str], ...]  # the summary table's rows, as the page words them
    notes: tuple[str, ...]
    lesson_title: str | None = None
    lesson_note: str | None = None  # the note when every claim holds on these runs, else what happened
    lesson_holds: bool = False
    claims: tuple[str, ...] = ()  # the lesson's claims that hold on these runs


def _join(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'; 'no run' when nothing ran (every run refused by the surface)."""
    if not names:
        return "no run"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def surface_words(choices: ExplorerChoices) -> str:
    """'Elongated valley (quadratic), condition number κ = 100, valley angle (degrees) = 0'."""
    info = surfaces.SURFACES[choices.surface]
    params = dict(choices.problem.surface_params)
    parts = [info.label]
    for p in info.params:
        value = params[p.name]
        if p.text:
            parts.append(f"L(x, y) = {value}")
        elif p.pair:
            parts.append(f"{p.label} [{fmt(value[0])}, {fmt(value[1])}]")
        else:
            parts.append(f"{p.label} = {fmt(value)}")
    return ", ".join(parts)


def settings_words(optimizer: str, hyper: tuple[tuple[str, Any], ...], schedule: tuple | None) -> str:
    """A run's hyperparameters and schedule in words, in the sliders' order: 'learning rate α =
    0.1, momentum β = 0.9, schedule: 1/t decay (decay rate = 0.1)'."""
    values, sched = dict(hyper), dict(schedule or {})
    words = [
        f"{p.label} = {fmt(values[p.name])}"
        for p in optimizers.OPTIMIZERS[optimizer].hyper
        if p.name in values
    ]
    if sched:
        sinfo = SCHEDULES[sched["kind"]]
        extra = ", ".join(f"{p.label} = {fmt(sched[p.name])}" for p in sinfo.params)
        words.append(f"schedule: {sinfo.label}" + (f" ({extra})" if extra else ""))
    return ", ".join(words)


def headline_words(
    surface: str, labels: list[str], start: tuple[float, float], steps: int, noise: float
) -> str:
    """The caption's first line: 'Rosenbrock's banana valley: SGD and Adam from θ₀ = (-1, 1), 80 steps'."""
    x, y = start
    extra = f", gradient noise σ = {fmt(noise)}" if noise > 0 else ""
    plural = "s" if steps != 1 else ""
    where = f"from θ₀ = ({fmt(x)}, {fmt(y)}), {steps} step{plural}{extra}"
    return f"{surfaces.SURFACES[surface].label}: {_join(labels)} {where}"


def headline(race: Race) -> str:
    c = race.choices
    labels = [race.labels[run] for run in race.trajectories]  # the runs that ran
    return headline_words(c.surface, labels, c.start, c.steps, c.noise)


def _run(spec: explorer.RunSpec) -> Any:
    return spec.run()


def _claim_text(claim: lessons.Claim, facts: dict[str, Any]) -> str:
    try:
        return fill(claim.text, facts)
    except KeyError:  # a number the claim names does not exist in this scene
        return claim.text


def caption(race: Race) -> Caption:
    """What the export says about `race`; every sentence about a run is read off its numbers, and
    a lesson's note is decided on these runs as the page decides it (`scenes.lessons.note`)."""
    c = race.choices
    tol = float(race.scene.view["tol"])
    rows = fx.summary_rows(race.trajectories, race.surface, tol=tol, labels=race.labels)
    never = "—" if race.surface.min_value is None else "not reached"
    endings = tuple(fx.summary_table(rows, never=never))
    runs = tuple(
        (race.labels[run], settings_words(split_run_id(run)[0], c.hyper_of(run), c.schedule_of(run)))
        for run in c.optimizers
    )
    pins = [(c.pin_labels[pid], c.pinned[pid]) for pid in race.pinned]
    runs += tuple((label, settings_words(p.optimizer, p.hyper, p.schedule)) for label, p in pins)
    if race.pinned:
        pin_rows = fx.summary_rows(race.pinned, race.surface, tol=tol, labels=c.pin_labels)
        endings += tuple(fx.summary_table(pin_rows, never=never))
    notes = list(race.notes)
    notes += [f"{race.labels[run]}: {'; '.join(t.notes)}." for run, t in race.trajectories.items() if t.notes]
    lesson: dict[str, Any] = {}
    if race.scene.preset != NO_PRESET:
        preset = lessons.PRESETS[race.scene.preset]
        # A claim's variants (other seeds, another α) share runs: each spec runs once per export.
        evidence = explorer.SceneRuns(
            c, runs=race.trajectories, runner=functools.lru_cache(maxsize=None)(_run)
        )
        facts = explorer.facts(evidence)
        note = lessons.note(preset, evidence, facts)
        held = [
            _claim_text(claim, facts)
            for claim, v in zip(preset.claims, note.verdicts, strict=True)
            if v.holds
        ]
        lesson = {"lesson_title": preset.title, "lesson_note": note.text, "lesson_holds": note.holds,
                  "claims": tuple(held)}  # fmt: skip
    return Caption(headline(race), surface_words(c), runs, endings, tuple(notes), **lesson)
