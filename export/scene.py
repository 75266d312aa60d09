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

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np

import optimizers
import surfaces
from figures import MAX_COPIES, run_id, split_run_id
from optimizers.schedules import SCHEDULES
from params import Param
from ui import lessons

RESERVED_QUERY_KEYS = {"embed", "embed_options"}  # Streamlit's own
MAX_FIELDS = 1000  # a link with more settings than this is refused before any is read
SHOWN_CHARS = 60  # a link's value is quoted in a message up to this many characters
TEXT_MAX_CHARS = 300  # a typed text setting's limit (the formula box)
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


# --------------------------------------------------------------------------- the page's words


def fmt(value: Any) -> str:
    """Short text for a number, as the page writes it (`ui.settings.fmt`)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    return str(value)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def _escape(text: Any) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def _shown(raw: str) -> str:
    text = str(raw).replace("`", "'")
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def plain(message: str) -> str:
    """A page message (Markdown) as plain text for a terminal: no bold, no backslash escapes."""
    return re.sub(r"\\(.)", r"\1", message.replace("**", ""))


class _NotANumberError(ValueError):
    pass


def _number(raw: str) -> float:
    try:
        return float(raw)
    except (ValueError, TypeError):
        raise _NotANumberError(raw) from None


# --------------------------------------------------------------------------- one setting


@dataclass(frozen=True)
class _Spec:
    """What the page's `Setting` says about reading one link value."""

    key: str
    label: str
    kind: str  # float, int, log, tol, choice, multi, bool, text, pair
    default: Any
    low: float | None = None  # the widget's range
    high: float | None = None
    maximum: float | None = None  # the valid range's top for the page's own settings
    widen: bool = False  # beyond the widget's range: widen (engine parameters) or clamp
    param: Param | None = None
    options: tuple[Any, ...] = ()
    check: Callable[[str], Any] | None = None


def _param_spec(p: Param, key: str, default: Any = None) -> _Spec:
    kind = (
        "text" if p.text else "pair" if p.pair else "choice" if p.choices
        else "log" if p.log else "int" if p.integer else "float"
    )  # fmt: skip
    check = surfaces.parse_formula if p.text else None
    return _Spec(key, p.label, kind, p.default if default is None else default, p.low, p.high,
                 widen=True, param=p, options=tuple(p.choices or ()), check=check)  # fmt: skip


class _Reader:
    """One pass over a link's values, in the page's order; collects values, warnings and notes."""

    def __init__(self, pending: dict[str, str]):
        self.pending = pending
        self.values: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def read(self, s: _Spec, base: Mapping[str, Any]) -> Any:
        """The setting's value: the link's when it is valid, else the preset's or the default."""
        fallback = base.get(s.key, s.default)
        raw = self.pending.pop(s.key, None)
        value = fallback
        if raw is not None:
            try:
                value = self._parse(s, raw)
            except (ValueError, TypeError) as exc:
                problem = (
                    "is not a number"
                    if isinstance(exc, _NotANumberError)
                    else f"is not valid ({_escape(exc)})"
                )
                self.warnings.append(
                    f"The link's value `{s.key}={_shown(raw)}` for **{s.label}** {problem}; "
                    f"using the default, {_shown_default(s.default)}."
                )
                value = s.default
        self.values[s.key] = value
        return value

    def _parse(self, s: _Spec, raw: str) -> Any:
        if s.kind == "choice":
            if s.param is not None:
                return s.param.validate(raw)
            if raw not in s.options:
                raise ValueError(f"choose one of {', '.join(s.options)}")
            return raw
        if s.kind == "multi":
            names = [n.strip() for n in raw.split(",") if n.strip()]
            bad = [n for n in names if n not in s.options]
            if bad:
                raise ValueError(f"unknown name(s) {', '.join(bad)}; choose from {', '.join(s.options)}")
            return [o for o in s.options if o in names]
        if s.kind == "bool":
            word = raw.strip().lower()
            if word not in ("true", "false", "1", "0"):
                raise ValueError("must be true or false")
            return word in ("true", "1")
        if s.kind == "text":
            if len(raw) > TEXT_MAX_CHARS:
                raise ValueError(f"at most {TEXT_MAX_CHARS} characters, got {len(raw)}")
            if s.check is not None:
                s.check(raw)  # the engine's parser: raises ValueError, never runs the text
            return raw
        if s.kind == "pair":
            parts = raw.split(",")
            if len(parts) != 2:
                raise ValueError("must be two numbers, low,high")
            pair = tuple(_number(p) for p in parts)
            return tuple(s.param.validate(pair)) if s.param is not None else pair
        if s.kind == "tol":  # fixed log stops: the nearest
            v = _number(raw)
            if not (math.isfinite(v) and s.options[0] <= v <= s.options[-1]):
                raise ValueError(f"must be a number in [{fmt(s.options[0])}, {fmt(s.options[-1])}]")
            arr = np.asarray(s.options, dtype=float)
            return float(arr[np.argmin(np.abs(np.log(arr) - math.log(v)))])
        return self._numeric(s, raw)

    def _numeric(self, s: _Spec, raw: str) -> Any:
        cast = int if s.kind == "int" else float
        v = _number(raw)
        if s.param is not None:
            v = s.param.validate(v)
        else:
            lo, hi = s.low, s.high if s.maximum is None else s.maximum
            whole = s.kind == "int"
            if not (math.isfinite(v) and (not whole or v == int(v)) and lo <= v <= hi):
                raise ValueError(
                    f"must be {'a whole number' if whole else 'a number'} in [{fmt(lo)}, {fmt(hi)}]"
                )
        v = cast(v)
        if s.low is None or s.high is None or s.low <= v <= s.high:
            return v
        if s.widen:
            self.notes.append(
                f"The link sets **{s.label}** to {fmt(v)}, outside the slider's usual range; "
                f"the slider was widened to [{fmt(min(s.low, v))}, {fmt(max(s.high, v))}] to take it."
            )
            return v
        used = cast(s.high if v > s.high else s.low)
        self.warnings.append(
            f"The link's value `{s.key}={_shown(raw)}` for **{s.label}** is above the slider's maximum; "
            f"using {fmt(used)}, the largest value the page offers."
        )
        return used

    def finish(self) -> None:
        for key, raw in sorted(self.pending.items()):
            self.warnings.append(
                f"The link's setting `{_shown(key)}={_shown(raw)}` is unknown or does not apply to this "
                "view; it was ignored."
            )
        self.pending.clear()


