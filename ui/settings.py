"""A page's settings on screen: their widgets and the URL (the settings themselves are data, in
`scenes.settings`).

`draw` is the one function that turns a `Setting` into a widget, and the only code that talks to
the URL: it reads the link's value on a session's first run (through `UrlState`), checks it
(`Setting.parse`), and records the value for the URL, which `UrlState.finish` writes once at the
end of every run. A fragment that draws settings wraps them in `with url.fragment("name"):`, which
writes the URL on the fragment's own reruns (the one way a fragment's settings reach the URL).
Adding a setting is one entry in a page's table and one `draw` call where the widget goes.

Each kind of setting is a small `Widget` class: how a link's value is taken (`take`: the pure
`Setting.parse`, then widening or clamping to the widget), how the session state is put in order
before the widget is drawn (`prepare`) and the widget itself (`widget`); `draw` does the
bookkeeping once for all of them. A "pair" is two number boxes, keys `<key>__low` and
`<key>__high`; setting `st.session_state[key]` to a pair before the widgets are drawn (e.g. in a
callback) moves both boxes to it.

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

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import streamlit as st

from scenes.settings import (
    KINDS,
    NotANumberError,
    Setting,
    SettingsTable,
    clamped_warning,
    escape_markdown,
    float_step,
    fmt,
    invalid_warning,
    log_options,
    nearest_option,
    unknown_warning,
)

__all__ = [
    "KINDS",
    "NotANumberError",
    "Setting",
    "SettingsTable",
    "UrlState",
    "draw",
    "draw_tabs",
    "escape_markdown",
    "fmt",
    "forget",
    "log_options",
    "nearest_option",
]

PAIR_PARTS = ("__low", "__high")  # a "pair" setting's two number boxes: key + part
URL_PENDING = "_url_pending"  # session_state: query params not yet consumed (first run only)
URL_LOADED = "_url_loaded"  # session_state: the URL has been read for this session
URL_PAGE = "_url_page"  # session_state: the page whose UrlState ran last (None: an unnamed page)
SCENE = "_scene_"  # session_state: SCENE + page -> that page's URL values when it last finished
WIDENED = "_widened"  # session_state: key -> slider range (or extra log stops) widened for a URL value
RESERVED_QUERY_KEYS = {"embed", "embed_options"}


# --------------------------------------------------------------------------- URL state


def _query() -> dict[str, str]:
    return {key: st.query_params[key] for key in st.query_params if key.lower() not in RESERVED_QUERY_KEYS}


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
        self.finished = False  # `finish` ran: from now on only fragments rerun
        self._fragment_keys: dict[str, set[str]] = {}  # fragment -> the keys its last run drew
        entering = page is not None and st.session_state.get(URL_PAGE) != page
        st.session_state[URL_PAGE] = page
        if entering:
            # A named page keeps its scene across page switches: Streamlit drops a page's widget
            # state when another page runs, so on entering, the page reads its settings again:
            # from the URL when it holds some (a link, or the browser's back button, which
            # restores the page's URL), else from the scene it had when it was left.
            # `owns(key)` tells this page's keys from another page's left in the URL.
            given = _query()
            mine = any(owns is None or owns(key) for key in given)
            st.session_state[URL_PENDING] = given if mine else dict(st.session_state.get(SCENE + page, {}))
            st.session_state[URL_LOADED] = True
        elif not st.session_state.get(URL_LOADED):
            st.session_state[URL_PENDING] = _query()
            st.session_state[URL_LOADED] = True

    @property
    def pending(self) -> dict[str, str]:
        return st.session_state.get(URL_PENDING, {})

    def seed(self, setting: Setting, take: Callable[[str], Any], default: Any = None) -> None:
        """On the first run, set `st.session_state[key]` from the URL when `take` accepts the
        link's value; otherwise warn and keep the default. Call before the widget is created."""
        raw = self.pending.pop(setting.key, None)
        if raw is None:
            return
        try:
            st.session_state[setting.key] = take(raw)
        except (ValueError, TypeError) as exc:
            st.session_state[setting.key] = setting.default if default is None else default
            self.warnings.append(invalid_warning(setting, raw, exc))

    def track(self, key: str, value: Any, default: Any, text: str) -> None:
        """Record a drawn widget's value; it goes into the URL when it differs from the default."""
        self.keys.add(key)
        if value != default:
            self.values[key] = text
        else:
            self.values.pop(key, None)  # a fragment's rerun: back at the default

    @contextlib.contextmanager
    def fragment(self, name: str) -> Iterator[None]:
        """Settings drawn inside the fragment `name` (an `st.fragment` that takes this UrlState):
        on the fragment's own rerun, which never reaches the page's `finish`, the keys it drew last
        time are dropped, the ones it draws now recorded, and the URL written."""
        rerun = self.finished
        if rerun:
            for key in self._fragment_keys.get(name, ()):
                self.values.pop(key, None)
                self.keys.discard(key)
        before = set(self.keys)
        yield
        self._fragment_keys[name] = self.keys - before
        if rerun:
            self.finish()

    def finish(self) -> None:
        """Warn about URL keys nothing used, then write the URL (only if it changed)."""
        for key, raw in sorted(self.pending.items()):
            self.warnings.append(unknown_warning(key, raw))
        st.session_state[URL_PENDING] = {}
        if self.page is not None:
            st.session_state[SCENE + self.page] = dict(self.values)
        current = {k: st.query_params[k] for k in st.query_params}
        if current != self.values:
            st.query_params.from_dict(self.values)
        self.finished = True

    def show_warnings(self, container) -> None:
        for text in self.notes:
            container.info(text, icon="ℹ️")
        for text in self.warnings:
            container.warning(text, icon="⚠️")


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


