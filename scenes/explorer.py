"""The explorer's scene as data: its settings table, its typed choices, its URL, and its runs.

`TABLE` declares the page's own settings; the registries add the rest: each surface's parameters
(`<surface>_<param>`), each run's hyperparameters (`<run>_<name>`, a run being an optimizer's name
or a copy "sgd~2") and schedules (`sched_<name>` for the page, `<run>_sched...` for a copy). They
are the URL's keys, declared only here: `owns` says whether a key is the explorer's.

`scene(values)` turns values (typed, or the URL's text) into an `ExplorerChoices` with the page's
own defaults (the surface's suggested α and steps) and its checks and messages; the sidebar collects
its widgets' values and calls it too. `to_query` goes back to the URL. Each run of a scene is keyed
by one frozen `RunSpec`; `SceneRuns` is a scene's runs as evidence for its claims
(`scenes.claims`). Pure: no streamlit, no plotly.
"""

from __future__ import annotations

import dataclasses
import math
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers
import surfaces
from optimizers import theory
from optimizers.run_ids import MAX_COPIES, run_id, split_run_id
from optimizers.schedules import SCHEDULES
from scenes import lessons
from scenes.pins import MAX_PINS, Pin, compact, parse_pins, pin_label, pins_text, with_defaults
from scenes.problem import Problem, get_surface, start_settings, surface_param_settings, surface_setting
from scenes.settings import Setting, SettingsTable, clamped_warning, fmt, read

DEFAULT_SURFACE = lessons.DEFAULT_SURFACE
DEFAULT_OPTIMIZERS = lessons.DEFAULT_OPTIMIZERS
MAX_STEPS = 500  # the steps slider's maximum (a link asking for more is clamped, with a warning)
NOISY_WINDOW = 30  # with gradient noise, losses are judged by their mean over the last 30 steps
PRESETS = lessons.PRESETS
NO_PRESET = "none"
NO_INSPECT = "none"
VIEWS = ("Update rules", "Learning rate", "3D surface")
# Runs: each optimizer once ("sgd"), then copies of it ("sgd~2", "sgd~3") to compare settings of
# one method; a copy has its own hyperparameters (`sgd~2_lr`) and schedule (`sgd~2_sched`).
RUN_IDS = tuple(run_id(name, copy) for copy in range(1, MAX_COPIES + 1) for name in optimizers.OPTIMIZERS)


def run_label(run: str) -> str:
    """A run's name in the pickers: "SGD", "SGD #2 (a copy)"."""
    name, copy = split_run_id(run)
    return optimizers.OPTIMIZERS[name].label + ("" if copy == 1 else f" #{copy} (a copy)")


