"""Read the explorer's query string into the scene it shows, with the page's messages (no streamlit).

The one adapter between the export and the explorer's settings: `read_query` turns the query
string of an explorer link into the values the page's settings table names (`surface`, `opts`,
`sgd_lr`, `sched`, ...; what `ui.lessons.scene_runs` takes) and the page's warnings for what it
could not use, worded as the page words them (`ui.settings.UrlState`). It follows the explorer's
sidebar in order: the preset, the surface, its parameters (the custom formula through the engine's
parser only, never evaluated), θ₀, the runs and their settings, the training settings, the view
controls; a key nothing reads is "unknown or does not apply".

Until the explorer's settings live in a pure module (`scenes.explorer`, issue 18) this mirrors the
page's table (`ui/explorer.py`, `ui/components.py`, `ui/settings.py`); tests/test_export.py checks
that the page and this module refuse the same links with the same words.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import optimizers
import surfaces
from figures import MAX_COPIES, run_id, split_run_id
from optimizers.schedules import SCHEDULES
from scenes.problem import start_settings, surface_setting
from scenes.settings import Setting, clamped_warning, escape_markdown, fmt, read, unknown_warning
from ui import lessons

RESERVED_QUERY_KEYS = {"embed", "embed_options"}  # Streamlit's own
MAX_FIELDS = 1000  # a link with more settings than this is refused before any is read
VIEWS = ("Update rules", "Learning rate", "3D surface")
NO_PRESET = "none"
NO_INSPECT = "none"
RUN_IDS = tuple(run_id(name, copy) for copy in range(1, MAX_COPIES + 1) for name in optimizers.OPTIMIZERS)
TOL_STOPS = tuple(10.0**e for e in range(-10, 1))


class SceneError(ValueError):
    """A link the export refuses: `messages` are the page's words for what is wrong with it."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Scene:
    """The explorer scene a link shows: `values` by the page's setting names (defaults filled in),
    `preset` the lesson it still is (or "none"), `notes` the page's informational notes."""

    values: dict[str, Any]
    preset: str
    query: tuple[tuple[str, str], ...]  # the link's own (key, value) pairs, in order
    notes: tuple[str, ...] = field(default=())


def plain(message: str) -> str:
    """A page message (Markdown) as plain text for a terminal: no bold, no backslash escapes."""
    return re.sub(r"\\(.)", r"\1", message.replace("**", ""))


# --------------------------------------------------------------------------- the explorer's settings
# As ui/explorer.py declares them (tests/test_export.py checks that they agree), until they move to
# `scenes.explorer`. Settings whose range follows the scene (θ₀, steps, batch) get it in `read_query`.

PRESET = Setting("preset", "Lesson preset", "choice", NO_PRESET, options=(NO_PRESET, *lessons.PRESETS))
OPTS = Setting("opts", "Race these optimizers", "multi", tuple(lessons.DEFAULT_OPTIMIZERS), options=RUN_IDS)
STEPS = Setting("steps", "Steps (iterations k)", "int", 60, low=1, high=lessons.MAX_STEPS, maximum=1_000_000)
SCHEDULE = Setting("sched", "Learning-rate schedule", "choice", "constant", options=tuple(SCHEDULES))
NOISE = Setting("noise", "Gradient noise σ", "float", 0.0, low=0.0, high=5.0, maximum=1e6)
SEED = Setting("seed", "Noise seed", "int", 0, low=0, high=9999, style="number")
BATCH = Setting("batch", "Minibatch size m", "int", 1, low=1, high=1)
EMA = Setting("ema", "EMA smoothing", "float", 0.0, low=0.0, high=0.99)
TOL = Setting("tol", "Tolerance for 'steps to tolerance': L(θ_k) − L* ≤", "log", 1e-3, options=TOL_STOPS)
VIEW = Setting("view", "view", "choice", VIEWS[0], options=VIEWS)
THEORY = Setting("theory", "Theory overlays", "bool", False)
INSPECT = Setting("inspect", "Step inspector", "choice", NO_INSPECT, options=(NO_INSPECT, *RUN_IDS))
PRESENT = Setting("present", "Presentation mode", "bool", False)


class _Reader:
    """One pass over a link's values in the page's order: values, the page's warnings and notes."""

    def __init__(self, pending: dict[str, str]):
        self.pending = pending
        self.values: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def read(self, s: Setting, base: Mapping[str, Any], **overrides: Any) -> Any:
        """The setting's value: the link's when it is valid, else the preset's or the default; a
        valid number beyond a slider widens it (engine parameters) or is clamped (the page's own)."""
        s = dataclasses.replace(s, **overrides) if overrides else s
        raw = self.pending.pop(s.key, None)
        if raw is None:
            value = base.get(s.key, s.default)
        else:
            value, warning = read(s, raw)
            if warning is not None:
                self.warnings.append(warning)
            elif s.kind in ("int", "float", "log") and s.low is not None and s.high is not None:
                value = self._beyond(s, raw, value)
        self.values[s.key] = list(value) if s.kind == "multi" else value
        return self.values[s.key]

    def _beyond(self, s: Setting, raw: str, v: Any) -> Any:
        if s.fixed_stops or s.low <= v <= s.high:
            return v
        if s.beyond == "widen":
            self.notes.append(
                f"The link sets **{s.label}** to {fmt(v)}, outside the slider's usual range; "
                f"the slider was widened to [{fmt(min(s.low, v))}, {fmt(max(s.high, v))}] to take it."
            )
            return v
        used = s.high if v > s.high else s.low
        self.warnings.append(clamped_warning(s, raw, used))
        return used

    def finish(self) -> None:
        self.warnings += [unknown_warning(key, raw) for key, raw in sorted(self.pending.items())]
        self.pending.clear()