def _as_default(key: str) -> Any:
    """The state's value, passed to a widget as its default too. Streamlit drops a
    `persist_state="page"` widget's value on a page switch and resets the widget to its default
    when it is drawn again; a setting first read hidden after the switch (`draw(..., hidden=True)`,
    its value from the page's scene) would otherwise open on the widget's own default. The key stays
    the widget's identity, so passing the value does not remount it."""
    return st.session_state[key]


def _widened(key: str) -> dict:
    return st.session_state.setdefault(WIDENED, {}).get(key, {})


def _widen(key: str, url: UrlState, label: str, value: float, low: float, high: float, **extra) -> None:
    """Remember, for this session, that the slider `key` was widened to take a link's value."""
    st.session_state.setdefault(WIDENED, {})[key] = {"low": low, "high": high, **extra}
    url.notes.append(
        f"The link sets **{label}** to {fmt(value)}, outside the slider's usual range; "
        f"the slider was widened to [{fmt(low)}, {fmt(high)}] to take it."
    )


class Widget:
    """One kind of setting on screen. `draw` calls, in order: `default`, `take` (a link's value,
    first run only), `prepare` (the session state put in order), `widget` (drawn, returns the
    value), and records the value for the URL."""

    def default(self, s: Setting) -> Any:
        return s.default

    def take(self, s: Setting, raw: str, url: UrlState) -> Any:
        """A link's value: the setting's own check (pure); widgets with a range may widen or clamp."""
        return s.parse(raw)

    def prepare(self, s: Setting, default: Any) -> None:
        st.session_state.setdefault(s.key, default)

    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError

    def for_url(self, s: Setting, value: Any, default: Any) -> tuple[Any, str]:
        """The value the URL keeps, and its text."""
        return value, s.text(value)


class ChoiceWidget(Widget):
    def prepare(self, s: Setting, default: Any) -> None:
        super().prepare(s, default)
        if st.session_state[s.key] not in s.options:
            st.session_state[s.key] = default

    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> Any:
        options = list(s.options)
        draw_choice = c.radio if s.style == "radio" else c.selectbox
        extra = {"horizontal": True} if s.style == "radio" else {}
        index = options.index(_as_default(s.key))
        return draw_choice(s.label, options, index=index, format_func=s.option_label, **kwargs, **extra)


class MultiWidget(Widget):
    def default(self, s: Setting) -> list[Any]:
        return list(s.default)

    def prepare(self, s: Setting, default: Any) -> None:
        st.session_state.setdefault(s.key, list(default))

    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> list[Any]:
        value = c.multiselect(s.label, list(s.options), format_func=s.option_label, **kwargs)
        return [o for o in s.options if o in value]


class BoolWidget(Widget):
    def default(self, s: Setting) -> bool:
        return bool(s.default)

    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> bool:
        return bool(c.checkbox(s.label, **kwargs))


class TextWidget(Widget):
    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> str:
        # No cap in the browser: Streamlit drops a longer paste without a word (streamlit#9221).
        # The owner's check says the limit instead; text over it stays out of the URL.
        return c.text_input(s.label, **kwargs)

    def for_url(self, s: Setting, value: Any, default: Any) -> tuple[Any, str]:
        return (value, s.text(value)) if len(value) <= s.max_chars else (default, "")


class PairWidget(Widget):
    """Two number boxes, low and high. Their order is not enforced here: the owner's validation
    (`Param.validate`: low < high) says what is wrong, where the page shows the problem."""

    def default(self, s: Setting) -> tuple[float, float]:
        return tuple(float(v) for v in s.default)

    def prepare(self, s: Setting, default: Any) -> None:
        low_key, high_key = (s.key + part for part in PAIR_PARTS)
        moved = st.session_state.pop(s.key, None)  # a link's value, or a pair a callback set
        if moved is not None:
            st.session_state[low_key], st.session_state[high_key] = map(float, moved)
        st.session_state.setdefault(low_key, default[0])
        st.session_state.setdefault(high_key, default[1])

    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> tuple[float, float]:
        low_key, high_key = (s.key + part for part in PAIR_PARTS)
        boxes = c.columns(2)
        kwargs = {k: v for k, v in kwargs.items() if k != "key"}
        kwargs |= {"step": s.step or 0.5, "format": s.number_format or "%g"}
        low = boxes[0].number_input(f"{s.label} from", key=low_key, **kwargs)
        high = boxes[1].number_input("to", key=high_key, **kwargs)
        return (float(low), float(high))


