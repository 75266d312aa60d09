"""Run a scene as the explorer runs it, and say in words what it shows (pure: no streamlit).

`run_race(scene)` builds the surface and runs each chosen optimizer with the page's settings (the
surface's suggested α and steps as defaults, a copy's own schedule, minibatches where the method
takes them); `caption(race)` is the export's caption: the surface and its parameters, each run's
settings, how each run ended (the summary table's words, `figures.explorer.summary_table`) and,
for a lesson, its note with the claims that hold on these runs (`ui.lessons.check`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import optimizers
import surfaces
from export.scene import NO_PRESET, Scene
from figures import explorer as fx
from figures import split_run_id
from optimizers.schedules import SCHEDULES
from scenes.settings import fmt
from ui import lessons


@dataclass(frozen=True)
class Race:
    """A scene's surface and runs, as the page shows them."""

    scene: Scene
    surface: Any
    trajectories: dict[str, Any]  # run id -> Trajectory, in the page's order
    labels: dict[str, str]  # run id -> legend label
    notes: tuple[str, ...]  # runs that could not run, what some met on the way
    batch_size: int | None = None  # None: the full batch

    @property
    def values(self) -> dict[str, Any]:
        return self.scene.values

    @property
    def start(self) -> tuple[float, float]:
        return (float(self.values["start_x"]), float(self.values["start_y"]))


def run_race(scene: Scene) -> Race:
    """The surface and the runs of `scene` (the explorer's `_runs`, uncached)."""
    values = scene.values
    name = values["surface"]
    info = surfaces.SURFACES[name]
    surface = surfaces.get_surface(name, **{p.name: values[f"{name}_{p.name}"] for p in info.params})
    batch = values.get("batch")
    batch_size = (
        None if batch is None or surface.data is None or batch >= len(surface.data[0]) else int(batch)
    )
    start = np.asarray([values["start_x"], values["start_y"]], dtype=float)
    trajectories: dict[str, Any] = {}
    specs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    notes: list[str] = []
    for run in values["opts"]:
        opt = split_run_id(run)[0]
        oinfo = optimizers.OPTIMIZERS[opt]
        support = oinfo.supports(surface)
        hyper, schedule = lessons.run_spec(values, run)
        specs[run] = (hyper, schedule or {"kind": "constant"})
        if not support.runs:
            notes.append(f"{oinfo.label} is not run: {support.reason}")
            continue
        try:
            trajectories[run] = optimizers.run(
                opt, surface, start, int(values["steps"]), schedule=schedule, noise=float(values["noise"]),
                seed=int(values["seed"]), batch_size=None if support.full_batch else batch_size, **hyper,
            )  # fmt: skip
        except ValueError as exc:
            notes.append(f"{oinfo.label} could not run: {exc}")
            continue
        notes.extend(support.notes)
    labels = lessons.run_labels(specs)
    return Race(scene, surface, trajectories, labels, tuple(dict.fromkeys(notes)), batch_size)


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
    lesson_note: str | None = None  # only when every claim of the lesson holds on these runs
    claims: tuple[str, ...] = ()  # the lesson's claims that hold on these runs


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def surface_words(values: dict[str, Any]) -> str:
    """'Elongated valley (quadratic), condition number κ = 100, valley angle (degrees) = 0'."""
    name = values["surface"]
    info = surfaces.SURFACES[name]
    parts = [info.label]
    for p in info.params:
        value = values[f"{name}_{p.name}"]
        if p.text:
            parts.append(f"L(x, y) = {value}")
        elif p.pair:
            parts.append(f"{p.label} [{fmt(value[0])}, {fmt(value[1])}]")
        else:
            parts.append(f"{p.label} = {fmt(value)}")
    return ", ".join(parts)


def run_settings(values: dict[str, Any], run: str) -> str:
    """A run's hyperparameters and schedule in words: 'learning rate α = 0.1, β₁ ... ; constant α'."""
    opt = split_run_id(run)[0]
    hyper, schedule = lessons.run_spec(values, run)
    params = {p.name: p for p in optimizers.OPTIMIZERS[opt].hyper}
    words = [f"{params[k].label} = {fmt(v)}" for k, v in hyper.items()]
    if schedule is not None:
        sinfo = SCHEDULES[schedule["kind"]]
        extra = ", ".join(f"{p.label} = {fmt(schedule[p.name])}" for p in sinfo.params)
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
    values = race.values
    labels = [race.labels[run] for run in race.trajectories]  # the runs that ran
    return headline_words(values["surface"], labels, race.start, int(values["steps"]), float(values["noise"]))


def caption(race: Race) -> Caption:
    """What the export says about `race`; every sentence about a run is read off its numbers."""
    values = race.values
    rows = fx.summary_rows(race.trajectories, race.surface, tol=float(values["tol"]), labels=race.labels)
    never = "—" if race.surface.min_value is None else "not reached"
    endings = tuple(fx.summary_table(rows, never=never))
    runs = tuple((race.labels[run], run_settings(values, run)) for run in values["opts"])
    notes = list(race.notes)
    notes += [f"{race.labels[run]}: {'; '.join(t.notes)}." for run, t in race.trajectories.items() if t.notes]
    lesson: dict[str, Any] = {}
    # A lesson's claims are about its full-batch runs (`ui.lessons.scene_runs`).
    if race.scene.preset != NO_PRESET and race.batch_size is None:
        preset = lessons.PRESETS[race.scene.preset]
        held = [claim.text for claim in preset.claims if lessons.check(claim, values).holds]
        lesson = {
            "lesson_title": preset.title,
            "lesson_note": preset.note.replace("\\*", "*") if len(held) == len(preset.claims) else None,
            "claims": tuple(held),
        }
    return Caption(headline(race), surface_words(values), runs, endings, tuple(notes), **lesson)
