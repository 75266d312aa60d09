"""A page's settings, declared once: typed `Setting`s, their URL state and their widgets.

Each page lists its settings as `Setting`s (a key, which is also the URL name, a label, a kind, a
default and a range); the engine's `Param`s become settings with `Setting.from_param`. `draw` is the
one function that turns a setting into a widget, and the only code that talks to the URL: it reads
the link's value on a session's first run (through `UrlState`), checks it, and records the value
for the URL, which `UrlState.finish` writes once at the end of every run. Adding a setting is one
entry in a page's table and one `draw` call where the widget goes.

Kinds: "float" (a slider, or a number box with `style="number"`), "log" (a slider over round
log-spaced stops, or over fixed `stops`), "int" (a slider or a number box), "choice" (a selectbox,
or radio buttons with `style="radio"`), "multi" (a multiselect; the URL holds the names
comma-separated, `opts=sgd,adam`), "bool" (a checkbox; true/false), "text" (a text box of at
most `max_chars` characters whose link value `check` validates; user text is only ever parsed by
`check`, never evaluated) and "pair" (a range (low, high): two number boxes side by side, keys
`<key>__low` and `<key>__high`; the URL holds `low,high`; setting `st.session_state[key]` to a
pair before the widgets are drawn, e.g. in a callback, moves both boxes to it).

A link's value outside a widget's range but inside the valid range (`minimum`/`maximum`) is
valid: with `beyond="widen"` (engine parameters) the widget is widened for the session and a note
says so; with `beyond="clamp"` (a page's own limits, such as the steps slider) it is clamped to
the widget's end with a warning. An invalid value falls back to the default with a warning.

Why not Streamlit's `bind="query-params"`: a bound widget drops an invalid or out-of-range link
value before the script runs (no warning is possible, no widening), it keeps a value in the URL
only while it differs from the widget's own `value=` default (ours follow other settings: the
surface's suggested α, steps and start), writes a multiselect as repeated keys (our links say
`opts=sgd,adam`), and a bound value persists across page switches. So the URL layer here is ours;
widget state across reruns is Streamlit's own `persist_state="page"`: a setting whose widget is
hidden (an optimizer deselected) keeps its value while the page is open, and a page switch starts
it afresh.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from params import Param

KINDS = ("float", "log", "int", "choice", "multi", "bool", "text", "pair")
PAIR_PARTS = ("__low", "__high")  # a "pair" setting's two number boxes: key + part
URL_PENDING = "_url_pending"  # session_state: query params not yet consumed (first run only)
URL_LOADED = "_url_loaded"  # session_state: the URL has been read for this session
URL_PAGE = "_url_page"  # session_state: the page whose UrlState ran last (None: an unnamed page)
SCENE = "_scene_"  # session_state: SCENE + page -> that page's URL values when it last finished
WIDENED = "_widened"  # session_state: key -> slider range (or extra log stops) widened for a URL value
RESERVED_QUERY_KEYS = {"embed", "embed_options"}
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


def _float_step(low: float, high: float) -> float:
    raw = (high - low) / 100.0
    exp = math.floor(math.log10(raw))
    return float(f"{10.0**exp:.1g}")


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

    def text(self, value: Any) -> str:
        """The URL text of a value."""
        if self.kind == "multi":
            return ",".join(value)
        if self.kind == "pair":
            return ",".join(fmt(float(v)) for v in value)
        if self.url_digits is not None:
            return f"{float(value):.{self.url_digits}g}"
        return fmt(value)


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

    def __iter__(self):
        return iter(self.settings.values())


# --------------------------------------------------------------------------- URL state


class NotANumberError(ValueError):
    """A link's value for a numeric setting that does not parse as a number."""


def _number(raw: str) -> float:
    """`float(raw)`, raising `NotANumberError` (so the warning can say so plainly) when it is not one."""
    try:
        return float(raw)
    except (ValueError, TypeError):
        raise NotANumberError(raw) from None


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def escape_markdown(text: str) -> str:
    """`text` shown literally in Markdown: every character Markdown (or Streamlit's $math$ and
    :directives:) could read as markup is backslash-escaped, so '__import__' stays '__import__'."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def _shown(raw: str) -> str:
    """A link's value as quoted in a warning: no backticks (they would end the code span), short."""
    text = str(raw).replace("`", "'")
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