def _shown_default(default: Any) -> str:
    if isinstance(default, list):
        return ", ".join(fmt(v) for v in default) or "none"
    if isinstance(default, tuple):
        return "(" + ", ".join(fmt(v) for v in default) + ")"
    if isinstance(default, str):
        return f"`{_shown(default)}`"
    return fmt(default)


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

    preset = r.read(_Spec("preset", "Lesson preset", "choice", NO_PRESET, options=(NO_PRESET, *presets)), {})
    base: dict[str, Any] = {}
    if preset in presets and not any(
        k in r.pending for k in presets[preset].settings if k not in ("view", "ema")
    ):
        base = dict(presets[preset].settings)  # a link naming just the lesson opens its scene

    surface_names = tuple(surfaces.SURFACES)
    name = r.read(_Spec("surface", "Surface", "choice", lessons.DEFAULT_SURFACE, options=surface_names), base)
    info = surfaces.SURFACES[name]
    params = {p.name: r.read(_param_spec(p, f"{name}_{p.name}"), base) for p in info.params}
    try:
        surface = surfaces.get_surface(name, **params)
    except ValueError as exc:  # the formula or the view box: the page shows the engine's words
        r.warnings.append(f"**This cannot be used:** {_escape(exc)}")
        surface = surfaces.get_surface(name)
    for axis, bounds, label, default in zip(
        ("x", "y"), surface.bounds, surface.axis_labels, info.default_start, strict=True
    ):
        low, high = map(float, bounds)
        spec = _Spec(f"start_{axis}", label, "float", float(default), low, high)
        r.values[spec.key] = round(float(r.read(spec, base)), 4)

    opts = r.read(_Spec("opts", "Race these optimizers", "multi", list(lessons.DEFAULT_OPTIMIZERS),
                        options=RUN_IDS), base)  # fmt: skip
    for run in opts:
        opt, copy = split_run_id(run)
        for p in optimizers.OPTIMIZERS[opt].hyper:
            default = info.suggested_lr.get(opt, p.default) if p.name == "lr" else None
            r.read(_param_spec(p, f"{run}_{p.name}", default), base)
        if copy > 1:
            _schedule(r, f"{run}_sched", "Its learning-rate schedule", base)

    steps_max = lessons.MAX_STEPS
    r.read(_Spec("steps", "Steps (iterations k)", "int", min(info.suggested_steps, steps_max), 1, steps_max,
                 maximum=1_000_000), base)  # fmt: skip
    _schedule(r, "sched", "Learning-rate schedule", base)
    r.read(_Spec("noise", "Gradient noise σ", "float", 0.0, 0.0, 5.0, maximum=1e6), base)
    r.read(_Spec("seed", "Noise seed", "int", 0, 0, 9999), base)
    if surface.data is not None:
        m = len(surface.data[0])
        r.read(_Spec("batch", "Minibatch size m", "int", m, 1, m), base)
    r.read(_Spec("ema", "EMA smoothing", "float", 0.0, 0.0, 0.99), base)
    r.read(
        _Spec("tol", "Tolerance for 'steps to tolerance': L(θ_k) − L* ≤", "tol", 1e-3, options=TOL_STOPS),
        base,
    )
    r.read(_Spec("view", "view", "choice", VIEWS[0], options=VIEWS), base)
    r.read(_Spec("theory", "Theory overlays", "bool", False), base)
    r.read(_Spec("inspect", "Step inspector", "choice", NO_INSPECT, options=(NO_INSPECT, *opts)), base)
    r.read(_Spec("present", "Presentation mode", "bool", False), base)
    r.finish()
    if r.warnings:
        raise SceneError(r.warnings)
    still = preset in presets and _is_lesson(r.values, presets[preset].settings)
    return Scene(r.values, preset if still else NO_PRESET, tuple(pairs), tuple(r.notes))


def _schedule(r: _Reader, prefix: str, label: str, base: Mapping[str, Any]) -> None:
    kind = r.read(_Spec(prefix, label, "choice", "constant", options=tuple(SCHEDULES)), base)
    for p in SCHEDULES[kind].params:
        r.read(_param_spec(p, f"{prefix}_{p.name}"), base)


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