class LogWidget(Widget):
    """A slider over round log-spaced stops (a link's value becomes one more stop, widening the
    range if needed), or over fixed stops (a link's value snaps to the nearest)."""

    def default(self, s: Setting) -> float:
        return float(s.default)

    def stops(self, s: Setting) -> list[float]:
        if s.fixed_stops:
            return list(s.fixed_stops)
        extra = (*_widened(s.key).get("stops", ()), *s.extra_stops)
        return sorted(set(log_options(float(s.low), float(s.high), float(s.default))) | set(extra))

    def take(self, s: Setting, raw: str, url: UrlState) -> float:
        v = s.parse(raw)
        options = self.stops(s)
        if s.fixed_stops or v in options:
            return v
        low, high = min(options[0], v), max(options[-1], v)
        more = (*_widened(s.key).get("stops", ()), v)
        if low < options[0] or high > options[-1]:
            _widen(s.key, url, s.label, v, low, high, stops=more)
        else:  # inside the range: just one more stop, no note
            st.session_state.setdefault(WIDENED, {})[s.key] = {"stops": more}
        return v

    def prepare(self, s: Setting, default: Any) -> None:
        super().prepare(s, default)
        options = self.stops(s)
        if st.session_state[s.key] not in options:
            st.session_state[s.key] = nearest_option(float(st.session_state[s.key]), options)

    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> float:
        options = self.stops(s)
        value = c.select_slider(s.label, options=options, value=_as_default(s.key), format_func=fmt, **kwargs)
        return float(value)


class NumberWidget(Widget):
    """float and int: a slider (widened or clamped for a link) or a number box (limits, if any)."""

    def cast(self, s: Setting) -> type:
        return int if s.kind == "int" else float

    def default(self, s: Setting) -> Any:
        return self.cast(s)(s.default)

    def bounded(self, s: Setting) -> bool:
        return s.low is not None and s.high is not None

    def widget_range(self, s: Setting) -> tuple[Any, Any]:
        w, cast = _widened(s.key), self.cast(s)
        return cast(w.get("low", s.low)), cast(w.get("high", s.high))

    def take(self, s: Setting, raw: str, url: UrlState) -> Any:
        v = s.parse(raw)
        if not self.bounded(s):
            return v
        low, high = self.widget_range(s)
        if low <= v <= high:
            return v
        if s.beyond == "widen":
            _widen(s.key, url, s.label, v, min(low, v), max(high, v))
            return v
        used = high if v > high else low
        url.warnings.append(clamped_warning(s, raw, used))
        return used

    def prepare(self, s: Setting, default: Any) -> None:
        super().prepare(s, default)
        if self.bounded(s):
            low, high = self.widget_range(s)
            if not low <= st.session_state[s.key] <= high:  # e.g. a preset's value: clamp quietly
                st.session_state[s.key] = self.cast(s)(min(max(st.session_state[s.key], low), high))

    def widget(self, s: Setting, c, kwargs: dict[str, Any]) -> Any:
        cast = self.cast(s)
        if self.bounded(s):
            low, high = self.widget_range(s)
            kwargs.update(min_value=low, max_value=high)
        if s.kind == "int":
            kwargs["step"] = 1
        elif s.step is not None:
            kwargs["step"] = float(s.step)
        elif self.bounded(s):
            kwargs["step"] = float_step(float(s.low), float(s.high))
        if s.style == "number":
            if s.number_format is not None:
                kwargs["format"] = s.number_format
            return cast(c.number_input(s.label, value=cast(_as_default(s.key)), **kwargs))
        if s.kind == "float" and s.param is not None:
            kwargs["format"] = "%g"
        # Without a value, st.slider also reads the whole session state to learn whether it is a
        # range slider, on every run.
        return cast(c.slider(s.label, value=cast(_as_default(s.key)), **kwargs))


WIDGETS: dict[str, Widget] = {
    "float": NumberWidget(),
    "int": NumberWidget(),
    "log": LogWidget(),
    "choice": ChoiceWidget(),
    "multi": MultiWidget(),
    "bool": BoolWidget(),
    "text": TextWidget(),
    "pair": PairWidget(),
}


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
    kind = WIDGETS[s.kind]
    default = kind.default(s)
    url.seed(s, lambda raw: kind.take(s, raw, url), default)
    kind.prepare(s, default)
    kwargs = {
        "key": s.key,
        "help": s.help or None,
        "on_change": on_change,
        "disabled": disabled,
        "persist_state": "page",
    }
    value = kind.widget(s, c, kwargs)
    kept, text = kind.for_url(s, value, default)
    url.track(s.key, kept, default, text)
    return value


def draw_tabs(setting: Setting, url: UrlState, container=None) -> list:
    """Tabs over a choice setting's options (lazy views: only the open tab runs); the open tab is
    the setting's value. Returns the tab containers, in the order of the options."""
    c = container if container is not None else st
    url.seed(setting, setting.parse)
    st.session_state.setdefault(setting.key, setting.default)
    tabs = c.tabs(list(setting.options), key=setting.key, on_change="rerun")
    value = st.session_state.get(setting.key, setting.default)
    url.track(setting.key, value, setting.default, setting.text(value))
    return tabs