class UrlState:
    """One run's URL state: the link's values not yet used, the values to write, and warnings.

    On the first run of a session the query params are read once; each `draw` then takes its own
    value from them. At the end of every run `finish` writes the non-default values of the settings
    drawn in that run (and nothing else: stale keys and another page's keys disappear).
    """

    def __init__(self, page: str | None = None, owns: Callable[[str], bool] | None = None) -> None:
        self.page = page
        self.values: dict[str, str] = {}  # key -> URL text of non-default values drawn this run
        self.keys: set[str] = set()  # every setting drawn this run
        self.warnings: list[str] = []
        self.notes: list[str] = []  # informational: a slider widened to take a link's value
        entering = page is not None and st.session_state.get(URL_PAGE) != page
        st.session_state[URL_PAGE] = page
        if entering:
            # A named page keeps its scene across page switches: Streamlit drops a page's widget
            # state when another page runs, so on entering, the page reads its settings again:
            # from the URL when it holds some (a link, or the browser's back button, which
            # restores the page's URL), else from the scene it had when it was left.
            # `owns(key)` tells this page's keys from another page's left in the URL.
            given = {
                key: st.query_params[key] for key in st.query_params if key.lower() not in RESERVED_QUERY_KEYS
            }
            mine = any(owns is None or owns(key) for key in given)
            st.session_state[URL_PENDING] = given if mine else dict(st.session_state.get(SCENE + page, {}))
            st.session_state[URL_LOADED] = True
        elif not st.session_state.get(URL_LOADED):
            st.session_state[URL_PENDING] = {
                key: st.query_params[key] for key in st.query_params if key.lower() not in RESERVED_QUERY_KEYS
            }
            st.session_state[URL_LOADED] = True

    @property
    def pending(self) -> dict[str, str]:
        return st.session_state.get(URL_PENDING, {})

    def seed(self, key: str, parse: Callable[[str], Any], label: str, default: Any) -> None:
        """On the first run, set `st.session_state[key]` from the URL when the URL value parses;
        otherwise warn and keep the default. Call before the widget is created."""
        raw = self.pending.pop(key, None)
        if raw is None:
            return
        try:
            st.session_state[key] = parse(raw)
        except (ValueError, TypeError) as exc:
            st.session_state[key] = default
            # Python's own text ("could not convert string to float") means nothing to a reader.
            problem = (
                "is not a number"
                if isinstance(exc, NotANumberError)
                else f"is not valid ({escape_markdown(exc)})"
            )
            shown_default = fmt(default)
            if isinstance(default, list):  # a multiselect's names, in words
                shown_default = ", ".join(fmt(v) for v in default) or "none"
            if isinstance(default, tuple):  # a range
                shown_default = "(" + ", ".join(fmt(v) for v in default) + ")"
            if isinstance(default, str):  # typed text: quoted as code, like the link's value
                shown_default = f"`{_shown(default)}`"
            self.warnings.append(
                f"The link's value `{key}={_shown(raw)}` for **{label}** {problem}; "
                f"using the default, {shown_default}."
            )

    def track(self, key: str, value: Any, default: Any, text: str) -> None:
        """Record a drawn widget's value; it goes into the URL when it differs from the default."""
        self.keys.add(key)
        if value != default:
            self.values[key] = text

    def finish(self) -> None:
        """Warn about URL keys nothing used, then write the URL (only if it changed)."""
        for key, raw in sorted(self.pending.items()):
            self.warnings.append(
                f"The link's setting `{_shown(key)}={_shown(raw)}` is unknown or does not apply to this "
                "view; it was ignored."
            )
        st.session_state[URL_PENDING] = {}
        if self.page is not None:
            st.session_state[SCENE + self.page] = dict(self.values)
        current = {k: st.query_params[k] for k in st.query_params}
        if current != self.values:
            st.query_params.from_dict(self.values)

    def show_warnings(self, container) -> None:
        for text in self.notes:
            container.info(text, icon="ℹ️")
        for text in self.warnings:
            container.warning(text, icon="⚠️")


def sync_query_param(setting: Setting, value: Any, default: Any | None = None) -> None:
    """Update one URL key in place (for fragment reruns, which do not reach `UrlState.finish`)."""
    default = setting.default if default is None else default
    text = setting.text(value)
    scene = st.session_state.get(SCENE + str(st.session_state.get(URL_PAGE)))
    if scene is not None:  # the page's remembered scene follows too
        if value == default:
            scene.pop(setting.key, None)
        else:
            scene[setting.key] = text
    if value == default:
        if setting.key in st.query_params:
            del st.query_params[setting.key]
    elif st.query_params.get(setting.key) != text:
        st.query_params[setting.key] = text