PRESET = Setting(
    "preset",
    "Lesson preset",
    "choice",
    NO_PRESET,
    options=(NO_PRESET, *PRESETS),
    option_label=lambda k: "— free exploration —" if k == NO_PRESET else PRESETS[k].title,
    help="Sets up a scene from the lecture; change anything afterwards.",
)
SURFACE = surface_setting(default=DEFAULT_SURFACE)
START_X, START_Y = start_settings()
OPTS = Setting(
    "opts",
    "Race these optimizers",
    "multi",
    tuple(DEFAULT_OPTIMIZERS),
    options=RUN_IDS,
    option_label=run_label,
    help="Pick an optimizer again (“SGD #2”) to compare two settings of it: each copy has its own "
    "hyperparameters and schedule.",
)
STEPS = Setting(
    "steps",
    "Steps (iterations k)",
    "int",
    60,  # the surface's suggested budget, capped at MAX_STEPS
    low=1,
    high=MAX_STEPS,
    maximum=1_000_000,
    help="How many updates each optimizer makes. Each surface starts with a budget that lets the "
    "race finish.",
)
SCHEDULE = Setting(
    "sched",
    "Learning-rate schedule",
    "choice",
    "constant",
    options=tuple(SCHEDULES),
    option_label=lambda k: SCHEDULES[k].label,
    help="α_k = α₀ × the schedule's factor at the epoch of step k.",
)
NOISE = Setting(
    "noise",
    "Gradient noise σ",
    "float",
    0.0,
    low=0.0,
    high=5.0,
    maximum=1e6,
    step=0.05,
    help="Adds N(0, σ²) noise to every gradient, like minibatch noise.",
)
SEED = Setting("seed", "Noise seed", "int", 0, low=0, high=9999, style="number")
BATCH = Setting(
    "batch",
    "Minibatch size m",
    "int",
    1,  # default and range: the data set's size m
    low=1,
    high=1,
    help="Samples per iteration; m = all data is full-batch gradient descent. An epoch is one pass "
    "over the data.",
)
EMA = Setting(
    "ema",
    "EMA smoothing",
    "float",
    0.0,
    low=0.0,
    high=0.99,
    step=0.01,
    help="Exponential moving average of the curve, as for noisy training curves (0 = raw).",
)
TOL = Setting(
    "tol",
    "Tolerance for 'steps to tolerance': L(θ_k) − L* ≤",
    "log",
    1e-3,
    options=tuple(10.0**e for e in range(-10, 1)),
)
VIEW = Setting("view", "view", "choice", VIEWS[0], options=VIEWS)  # drawn as tabs
THEORY = Setting(
    "theory",
    "Theory overlays",
    "bool",
    False,
    help="The local quadratic model (Hessian eigen-directions, level ellipse or asymptotes, λ, κ) at "
    "θ₀ and at the scrubbed step, and on quadratics the convergence-rate bound on the loss chart.",
)
INSPECT = Setting(
    "inspect",
    "Step inspector",
    "choice",
    NO_INSPECT,
    options=(NO_INSPECT, *RUN_IDS),
    option_label=lambda k: "— off —" if k == NO_INSPECT else run_label(k),
    help="Arrows at θ_k (gradient, velocity, scaling, Newton or quasi-Newton direction, LM's step "
    "curve) and the numbers at step k; follows the step slider under the map.",
)
PRESENT = Setting(
    "present",
    "Presentation mode",
    "bool",
    False,
    help="For a projector: the map as tall as the screen, large fonts and thick lines, no title or "
    "helper captions. Keys on the map (or anywhere on the page): space plays and pauses, ← → step.",
)
# Pinned runs (`scenes.pins`): drawn as "Pin" buttons, kept in the URL as text the pins' parser reads.
PINS = Setting(
    "pins", "Pinned runs", "text", "", max_chars=MAX_PINS * 160, check=lambda raw: parse_pins(raw, RUN_IDS)
)
PIN_IDS = tuple(f"pin{i}" for i in range(1, MAX_PINS + 1))  # a pinned run's id on the map and charts
TABLE = SettingsTable(
    [PRESET, SURFACE, START_X, START_Y, OPTS, STEPS, SCHEDULE, NOISE, SEED, BATCH, EMA, TOL, VIEW, PINS]
)
VIEW_CONTROLS = (THEORY, INSPECT, PRESENT)  # the row above the map


def schedule_prefix(run: str) -> str:
    """The settings prefix of a run's schedule: "sched" for an optimizer's first run (the page's
    schedule), "<run>_sched" for a copy (its own)."""
    return "sched" if split_run_id(run)[1] == 1 else f"{run}_sched"


def schedule_settings(run: str) -> tuple[Setting, dict[str, list[Setting]]]:
    """A run's schedule: the choice (the page's `SCHEDULE` for a first run, `<run>_sched` for a
    copy) and each kind's parameters (`<prefix>_<name>`)."""
    prefix = schedule_prefix(run)
    params = {
        kind: [Setting.from_param(p, f"{prefix}_{p.name}") for p in info.params]
        for kind, info in SCHEDULES.items()
    }
    if prefix == SCHEDULE.key:
        return SCHEDULE, params
    return dataclasses.replace(SCHEDULE, key=prefix, label="Its learning-rate schedule", help=""), params


def hyper_settings(run: str) -> list[Setting]:
    """A run's hyperparameters, `<run>_<name>` (defaults: the registry's; see `hyper_default`)."""
    return [
        Setting.from_param(p, f"{run}_{p.name}") for p in optimizers.OPTIMIZERS[split_run_id(run)[0]].hyper
    ]


def lr_default(run: str, surface: str) -> float | None:
    """The page's default α of a run on a surface: the surface's suggestion for the optimizer
    (copies too: old links rely on it; their labels say which copy they are, see `run_labels`)."""
    return surfaces.SURFACES[surface].suggested_lr.get(split_run_id(run)[0])


def steps_default(surface: str) -> int:
    return min(int(surfaces.SURFACES[surface].suggested_steps), MAX_STEPS)


def _registry_keys() -> set[str]:
    keys = {s.key for name in surfaces.SURFACES for s in surface_param_settings(name)}
    for run in RUN_IDS:
        keys |= {s.key for s in hyper_settings(run)}
        choice, params = schedule_settings(run)
        keys |= {choice.key} | {s.key for settings in params.values() for s in settings}
    return keys - {SCHEDULE.key}


