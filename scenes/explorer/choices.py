"""The explorer's typed choices: `ExplorerChoices` (what the sidebar chose, hashable) and
`RunSpec` (everything that decides one run, the key of the cached runs), the scene's values back
as setting values, and the legend labels of its runs (`run_labels`). Pure: no streamlit, no plotly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers
from optimizers.run_ids import split_run_id
from optimizers.schedules import SCHEDULES
from scenes.explorer.table import PIN_IDS, PINS, SCHEDULE, pins_query, run_label, schedule_prefix
from scenes.pins import Pin, pin_label
from scenes.problem import Problem, get_surface


@dataclass(frozen=True)
class RunSpec:
    """Everything that decides one run: hashable, so it keys the cached runs."""

    optimizer: str
    surface: str
    surface_params: tuple[tuple[str, Any], ...]
    start: tuple[float, float]
    steps: int
    hyper: tuple[tuple[str, Any], ...] = ()
    schedule: tuple[tuple[str, Any], ...] | None = None  # sorted ("kind", ...) pairs; None: constant
    noise: float = 0.0
    seed: int = 0
    batch_size: int | None = None  # None: the full batch

    def build_surface(self):
        return get_surface(self.surface, self.surface_params)

    def run(self, steps: int | None = None):
        """The engine's run (uncached; `ui.common.run_optimizer` caches); raises its ValueError."""
        return optimizers.run(
            self.optimizer,
            self.build_surface(),
            np.asarray(self.start, dtype=float),
            int(self.steps if steps is None else steps),
            schedule=dict(self.schedule) if self.schedule else None,
            noise=float(self.noise),
            seed=int(self.seed),
            batch_size=self.batch_size,
            **dict(self.hyper),
        )


def pairs(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A mapping as sorted (key, value) pairs: hashable and order-free."""
    return tuple(sorted(values.items()))


@dataclass(frozen=True)
class ExplorerChoices:
    """What the sidebar chose: plain, hashable values that the cached runs take."""

    preset: str
    problem: Problem
    optimizers: tuple[str, ...]
    hyper: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]  # (run id, its sorted (name, value))
    steps: int
    schedule: tuple[tuple[str, Any], ...] | None  # the page's: sorted ("kind", ...) pairs; None: constant
    noise: float
    seed: int
    batch_size: int | None  # None: the full batch
    # (run id, its schedule) for copies, which have their own; other runs use `schedule`.
    run_schedules: tuple[tuple[str, tuple[tuple[str, Any], ...] | None], ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False, hash=False)  # from `scene`
    pins: tuple[Pin, ...] = ()  # pinned runs (`scenes.pins`), each with all its hyperparameters

    @property
    def surface(self) -> str:
        return self.problem.surface

    @property
    def start(self) -> tuple[float, float]:
        return self.problem.start

    def hyper_of(self, run: str) -> tuple[tuple[str, Any], ...]:
        return dict(self.hyper)[run]

    def schedule_of(self, run: str) -> tuple[tuple[str, Any], ...] | None:
        return dict(self.run_schedules).get(run, self.schedule)

    def spec(self, run: str, *, seed: int | None = None) -> RunSpec:
        """The run `run` of this scene (the full batch where the optimizer needs it)."""
        name = split_run_id(run)[0]
        full = optimizers.OPTIMIZERS[name].supports(self.problem.build_surface()).full_batch
        return RunSpec(
            name,
            self.surface,
            self.problem.surface_params,
            self.start,
            self.steps,
            self.hyper_of(run),
            self.schedule_of(run),
            self.noise,
            self.seed if seed is None else seed,
            None if full else self.batch_size,
        )

    def pin_spec(self, pin: Pin) -> RunSpec:
        """A pinned run: the pin's own hyperparameters and schedule in this scene."""
        full = optimizers.OPTIMIZERS[pin.optimizer].supports(self.problem.build_surface()).full_batch
        return RunSpec(
            pin.optimizer, self.surface, self.problem.surface_params, self.start, self.steps, pin.hyper,
            pin.schedule, self.noise, self.seed, None if full else self.batch_size,
        )  # fmt: skip

    @property
    def pinned(self) -> dict[str, Pin]:
        """Pin id ("pin1", ...) -> pin."""
        return dict(zip(PIN_IDS, self.pins, strict=False))

    @property
    def pin_labels(self) -> dict[str, str]:
        """Pin id -> legend label, saying what differs from the live run ("Adam, α 0.1 (pinned)")."""
        out = {}
        for pid, pin in self.pinned.items():
            live = None
            if pin.run in self.optimizers:
                live = (dict(self.hyper_of(pin.run)), dict(self.schedule_of(pin.run) or {}) or None)
            out[pid] = pin_label(pin, run_label(pin.run).removesuffix(" (a copy)"), live)
        return out

    @property
    def labels(self) -> dict[str, str]:
        """Run id -> legend label; runs of one optimizer say how they differ ("SGD, α 0.1, 1/t decay")."""
        specs = {
            run: (dict(self.hyper_of(run)), dict(self.schedule_of(run) or {"kind": "constant"}))
            for run in self.optimizers
        }
        return run_labels(specs)

    def values(self) -> dict[str, Any]:
        """The scene as setting values (every key the page would draw), e.g. for `to_query`."""
        out: dict[str, Any] = {
            "preset": self.preset,
            "surface": self.surface,
            "start_x": self.start[0],
            "start_y": self.start[1],
            "opts": list(self.optimizers),
            "steps": self.steps,
            "noise": self.noise,
            "seed": self.seed,
        }
        out |= {f"{self.surface}_{k}": v for k, v in self.problem.surface_params}
        for run, hyper in self.hyper:
            out |= {f"{run}_{k}": v for k, v in hyper}
        sched = dict(self.schedule or {"kind": "constant"})
        out[SCHEDULE.key] = sched.pop("kind")
        out |= {f"sched_{k}": v for k, v in sched.items()}
        for run, schedule in self.run_schedules:
            s = dict(schedule or {"kind": "constant"})
            out[schedule_prefix(run)] = s.pop("kind")
            out |= {f"{schedule_prefix(run)}_{k}": v for k, v in s.items()}
        if self.batch_size is not None:
            out["batch"] = self.batch_size
        if self.pins:
            out[PINS.key] = pins_query(self.pins, self.surface)
        return out


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def run_labels(specs: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]]) -> dict[str, str]:
    """Run id -> legend label, from each run's (hyperparameters, schedule {"kind": ...}).

    An optimizer run once is just its label ("Adam"). Runs of one optimizer say how they differ:
    α always, any other hyperparameter whose values differ, and the schedule when it is not
    constant: "SGD, α 0.05" and "SGD, α 0.05, 1/t decay". Runs set up alike say which copy they
    are ("SGD, α 0.09" and "SGD #2, α 0.09"), so a legend never shows one label twice.
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
            words = {p.name: p.label.split(" (")[0] for p in optimizers.OPTIMIZERS[name].hyper}
            parts = [
                ("α" if key == "lr" else words.get(key, key)) + " " + _short(hyper[key]) for key in differing
            ]
            if schedule.get("kind", "constant") != "constant":
                parts.append(SCHEDULES[schedule["kind"]].label)
            label = ", ".join([label, *parts])
        labels[run] = label
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    for run, label in labels.items():
        copy = split_run_id(run)[1]
        if seen[label] > 1 and copy > 1:
            head, _, tail = label.partition(",")
            labels[run] = f"{head} #{copy}," + tail if tail else f"{head} #{copy}"
    return labels