def forget(keys: Iterable[str]) -> None:
    """Drop the values of `keys`, drawn or hidden, so those widgets start from their defaults or
    from values a callback sets (a preset, a surface's suggestions) when drawn again."""
    for key in keys:
        for part in ("", *PAIR_PARTS):
            st.session_state.pop(key + part, None)


# --------------------------------------------------------------------------- widgets


class _Unseen:
    """Where `draw(..., hidden=True)` puts a widget: nowhere. Each widget call returns the value its
    key holds in the session state (`persist_state` keeps a widget's value while it is not drawn)."""

    def columns(self, spec: int | Sequence[float], **_: Any) -> list[_Unseen]:
        return [self] * (spec if isinstance(spec, int) else len(spec))

    def _value(self, *_: Any, key: str, **__: Any) -> Any:
        return st.session_state[key]

    slider = select_slider = selectbox = radio = number_input = multiselect = checkbox = text_input = _value


def draw(
    setting: Setting,
    url: UrlState,
    *,
    container=None,
    on_change: Callable[[], None] | None = None,
    disabled: bool = False,
    hidden: bool = False,
    **overrides: Any,
) -> Any:
    """The widget of `setting`, bound to `st.session_state[setting.key]` and to the URL; returns its
    value. `overrides` replace fields of the setting for this run (a default or a range that
    follows other settings: the surface's start point and bounds, its suggested α).

    `hidden`: no widget (e.g. inside a closed expander, whose content is not sent), but the same
    value: taken from the link or the session state, checked, and written to the URL."""
    s = dataclasses.replace(setting, **overrides) if overrides else setting
    c = _Unseen() if hidden else container if container is not None else st
    widget = _WIDGETS[s.kind]
    return widget(s, url, c, on_change=on_change, disabled=disabled)


def draw_tabs(setting: Setting, url: UrlState, container=None) -> list:
    """Tabs over a choice setting's options (lazy views: only the open tab runs); the open tab is
    the setting's value. Returns the tab containers, in the order of the options."""
    c = container if container is not None else st
    options = list(setting.options)

    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return raw

    url.seed(setting.key, parse, setting.label, setting.default)
    st.session_state.setdefault(setting.key, setting.default)
    tabs = c.tabs(options, key=setting.key, on_change="rerun")
    value = st.session_state.get(setting.key, setting.default)
    url.track(setting.key, value, setting.default, setting.text(value))
    return tabs


def _as_default(key: str) -> Any:
    """The state's value, passed to a widget as its default too. Streamlit drops a
    `persist_state="page"` widget's value on a page switch and resets the widget to its default
    when it is drawn again; a setting first read hidden after the switch (`draw(..., hidden=True)`,
    its value from the page's scene) would otherwise open on the widget's own default. The key stays
    the widget's identity, so passing the value does not remount it."""
    return st.session_state[key]


def _common(s: Setting, on_change, disabled: bool) -> dict[str, Any]:
    return {
        "key": s.key,
        "help": s.help or None,
        "on_change": on_change,
        "disabled": disabled,
        "persist_state": "page",
    }


def _check_number(s: Setting, raw: str) -> float:
    """A link's number, checked against the valid range (the Param's own check for engine
    parameters); returned as a float, or an int for integer settings."""
    v = _number(raw)
    if s.param is not None:
        return s.param.validate(v)
    lo = s.low if s.minimum is None else s.minimum
    hi = s.high if s.maximum is None else s.maximum
    whole = s.kind == "int"
    if not (math.isfinite(v) and (not whole or v == int(v)) and lo <= v <= hi):
        what = "a whole number" if whole else "a number"
        raise ValueError(f"must be {what} in [{fmt(lo)}, {fmt(hi)}]")
    return int(v) if whole else v


def _widened(key: str) -> dict:
    return st.session_state.setdefault(WIDENED, {}).get(key, {})


def _widen(key: str, url: UrlState, label: str, value: float, low: float, high: float, **extra) -> None:
    """Remember, for this session, that the slider `key` was widened to take a link's value."""
    st.session_state.setdefault(WIDENED, {})[key] = {"low": low, "high": high, **extra}
    url.notes.append(
        f"The link sets **{label}** to {fmt(value)}, outside the slider's usual range; "
        f"the slider was widened to [{fmt(low)}, {fmt(high)}] to take it."
    )