REGISTRY_KEYS = tuple(sorted(_registry_keys()))
_OWN_KEYS = frozenset({*(s.key for s in TABLE), *REGISTRY_KEYS, *(s.key for s in VIEW_CONTROLS)})


def owns(key: str) -> bool:
    """Whether a URL key is one of the explorer's (the others' keys may linger after a page switch)."""
    return key in _OWN_KEYS or key.startswith("custom")


# --------------------------------------------------------------------------- a run, and the choices


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


def _pairs(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
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


# --------------------------------------------------------------------------- values <-> choices


def _value(setting: Setting, values: Mapping[str, Any], warnings: list[str], **overrides: Any) -> Any:
    """A setting's value from `values`: typed, or the URL's text (checked, with the page's warning
    and the default when it cannot be used); the default when absent."""
    s = dataclasses.replace(setting, **overrides) if overrides else setting
    if s.key not in values:
        return s.default
    raw = values[s.key]
    value, warning = read(s, raw) if isinstance(raw, str) else (raw, None)
    if warning:
        warnings.append(warning)
    if s.kind in ("int", "float") and s.beyond == "clamp" and s.high is not None and value > s.high:
        if isinstance(raw, str):
            warnings.append(clamped_warning(s, raw, type(value)(s.high)))
        value = type(value)(s.high)  # the page's own limit (a link asking for more steps)
    return value


def scene(values: Mapping[str, Any], problem: Problem | None = None) -> ExplorerChoices:
    """The explorer's choices for `values` (setting key -> value, typed or as the URL's text),
    with the page's defaults for what is absent and its fallbacks (and warnings) for what cannot be
    used. Unknown keys are ignored; hidden settings (an optimizer not raced) do not count.
    `problem`: the surface and θ₀ already chosen (the sidebar's picker, which keeps the last
    formula that worked), instead of reading them from `values`."""
    warnings: list[str] = []
    preset = _value(PRESET, values, warnings)
    if problem is not None:
        return _choices(preset, problem, values, warnings)
    surface = _value(SURFACE, values, warnings)
    sinfo = surfaces.SURFACES[surface]
    params = {
        s.key.removeprefix(f"{surface}_"): _value(s, values, warnings)
        for s in surface_param_settings(surface)
    }
    surface_params = _pairs(params)
    start = tuple(
        round(float(_value(s, values, warnings, default=float(d))), 4)
        for s, d in zip((START_X, START_Y), sinfo.default_start, strict=True)
    )
    return _choices(preset, Problem(surface, surface_params, start), values, warnings)  # type: ignore[arg-type]


def _choices(
    preset: str, problem: Problem, values: Mapping[str, Any], warnings: list[str]
) -> ExplorerChoices:
    surface = problem.surface
    chosen = tuple(_value(OPTS, values, warnings))
    hyper = []
    for run in chosen:
        lr = lr_default(run, surface)
        own = {}
        for s in hyper_settings(run):
            default = {"default": lr} if lr is not None and s.key == f"{run}_lr" else {}
            own[s.key.removeprefix(f"{run}_")] = _value(s, values, warnings, **default)
        hyper.append((run, _pairs(own)))
    steps = int(_value(STEPS, values, warnings, default=steps_default(surface)))
    schedules = {}
    for run in ("page", *chosen):
        if run != "page" and split_run_id(run)[1] == 1:
            continue  # an optimizer's first run follows the page's schedule
        choice, params_of = schedule_settings("sgd" if run == "page" else run)
        kind = _value(choice, values, warnings)
        kinds = {s.key.removeprefix(f"{choice.key}_"): _value(s, values, warnings) for s in params_of[kind]}
        schedules[run] = None if kind == "constant" else _pairs({"kind": kind, **kinds})
    noise = float(_value(NOISE, values, warnings))
    seed = int(_value(SEED, values, warnings))
    batch_size = None
    data = problem.build_surface().data
    if data is not None:
        m = len(data[0])
        bs = int(_value(BATCH, values, warnings, default=m, high=m))
        batch_size = None if bs >= m else bs
    page_schedule = schedules.pop("page")
    pins = parse_pins(_value(PINS, values, warnings), RUN_IDS)
    pins = tuple(with_defaults(pin, _run_defaults(pin.run, surface)) for pin in pins)
    return ExplorerChoices(
        preset, problem, chosen, tuple(hyper), steps, page_schedule, noise, seed, batch_size,
        tuple(schedules.items()), tuple(warnings), pins,
    )  # fmt: skip


def pins_query(pins: tuple[Pin, ...], surface: str) -> str:
    """The pins' URL text, each naming only what differs from its run's defaults on `surface`."""
    return pins_text(tuple(compact(pin, _run_defaults(pin.run, surface)) for pin in pins))


def _run_defaults(run: str, surface: str) -> dict[str, Any]:
    """A run's hyperparameters as the page starts them on `surface` (its suggested α)."""
    lr = lr_default(run, surface)
    return {s.key.removeprefix(f"{run}_"): s.default for s in hyper_settings(run)} | (
        {} if lr is None else {"lr": lr}
    )


def _defaults(choices: ExplorerChoices) -> dict[str, Any]:
    """The values the page takes with no link, on this surface and race (the surface's suggested
    α, steps and start; the registry's defaults)."""
    base = scene({"surface": choices.surface, "opts": list(choices.optimizers)}).values()
    return base | {"surface": SURFACE.default, "opts": list(OPTS.default)}


def drawn_settings(choices: ExplorerChoices) -> dict[str, Setting]:
    """Key -> Setting of everything the page draws for this scene (the schedules' parameters of
    the chosen kinds only)."""
    settings = {s.key: s for s in (*TABLE, *VIEW_CONTROLS, *surface_param_settings(choices.surface))}
    values = choices.values()
    for run in ("sgd", *choices.optimizers):  # "sgd": the page's own schedule
        if run in choices.optimizers:
            settings |= {s.key: s for s in hyper_settings(run)}
        choice, params = schedule_settings(run)
        settings[choice.key] = choice
        settings |= {s.key: s for s in params[values.get(choice.key, "constant")]}
    return settings


def to_query(choices: ExplorerChoices | Mapping[str, Any], **view: Any) -> str:
    """The explorer's URL query for a scene (only what differs from the page's defaults), the
    inverse of `from_query`; `view` adds view settings (`ema`, `tol`, `view`, `theory`, ...)."""
    if not isinstance(choices, ExplorerChoices):
        choices = scene(choices)
    defaults, settings = _defaults(choices), drawn_settings(choices)
    query = {}
    for key, value in {**choices.values(), **view}.items():
        s = settings.get(key)
        if s is None:
            continue
        default = defaults.get(key, s.default)
        same = list(value) == list(default) if isinstance(value, list | tuple) else value == default
        if not same:
            query[key] = s.text(value)
    return urllib.parse.urlencode(query, safe=",~")


def from_query(query: str) -> ExplorerChoices:
    """The scene of an explorer URL's query string (`to_query`'s inverse)."""
    return scene(dict(urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True)))


