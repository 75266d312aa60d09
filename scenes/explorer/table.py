"""The explorer's settings table: the page's own settings (`TABLE`, the view controls) and the
ones the registries add: each surface's parameters (`<surface>_<param>`), each run's
hyperparameters (`<run>_<name>`, a run being an optimizer's name or a copy "sgd~2") and schedules
(`sched_<name>` for the page, `<run>_sched...` for a copy), with the page's defaults for them (the
surface's suggested α and steps). They are the URL's keys, declared only here: `owns` says whether
a key is the explorer's. Pure: no streamlit, no plotly.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import optimizers
import surfaces
from optimizers.run_ids import MAX_COPIES, run_id, split_run_id
from optimizers.schedules import SCHEDULES
from scenes import lessons
from scenes.pins import MAX_PINS, Pin, compact, parse_pins, pins_text
from scenes.problem import start_settings, surface_param_settings, surface_setting
from scenes.settings import NO_PRESET as NO_PRESET  # the pages and links read it from here
from scenes.settings import Setting, SettingsTable, preset_setting

DEFAULT_SURFACE = lessons.DEFAULT_SURFACE
DEFAULT_OPTIMIZERS = lessons.DEFAULT_OPTIMIZERS
MAX_STEPS = 500  # the steps slider's maximum (a link asking for more is clamped, with a warning)
PRESETS = lessons.PRESETS
NO_INSPECT = "none"
VIEWS = ("Update rules", "Learning rate", "3D surface")
# Runs: each optimizer once ("sgd"), then copies of it ("sgd~2", "sgd~3") to compare settings of
# one method; a copy has its own hyperparameters (`sgd~2_lr`) and schedule (`sgd~2_sched`).
RUN_IDS = tuple(run_id(name, copy) for copy in range(1, MAX_COPIES + 1) for name in optimizers.OPTIMIZERS)


def run_label(run: str) -> str:
    """A run's name in the pickers: "SGD", "SGD #2 (a copy)"."""
    name, copy = split_run_id(run)
    return optimizers.OPTIMIZERS[name].label + ("" if copy == 1 else f" #{copy} (a copy)")


PRESET = preset_setting(
    "preset", PRESETS, help="Sets up a scene from the lecture; change anything afterwards."
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


def pins_query(pins: tuple[Pin, ...], surface: str) -> str:
    """The pins' URL text, each naming only what differs from its run's defaults on `surface`."""
    return pins_text(tuple(compact(pin, run_defaults(pin.run, surface)) for pin in pins))


def run_defaults(run: str, surface: str) -> dict[str, Any]:
    """A run's hyperparameters as the page starts them on `surface` (its suggested α)."""
    lr = lr_default(run, surface)
    return {s.key.removeprefix(f"{run}_"): s.default for s in hyper_settings(run)} | (
        {} if lr is None else {"lr": lr}
    )
