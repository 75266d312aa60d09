"""A page's settings as data: typed `Setting`s, their URL text, and reading a link's value back.

Each page lists its settings as `Setting`s (a key, which is also the URL name, a label, a kind, a
default and a range) in a `SettingsTable`; the engine's `Param`s become settings with
`Setting.from_param`. This module is pure (no streamlit): `Setting.parse` checks a link's text
against the valid range and `read` turns it into a value or the default with the warning a page
shows. The widgets and the URL itself are `ui.settings`.

Kinds: "float" (a slider, or a number box with `style="number"`), "log" (a slider over round
log-spaced stops, or over fixed `stops`), "int" (a slider or a number box), "choice" (a selectbox,
or radio buttons with `style="radio"`), "multi" (a multiselect; the URL holds the names
comma-separated, `opts=sgd,adam`), "bool" (a checkbox; true/false), "text" (a text box of at
most `max_chars` characters whose link value `check` validates; user text is only ever parsed by
`check`, never evaluated) and "pair" (a range (low, high): two number boxes side by side; the URL
holds `low,high`).

A link's value outside a widget's range but inside the valid range (`minimum`/`maximum`) is
valid: `Setting.parse` accepts it, and the page widens the widget (`beyond="widen"`, engine
parameters) or clamps the value to the widget's end (`beyond="clamp"`, a page's own limits such
as the steps slider). An invalid value falls back to the default with a warning.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from params import Param

KINDS = ("float", "log", "int", "choice", "multi", "bool", "text", "pair")
SHOWN_CHARS = 60  # a link's value is quoted in a warning up to this many characters


# --------------------------------------------------------------------------- number formatting


def fmt(value: Any) -> str:
    """Short text for a number (also the URL form): 0.01, 1e-08, 100, 0.9."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    return str(value)


@functools.lru_cache(maxsize=256)
def log_options(low: float, high: float, default: float | None = None) -> tuple[float, ...]:
    """Round numbers 1, 1.5, 2, 3, 5, 7 per decade in [low, high] (both ends and the default
    included): the stops of a log-scale slider. Cached: every log slider asks on every rerun."""
    out: set[float] = {float(low), float(high)}
    if default is not None:
        out.add(float(default))
    for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.0):
            v = float(f"{m * 10.0**e:.6g}")
            if low <= v <= high:
                out.add(v)
    return tuple(sorted(out))


def nearest_option(value: float, options: Sequence[float]) -> float:
    """The option closest to `value` on a log scale."""
    arr = np.asarray(options, dtype=float)
    return float(arr[np.argmin(np.abs(np.log(arr) - math.log(value)))])


def float_step(low: float, high: float) -> float:
    """A round slider step of about a hundredth of [low, high]."""
    raw = (high - low) / 100.0
    exp = math.floor(math.log10(raw))
    return float(f"{10.0**exp:.1g}")


# --------------------------------------------------------------------------- text shown in messages

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def escape_markdown(text: str) -> str:
    """`text` shown literally in Markdown: every character Markdown (or Streamlit's $math$ and
    :directives:) could read as markup is backslash-escaped, so '__import__' stays '__import__'."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def shown(raw: str) -> str:
    """A link's value as quoted in a warning: no backticks (they would end the code span), short."""
    text = str(raw).replace("`", "'")
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


class NotANumberError(ValueError):
    """A link's value for a numeric setting that does not parse as a number."""