def link_query(
    problem: Problem, optimizer: str, hyper: Mapping[str, Any], steps: int
) -> tuple[dict[str, str], list[str]]:
    """Query parameters that open the explorer on one run (the search page's "open in explorer"):
    the scene's own text, with what its sliders cannot take clamped. Returns (query, notes on
    what was clamped)."""
    notes = []
    if steps > MAX_STEPS:
        notes.append(f"steps {steps} → {MAX_STEPS} (the explorer's maximum)")
    values: dict[str, Any] = {
        "surface": problem.surface,
        "start_x": problem.start[0],
        "start_y": problem.start[1],
        "opts": [optimizer],
        "steps": min(int(steps), MAX_STEPS),
    }
    values |= {f"{problem.surface}_{k}": v for k, v in problem.surface_params}
    params = {p.name: p for p in optimizers.OPTIMIZERS[optimizer].hyper}
    for name, value in hyper.items():
        p = params.get(name)
        if p is not None and p.choices is None and p.low is not None and p.high is not None:
            clamped = min(max(value, p.low), p.high)
            if clamped != value:
                notes.append(f"{name} {fmt(value)} → {fmt(clamped)} (its slider's range)")
            value = clamped
        values[f"{optimizer}_{name}"] = value
    settings = {s.key: s for s in (SURFACE, START_X, START_Y, OPTS, STEPS)}
    settings |= {s.key: s for s in surface_param_settings(problem.surface)}
    settings |= {s.key: s for s in hyper_settings(optimizer)}
    query = {key: (settings[key].text(v) if key in settings else str(v)) for key, v in values.items()}
    return query, notes


# --------------------------------------------------------------------------- runs and their facts

Runner = Callable[[RunSpec], Any]


def _engine(spec: RunSpec):
    return spec.run()