def _clamped(url: UrlState, s: Setting, raw: str, used: float) -> float:
    url.warnings.append(
        f"The link's value `{s.key}={_shown(raw)}` for **{s.label}** is above the slider's maximum; "
        f"using {fmt(used)}, the largest value the page offers."
    )
    return used


def _choice(s: Setting, url: UrlState, c, *, on_change, disabled) -> Any:
    options = list(s.options)

    def parse(raw: str) -> Any:
        if s.param is not None:
            return s.param.validate(raw)
        if raw not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return raw

    url.seed(s.key, parse, s.label, s.default)
    st.session_state.setdefault(s.key, s.default)
    if st.session_state[s.key] not in options:
        st.session_state[s.key] = s.default
    draw_choice = c.radio if s.style == "radio" else c.selectbox
    extra = {"horizontal": True} if s.style == "radio" else {}
    value = draw_choice(
        s.label,
        options,
        index=options.index(_as_default(s.key)),
        format_func=s.option_label,
        **_common(s, on_change, disabled),
        **extra,
    )
    url.track(s.key, value, s.default, s.text(value))
    return value


def _multi(s: Setting, url: UrlState, c, *, on_change, disabled) -> list[Any]:
    options = list(s.options)

    def parse(raw: str) -> list[str]:
        names = [n.strip() for n in raw.split(",") if n.strip()]
        bad = [n for n in names if n not in options]
        if bad:
            raise ValueError(f"unknown name(s) {', '.join(bad)}; choose from {', '.join(options)}")
        return [o for o in options if o in names]

    default = list(s.default)
    url.seed(s.key, parse, s.label, default)
    st.session_state.setdefault(s.key, list(default))
    value = c.multiselect(s.label, options, format_func=s.option_label, **_common(s, on_change, disabled))
    ordered = [o for o in options if o in value]
    url.track(s.key, ordered, default, s.text(ordered))
    return ordered


def _bool(s: Setting, url: UrlState, c, *, on_change, disabled) -> bool:
    def parse(raw: str) -> bool:
        word = raw.strip().lower()
        if word not in ("true", "false", "1", "0"):
            raise ValueError("must be true or false")
        return word in ("true", "1")

    url.seed(s.key, parse, s.label, bool(s.default))
    st.session_state.setdefault(s.key, bool(s.default))
    value = bool(c.checkbox(s.label, **_common(s, on_change, disabled)))
    url.track(s.key, value, bool(s.default), s.text(value))
    return value


def _text(s: Setting, url: UrlState, c, *, on_change, disabled) -> str:
    def parse(raw: str) -> str:
        if len(raw) > s.max_chars:
            raise ValueError(f"at most {s.max_chars} characters, got {len(raw)}")
        if s.check is not None:
            s.check(raw)  # raises ValueError saying what is wrong; the text is parsed, never run
        return raw

    url.seed(s.key, parse, s.label, s.default)
    st.session_state.setdefault(s.key, s.default)
    # No cap in the browser: Streamlit drops a longer paste without a word (streamlit#9221). The
    # owner's check says the limit instead; text over it stays out of the URL.
    value = c.text_input(s.label, **_common(s, on_change, disabled))
    fits = len(value) <= s.max_chars
    url.track(s.key, value if fits else s.default, s.default, s.text(value) if fits else "")
    return value


def _pair(s: Setting, url: UrlState, c, *, on_change, disabled) -> tuple[float, float]:
    """Two number boxes, low and high. Their order is not enforced here: the owner's validation
    (`Param.validate`: low < high) says what is wrong, where the page shows the problem."""
    default = tuple(float(v) for v in s.default)
    low_key, high_key = (s.key + part for part in PAIR_PARTS)

    def parse(raw: str) -> tuple[float, float]:
        parts = raw.split(",")
        if len(parts) != 2:
            raise ValueError("must be two numbers, low,high")
        pair = tuple(_number(p) for p in parts)
        return tuple(s.param.validate(pair)) if s.param is not None else pair

    url.seed(s.key, parse, s.label, default)
    moved = st.session_state.pop(s.key, None)  # a link's value, or a pair a callback set
    if moved is not None:
        st.session_state[low_key], st.session_state[high_key] = map(float, moved)
    st.session_state.setdefault(low_key, default[0])
    st.session_state.setdefault(high_key, default[1])
    boxes = c.columns(2)
    kwargs = {"help": s.help or None, "on_change": on_change, "disabled": disabled, "persist_state": "page"}
    kwargs |= {"step": s.step or 0.5, "format": s.number_format or "%g"}
    low = boxes[0].number_input(f"{s.label} from", key=low_key, **kwargs)
    high = boxes[1].number_input("to", key=high_key, **kwargs)
    value = (float(low), float(high))
    url.track(s.key, value, default, s.text(value))
    return value