def number(raw: str) -> float:
    """`float(raw)`, raising `NotANumberError` (so the warning can say so plainly) when it is not one."""
    try:
        return float(raw)
    except (ValueError, TypeError):
        raise NotANumberError(raw) from None


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Setting:
    """One URL-backed setting of a page (see the module docstring for the kinds)."""

    key: str  # the widget's key and the URL name
    label: str
    kind: str
    default: Any
    low: float | None = None  # the widget's range (float, log, int)
    high: float | None = None
    minimum: float | None = None  # the valid range of a link's value (None: the widget's range)
    maximum: float | None = None
    beyond: str = "clamp"  # a valid link value outside the widget's range: "widen" or "clamp"
    param: Param | None = None  # an engine parameter: its own validation decides what is valid
    options: tuple[Any, ...] = ()  # choice, multi; "log" with fixed stops
    extra_stops: tuple[float, ...] = ()  # "log" with round stops: more stops (around a limit)
    option_label: Callable[[Any], str] = str
    style: str = "slider"  # float, int: "slider" or "number"; choice: "select" or "radio"
    step: float | None = None
    number_format: str | None = None  # a number box's display format, e.g. "%.3f"
    url_digits: int | None = None  # a number box's URL text keeps this many significant digits
    max_chars: int = 300  # text
    check: Callable[[str], Any] | None = None  # text: validates (raises ValueError), never evaluates
    help: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown setting kind {self.kind!r}; valid: {', '.join(KINDS)}")

    @classmethod
    def from_param(cls, param: Param, key: str, **overrides: Any) -> Setting:
        """The setting of an engine parameter: a choice, a log slider, or an integer or float
        slider over the Param's slider range, valid over its valid range (widened on a link)."""
        if param.text or param.pair:  # a typed text (the engine checks it further) or a range
            kind, check = ("text", param.validate) if param.text else ("pair", None)
            spec = cls(key, param.label, kind, param.default, param=param, check=check, help=param.help)
            return dataclasses.replace(spec, **overrides)
        kind = "choice" if param.choices else "log" if param.log else "int" if param.integer else "float"
        spec = cls(
            key=key,
            label=param.label,
            kind=kind,
            default=param.default,
            low=param.low,
            high=param.high,
            beyond="widen",
            param=param,
            options=tuple(param.choices or ()),
            help=param.help,
        )
        return dataclasses.replace(spec, **overrides)

    @property
    def fixed_stops(self) -> tuple[float, ...]:
        """A "log" setting with fixed stops: them and the default, sorted (else empty)."""
        if self.kind != "log" or not self.options:
            return ()
        return tuple(sorted({float(o) for o in self.options} | {float(self.default)}))

    def text(self, value: Any) -> str:
        """The URL text of a value."""
        if self.kind == "multi":
            return ",".join(value)
        if self.kind == "pair":
            return ",".join(fmt(float(v)) for v in value)
        if self.url_digits is not None:
            return f"{float(value):.{self.url_digits}g}"
        return fmt(value)

    def parse(self, raw: str) -> Any:
        """A link's text as a value of this setting, checked against what is valid (not against
        the widget's range: a page widens or clamps, see `beyond`). Raises ValueError saying what
        is wrong (`NotANumberError` for a number that is not one). Text is parsed, never run."""
        return _PARSERS[self.kind](self, raw)

    def shown_default(self) -> str:
        """The default as a warning quotes it."""
        default = self.default
        if self.kind == "multi":  # a multiselect's names, in words
            return ", ".join(fmt(v) for v in default) or "none"
        if self.kind == "pair":
            return "(" + ", ".join(fmt(v) for v in default) + ")"
        if isinstance(default, str):  # a name or typed text: quoted as code, like the link's value
            return f"`{shown(default)}`"
        return fmt(bool(default) if self.kind == "bool" else default)


def invalid_warning(setting: Setting, raw: str, exc: Exception) -> str:
    """What a page says when a link's value for `setting` cannot be used (the default is used)."""
    # Python's own text ("could not convert string to float") means nothing to a reader.
    problem = (
        "is not a number" if isinstance(exc, NotANumberError) else f"is not valid ({escape_markdown(exc)})"
    )
    return (
        f"The link's value `{setting.key}={shown(raw)}` for **{setting.label}** {problem}; "
        f"using the default, {setting.shown_default()}."
    )


def unknown_warning(key: str, raw: str) -> str:
    """What a page says about a link's key that no setting drawn in the run took."""
    return (
        f"The link's setting `{shown(key)}={shown(raw)}` is unknown or does not apply to this view; "
        "it was ignored."
    )


def clamped_warning(setting: Setting, raw: str, used: Any) -> str:
    """What a page says when a link's valid value is beyond a `beyond="clamp"` widget's range."""
    return (
        f"The link's value `{setting.key}={shown(raw)}` for **{setting.label}** is above the slider's "
        f"maximum; using {fmt(used)}, the largest value the page offers."
    )


def read(setting: Setting, raw: str) -> tuple[Any, str | None]:
    """A link's text as (value, None), or (the default, the warning) when it cannot be used."""
    try:
        return setting.parse(raw), None
    except (ValueError, TypeError) as exc:
        return setting.default, invalid_warning(setting, raw, exc)