class SceneRuns:
    """A scene's runs as evidence for its claims: the runs on screen, and the same scene changed
    (run through `runner`: the page's cache, or the engine itself)."""

    def __init__(
        self, choices: ExplorerChoices, runs: Mapping[str, Any] | None = None, runner: Runner = _engine
    ):
        self.choices = choices
        self.surface = choices.problem.build_surface()
        self._runner = runner
        if runs is None:
            runs = {}
            for run in choices.optimizers:
                if optimizers.OPTIMIZERS[split_run_id(run)[0]].supports(self.surface).runs:
                    try:
                        runs[run] = runner(choices.spec(run))
                    except ValueError:  # the page says why it could not run; no claim is decided on it
                        continue
        self.runs = dict(runs)
        self._labels = choices.labels

    def label(self, run: str) -> str:
        return self._labels.get(run, run)

    def variant(self, change: Mapping[str, Any], seed: int | None = None) -> SceneRuns:
        choices = self.choices
        if change:
            choices = scene({**choices.values(), **change})
        if seed is not None:
            choices = dataclasses.replace(choices, seed=int(seed))
        if choices == self.choices:
            return self
        return SceneRuns(choices, runner=self._runner)


def noisy_gap(traj, min_value: float) -> float:
    """L − L* as the page judges a noisy run: the mean over its last `NOISY_WINDOW` steps."""
    return float(np.mean(np.asarray(traj.losses[-NOISY_WINDOW:], dtype=float) - min_value))


def settled_step(traj, min_value: float, tol: float) -> int | None:
    """With noisy gradients, steps to tolerance: the first step k from which the mean of
    L − L* over the window of `NOISY_WINDOW` steps ending at each later step stays within `tol`
    (not the first lucky dip); None if it never settles within the run."""
    gaps = np.asarray(traj.losses, dtype=float) - min_value
    w = min(NOISY_WINDOW, len(gaps))
    if w == 0 or not np.isfinite(gaps).all():
        return None
    means = np.convolve(gaps, np.ones(w) / w, mode="valid")  # means[j]: steps j .. j + w − 1
    bad = np.nonzero(means > tol)[0]
    first = 0 if len(bad) == 0 else int(bad[-1]) + 1
    return None if first >= len(means) else first + w - 1


def facts(evidence: SceneRuns) -> dict[str, Any]:
    """The numbers a lesson's note may state, from the scene and its runs: every setting's value
    (`sgd_lr`, `quadratic_condition`, `steps`, `noise`), each first-order run's stability limit
    at θ₀ (`sgd_limit`), the curvature at θ₀ (`lambda_max`, `kappa`), and each run's end
    (`sgd_gap`: L − L* at the end, the mean over the last steps with noise; `rmsprop_hit`: the
    first step within 1e-3)."""
    choices, surface = evidence.choices, evidence.surface
    out: dict[str, Any] = dict(choices.values())
    with np.errstate(all="ignore"):
        try:
            eigen = theory.hessian_eigen(surface.hessian(np.asarray(choices.start, dtype=float))).values
            out["lambda_max"] = float(eigen[0])
            out["kappa"] = float(theory.condition_number(eigen))
        except (ValueError, TypeError, np.linalg.LinAlgError):
            pass
        for run in choices.optimizers:
            hyper = dict(choices.hyper_of(run))
            try:
                limit = theory.step_limit(
                    split_run_id(run)[0], surface, choices.start, float(hyper.get("momentum", 0.0))
                )
            except (ValueError, TypeError):
                limit = None
            if limit is not None and math.isfinite(limit.lr):
                out[f"{run}_limit"] = float(limit.lr)
    minima = np.asarray(getattr(surface, "minima", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
    if len(minima) == 1:
        out["min_x"], out["min_y"] = map(float, minima[0])
    min_value = surface.min_value
    for run, traj in evidence.runs.items():
        out[f"{run}_label"] = evidence.label(run)
        out[f"{run}_steps_run"] = int(traj.n_steps)
        if "accepted" in traj.records:
            out[f"{run}_rejected"] = int((traj.records["accepted"] == 0).sum())
        if min_value is not None and math.isfinite(min_value):
            out[f"{run}_gap"] = (
                noisy_gap(traj, min_value) if choices.noise > 0 else float(traj.losses[-1] - min_value)
            )
            out[f"{run}_mean"] = min_value + noisy_gap(traj, min_value)  # the table's mean column
            hit = traj.first_hit(min_value + lessons.TOL)
            if hit is not None:
                out[f"{run}_hit"] = int(hit)
    return out