def _log(s: Setting, url: UrlState, c, *, on_change, disabled) -> float:
    default = float(s.default)
    fixed = bool(s.options)  # fixed stops: a link's value snaps to the nearest, no widening

    def stops() -> list[float]:
        if fixed:
            return sorted({float(o) for o in s.options} | {default})
        extra = _widened(s.key).get("stops", ())
        return sorted(set(log_options(float(s.low), float(s.high), default)) | set(extra))

    def parse(raw: str) -> float:
        options = stops()
        if fixed:
            v = _number(raw)
            if not (math.isfinite(v) and options[0] <= v <= options[-1]):
                raise ValueError(f"must be a number in [{fmt(options[0])}, {fmt(options[-1])}]")
            return nearest_option(v, options)
        v = float(_check_number(s, raw))
        if v not in options:
            low, high = min(options[0], v), max(options[-1], v)
            more = (*_widened(s.key).get("stops", ()), v)
            if low < options[0] or high > options[-1]:
                _widen(s.key, url, s.label, v, low, high, stops=more)
            else:  # inside the range: just one more stop, no note
                st.session_state.setdefault(WIDENED, {})[s.key] = {"stops": more}
        return v

    url.seed(s.key, parse, s.label, default)
    options = stops()
    st.session_state.setdefault(s.key, default)
    if st.session_state[s.key] not in options:
        st.session_state[s.key] = nearest_option(float(st.session_state[s.key]), options)
    value = c.select_slider(
        s.label,
        options=options,
        value=_as_default(s.key),
        format_func=fmt,
        **_common(s, on_change, disabled),
    )
    url.track(s.key, float(value), default, s.text(float(value)))
    return float(value)


def _numeric(s: Setting, url: UrlState, c, *, on_change, disabled) -> Any:
    """float and int: a slider (widened or clamped for a link) or a number box (limits, if any)."""
    cast = int if s.kind == "int" else float
    default = cast(s.default)
    bounded = s.low is not None and s.high is not None

    def widget_range() -> tuple[Any, Any]:
        w = _widened(s.key)
        return cast(w.get("low", s.low)), cast(w.get("high", s.high))

    def parse(raw: str) -> Any:
        v = cast(_check_number(s, raw))
        if not bounded:
            return v
        low, high = widget_range()
        if low <= v <= high:
            return v
        if s.beyond == "widen":
            _widen(s.key, url, s.label, v, min(low, v), max(high, v))
            return v
        return _clamped(url, s, raw, high if v > high else low)

    url.seed(s.key, parse, s.label, default)
    st.session_state.setdefault(s.key, default)
    kwargs = _common(s, on_change, disabled)
    if bounded:
        low, high = widget_range()
        if not low <= st.session_state[s.key] <= high:  # e.g. a preset's value: clamp quietly
            st.session_state[s.key] = cast(min(max(st.session_state[s.key], low), high))
        kwargs.update(min_value=low, max_value=high)
    if s.kind == "int":
        kwargs["step"] = 1
    elif s.step is not None:
        kwargs["step"] = float(s.step)
    elif bounded:
        kwargs["step"] = _float_step(float(s.low), float(s.high))
    if s.style == "number":
        if s.number_format is not None:
            kwargs["format"] = s.number_format
        value = c.number_input(s.label, value=cast(_as_default(s.key)), **kwargs)
    else:
        if s.kind == "float" and s.param is not None:
            kwargs["format"] = "%g"
        # Without a value, st.slider also reads the whole session state to learn whether it is a
        # range slider, on every run.
        value = c.slider(s.label, value=cast(_as_default(s.key)), **kwargs)
    url.track(s.key, cast(value), default, s.text(cast(value)))
    return cast(value)


_WIDGETS: dict[str, Callable[..., Any]] = {
    "float": _numeric,
    "int": _numeric,
    "log": _log,
    "choice": _choice,
    "multi": _multi,
    "bool": _bool,
    "text": _text,
    "pair": _pair,
}