def check_number(s: Setting, raw: str) -> float:
    """A link's number, checked against the valid range (the Param's own check for engine
    parameters); returned as a float, or an int for integer settings."""
    v = number(raw)
    if s.param is not None:
        return s.param.validate(v)
    lo = s.low if s.minimum is None else s.minimum
    hi = s.high if s.maximum is None else s.maximum
    whole = s.kind == "int"
    if lo is None or hi is None:
        if not math.isfinite(v) or (whole and v != int(v)):
            raise ValueError(f"must be {'a whole number' if whole else 'a finite number'}")
        return int(v) if whole else v
    if not (math.isfinite(v) and (not whole or v == int(v)) and lo <= v <= hi):
        what = "a whole number" if whole else "a number"
        raise ValueError(f"must be {what} in [{fmt(lo)}, {fmt(hi)}]")
    return int(v) if whole else v


def _parse_choice(s: Setting, raw: str) -> Any:
    if s.param is not None:
        return s.param.validate(raw)
    if raw not in s.options:
        raise ValueError(f"choose one of {', '.join(s.options)}")
    return raw


def _parse_multi(s: Setting, raw: str) -> list[str]:
    names = [n.strip() for n in raw.split(",") if n.strip()]
    bad = [n for n in names if n not in s.options]
    if bad:
        raise ValueError(f"unknown name(s) {', '.join(bad)}; choose from {', '.join(s.options)}")
    return [o for o in s.options if o in names]


def _parse_bool(s: Setting, raw: str) -> bool:
    word = raw.strip().lower()
    if word not in ("true", "false", "1", "0"):
        raise ValueError("must be true or false")
    return word in ("true", "1")


def _parse_text(s: Setting, raw: str) -> str:
    if len(raw) > s.max_chars:
        raise ValueError(f"at most {s.max_chars} characters, got {len(raw)}")
    if s.check is not None:
        s.check(raw)  # raises ValueError saying what is wrong; the text is parsed, never run
    return raw


def _parse_pair(s: Setting, raw: str) -> tuple[float, float]:
    parts = raw.split(",")
    if len(parts) != 2:
        raise ValueError("must be two numbers, low,high")
    pair = (number(parts[0]), number(parts[1]))
    return tuple(s.param.validate(pair)) if s.param is not None else pair


def _parse_log(s: Setting, raw: str) -> float:
    stops = s.fixed_stops
    if not stops:  # round stops: any valid value (the page adds it as a stop)
        return float(check_number(s, raw))
    v = number(raw)  # fixed stops: a link's value snaps to the nearest
    if not (math.isfinite(v) and stops[0] <= v <= stops[-1]):
        raise ValueError(f"must be a number in [{fmt(stops[0])}, {fmt(stops[-1])}]")
    return nearest_option(v, stops)


def _parse_numeric(s: Setting, raw: str) -> Any:
    return (int if s.kind == "int" else float)(check_number(s, raw))


_PARSERS: dict[str, Callable[[Setting, str], Any]] = {
    "float": _parse_numeric,
    "int": _parse_numeric,
    "log": _parse_log,
    "choice": _parse_choice,
    "multi": _parse_multi,
    "bool": _parse_bool,
    "text": _parse_text,
    "pair": _parse_pair,
}


NO_PRESET = "none"  # a lesson-preset setting's value for free exploration


def preset_setting(key: str, presets: Mapping[str, Any], help: str = "") -> Setting:
    """A page's "Lesson preset" choice: free exploration, then each preset by its title."""
    return Setting(
        key,
        "Lesson preset",
        "choice",
        NO_PRESET,
        options=(NO_PRESET, *presets),
        option_label=lambda k: "— free exploration —" if k == NO_PRESET else presets[k].title,
        help=help,
    )


class SettingsTable:
    """A page's settings by key, in the order declared; `Setting`s may also be made on the fly
    from the registries' `Param`s (`Setting.from_param`) where a page draws a registry's entries."""

    def __init__(self, settings: Iterable[Setting]):
        self.settings: dict[str, Setting] = {}
        for s in settings:
            if s.key in self.settings:
                raise ValueError(f"setting {s.key!r} is declared twice")
            self.settings[s.key] = s

    def __getitem__(self, key: str) -> Setting:
        return self.settings[key]

    def __contains__(self, key: str) -> bool:
        return key in self.settings

    def __iter__(self) -> Iterator[Setting]:
        return iter(self.settings.values())

    def __len__(self) -> int:
        return len(self.settings)