# --------------------------------------------------------------------------- the explorer's sidebar


def parse_query(query: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of a query string, or of a whole link's query (`?` and all)."""
    text = query.strip()
    if "?" in text:
        text = urlsplit(text).query if "://" in text else text.split("?", 1)[1]
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise SceneError(
            [f"The link holds more than {MAX_FIELDS} settings; it is not an explorer link."]
        ) from None
    return [(k, v) for k, v in pairs if k.lower() not in RESERVED_QUERY_KEYS]


def read_query(query: str) -> Scene:
    """The explorer scene of a link's query string. Raises `SceneError` with the page's warnings
    when any value cannot be used as given (the page would fall back to a default or clamp)."""
    pairs = parse_query(query)
    r = _Reader(dict(pairs))  # a repeated key: the last value, as Streamlit's query_params
    presets = lessons.PRESETS

    preset = r.read(PRESET, {})
    base: dict[str, Any] = {}
    if preset in presets and not any(
        k in r.pending for k in presets[preset].settings if k not in ("view", "ema")
    ):
        base = dict(presets[preset].settings)  # a link naming just the lesson opens its scene

    name = r.read(surface_setting(default=lessons.DEFAULT_SURFACE), base)
    info = surfaces.SURFACES[name]
    params = {}
    for p in info.params:
        check = {"check": surfaces.parse_formula} if p.text else {}  # parsed by the engine, never run
        params[p.name] = r.read(Setting.from_param(p, f"{name}_{p.name}", **check), base)
    try:
        surface = surfaces.get_surface(name, **params)
    except ValueError as exc:  # the formula or the view box: the page shows the engine's words
        r.warnings.append(f"**This cannot be used:** {escape_markdown(exc)}")
        surface = surfaces.get_surface(name)
    for setting, bounds, label, default in zip(
        start_settings(), surface.bounds, surface.axis_labels, info.default_start, strict=True
    ):
        low, high = map(float, bounds)
        value = r.read(setting, base, label=label, default=float(default), low=low, high=high)
        r.values[setting.key] = round(float(value), 4)

    opts = r.read(OPTS, base)
    for run in opts:
        opt, copy = split_run_id(run)
        for p in optimizers.OPTIMIZERS[opt].hyper:
            lr = info.suggested_lr.get(opt) if p.name == "lr" else None
            r.read(Setting.from_param(p, f"{run}_{p.name}"), base, **({} if lr is None else {"default": lr}))
        if copy > 1:
            _schedule(
                r, dataclasses.replace(SCHEDULE, key=f"{run}_sched", label="Its learning-rate schedule"), base
            )

    r.read(STEPS, base, default=min(info.suggested_steps, lessons.MAX_STEPS))
    _schedule(r, SCHEDULE, base)
    r.read(NOISE, base)
    r.read(SEED, base)
    if surface.data is not None:
        m = len(surface.data[0])
        r.read(BATCH, base, default=m, high=m)
    for setting in (EMA, TOL, VIEW, THEORY):
        r.read(setting, base)
    r.read(INSPECT, base, options=(NO_INSPECT, *opts))
    r.read(PRESENT, base)
    r.finish()
    if r.warnings:
        raise SceneError(r.warnings)
    still = preset in presets and _is_lesson(r.values, presets[preset].settings)
    return Scene(r.values, preset if still else NO_PRESET, tuple(pairs), tuple(r.notes))


def _schedule(r: _Reader, choice: Setting, base: Mapping[str, Any]) -> None:
    """A schedule's choice and that kind's parameters (`<prefix>_<param>`)."""
    kind = r.read(choice, base)
    for p in SCHEDULES[kind].params:
        r.read(Setting.from_param(p, f"{choice.key}_{p.name}"), base)


def _is_lesson(values: Mapping[str, Any], settings: Mapping[str, Any]) -> bool:
    """Whether the scene is still the lesson: every setting the preset sets has the preset's value
    (the open tab and the smoothing are only ways of looking at it), as the page decides."""
    for key, value in settings.items():
        if key in ("view", "ema"):
            continue
        current = values.get(key)
        if (list(current or ()) != list(value)) if isinstance(value, list) else current != value:
            return False
    return True
