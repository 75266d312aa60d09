"""Helpers shared by the app's pages: cached engine calls, parameter widgets and URL state.

Everything cached takes hashable primitives (names, tuples of floats) and rebuilds engine objects
inside, so `st.cache_data` keys stay small and exact. No maths here: the engine computes, the
figure builders draw.

URL state
---------
Every setting lives in the URL (`st.query_params`), so a link restores the view. `UrlState`
does it by hand rather than with `bind="query-params"`: a bound widget silently drops or clamps an
invalid value, and its URL snapshot is taken before the script can look at it, so there would be no
way to show the visible warning the app promises. Here, on the first run of a session, each widget
helper validates its own URL value with the engine's `Param.validate`; a bad value falls back to
the default and adds a warning. At the end of every run the URL is rewritten with the non-default
values of the widgets that were drawn (and stale or unknown keys disappear).

Streamlit forgets a widget's state when a run does not draw it (an optimizer deselected, another
surface or schedule picked). `param_widget` therefore keeps each value under `KEPT` too, and a
widget drawn again starts from it, so a setting survives hiding it for the rest of the session. A
hidden setting is not in the URL; it returns there when its widget does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import streamlit as st

from figures import surface_grid as _surface_grid

URL_PENDING = "_url_pending"  # session_state: query params not yet consumed (first run only)
URL_LOADED = "_url_loaded"  # session_state: the URL has been read for this session
WIDENED = "_widened"  # session_state: key -> slider range (or extra log stops) widened for a URL value
KEPT = "_kept"  # session_state: key -> last value of a parameter widget, kept while it is not drawn
RESERVED_QUERY_KEYS = {"embed", "embed_options"}


# --------------------------------------------------------------------------- cached engine calls


def params_tuple(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A dict of parameters as a sorted tuple of pairs: hashable and order-free."""
    return tuple(sorted(params.items()))


@st.cache_resource(max_entries=32, show_spinner=False)
def get_surface(name: str, params: tuple[tuple[str, Any], ...]):
    """The engine's Surface for `name` and `params` (shared, never mutated)."""
    import surfaces

    return surfaces.get_surface(name, **dict(params))


@st.cache_data(max_entries=32, show_spinner=False)
def surface_grid(name: str, params: tuple[tuple[str, Any], ...], n: int):
    """(xs, ys, Z) float32 on an n x n grid over the bounds (see `figures.surface_grid`)."""
    return _surface_grid(get_surface(name, params), n)


@st.cache_data(max_entries=512, show_spinner=False)
def run_optimizer(
    optimizer: str,
    surface_name: str,
    surface_params: tuple[tuple[str, Any], ...],
    start: tuple[float, float],
    steps: int,
    schedule: tuple[tuple[str, Any], ...] | None,
    noise: float,
    seed: int,
    batch_size: int | None,
    hyper: tuple[tuple[str, Any], ...],
):
    """One optimizer run (a Trajectory), cached per optimizer, so changing one optimizer's
    hyperparameters leaves the others' runs cached. Raises the engine's ValueError unchanged."""
    import optimizers

    surface = get_surface(surface_name, surface_params)
    return optimizers.run(
        optimizer,
        surface,
        np.asarray(start, dtype=float),
        int(steps),
        schedule=dict(schedule) if schedule else None,
        noise=float(noise),
        seed=int(seed),
        batch_size=batch_size,
        **dict(hyper),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def schedule_curve(schedule: tuple[tuple[str, Any], ...] | None, n: int) -> np.ndarray:
    """α_k / α_0 for k < n under a schedule (the engine's `schedule_values` with α_0 = 1)."""
    from optimizers.schedules import schedule_values

    return schedule_values(dict(schedule) if schedule else None, 1.0, int(n))


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


def log_options(low: float, high: float, default: float | None = None) -> list[float]:
    """Round numbers 1, 1.5, 2, 3, 5, 7 per decade in [low, high] (both ends and the default
    included): the stops of a log-scale slider."""
    out: set[float] = {float(low), float(high)}
    if default is not None:
        out.add(float(default))
    for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.0):
            v = float(f"{m * 10.0**e:.6g}")
            if low <= v <= high:
                out.add(v)
    return sorted(out)


def nearest_option(value: float, options: Sequence[float]) -> float:
    """The option closest to `value` on a log scale."""
    arr = np.asarray(options, dtype=float)
    return float(arr[np.argmin(np.abs(np.log(arr) - math.log(value)))])


# --------------------------------------------------------------------------- URL state


class NotANumberError(ValueError):
    """A link's value for a numeric setting that does not parse as a number."""


def _number(raw: str) -> float:
    """`float(raw)`, raising `NotANumberError` (so the warning can say so plainly) when it is not one."""
    try:
        return float(raw)
    except (ValueError, TypeError):
        raise NotANumberError(raw) from None


class UrlState:
    """Per-run registry of URL-backed settings (see the module docstring)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}  # key -> URL text of non-default values drawn this run
        self.keys: set[str] = set()  # every setting drawn this run
        self.warnings: list[str] = []
        self.notes: list[str] = []  # informational: a slider widened to take a link's value
        if not st.session_state.get(URL_LOADED):
            pending = {}
            for key in st.query_params:
                if key.lower() in RESERVED_QUERY_KEYS:
                    continue
                pending[key] = st.query_params[key]
            st.session_state[URL_PENDING] = pending
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
            problem = "is not a number" if isinstance(exc, NotANumberError) else f"is not valid ({exc})"
            self.warnings.append(
                f"The link's value `{key}={raw}` for **{label}** {problem}; "
                f"using the default, {fmt(default) if not isinstance(default, list) else default}."
            )

    def track(self, key: str, value: Any, default: Any, text: str | None = None) -> None:
        """Record a drawn widget's value; it goes into the URL when it differs from the default."""
        self.keys.add(key)
        if value != default:
            self.values[key] = text if text is not None else fmt(value)

    def finish(self) -> None:
        """Warn about URL keys nothing used, then write the URL (only if it changed)."""
        for key, raw in sorted(self.pending.items()):
            self.warnings.append(
                f"The link's setting `{key}={raw}` is unknown or does not apply to this view; it was ignored."
            )
        st.session_state[URL_PENDING] = {}
        current = {k: st.query_params[k] for k in st.query_params}
        if current != self.values:
            st.query_params.from_dict(self.values)

    def show_warnings(self, container) -> None:
        for text in self.notes:
            container.info(text, icon="ℹ️")
        for text in self.warnings:
            container.warning(text, icon="⚠️")


def sync_query_param(key: str, value: Any, default: Any) -> None:
    """Update one URL key in place (for fragment reruns, which do not reach `UrlState.finish`)."""
    text = fmt(value)
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != text:
        st.query_params[key] = text


# --------------------------------------------------------------------------- parameter widgets


def _float_step(low: float, high: float) -> float:
    raw = (high - low) / 100.0
    exp = math.floor(math.log10(raw))
    return float(f"{10.0**exp:.1g}")


def forget_kept(keys: Iterable[str] | None = None) -> None:
    """Drop the kept values of `keys` (all when None), so those widgets start from their defaults
    or from values a callback sets (a preset, a surface's suggestions) when drawn again."""
    if keys is None:
        st.session_state.pop(KEPT, None)
        return
    kept = st.session_state.get(KEPT, {})
    for key in keys:
        kept.pop(key, None)


def _restore_kept(key: str) -> None:
    """A widget drawn again after a run without it: start from its kept value."""
    kept = st.session_state.get(KEPT, {})
    if key not in st.session_state and key in kept:
        st.session_state[key] = kept[key]


def _keep(key: str, value: Any) -> None:
    st.session_state.setdefault(KEPT, {})[key] = value


def _widened(key: str) -> dict:
    return st.session_state.setdefault(WIDENED, {}).get(key, {})


def _widen(key: str, url: UrlState, label: str, value: float, low: float, high: float, **extra) -> None:
    """Remember, for this session, that the slider `key` was widened to take a link's value."""
    st.session_state.setdefault(WIDENED, {})[key] = {"low": low, "high": high, **extra}
    url.notes.append(
        f"The link sets **{label}** to {fmt(value)}, outside the slider's usual range; "
        f"the slider was widened to [{fmt(low)}, {fmt(high)}] to take it."
    )


def param_widget(
    param,
    key: str,
    url: UrlState,
    *,
    default: Any = None,
    container=None,
    disabled: bool = False,
) -> Any:
    """A widget for an engine `Param` (slider, log slider, integer slider or choice), bound to
    `st.session_state[key]` and to the URL. `default` overrides the engine's default (the page's
    default view); it is what a clean URL means. Returns the current value.

    A link's value is checked with `Param.validate` (the valid range, wider than the slider's). A
    valid value outside the slider's range widens that slider for the session (with a note), and
    a log slider gains the link's exact value as a stop, so a link reproduces its setting exactly.
    A widget drawn again after runs without it starts from its last value (see `KEPT`).
    """
    c = container if container is not None else st
    help_text = getattr(param, "help", None) or None
    base = param.default if default is None else default

    if param.choices:
        options = list(param.choices)
        default = base

        def parse(raw: str) -> Any:
            return param.validate(raw)

        url.seed(key, parse, param.label, default)
        _restore_kept(key)
        st.session_state.setdefault(key, default)
        if st.session_state[key] not in options:
            st.session_state[key] = default
        value = c.selectbox(param.label, options, key=key, help=help_text, disabled=disabled)
        url.track(key, value, default)
        _keep(key, value)
        return value

    if param.log:
        default = float(base)

        def log_stops() -> list[float]:
            extra = _widened(key).get("stops", ())
            return sorted(set(log_options(float(param.low), float(param.high), default)) | set(extra))

        def parse(raw: str) -> float:
            v = float(param.validate(_number(raw)))
            options = log_stops()
            if v not in options:
                low, high = min(options[0], v), max(options[-1], v)
                stops = (*_widened(key).get("stops", ()), v)
                if low < options[0] or high > options[-1]:
                    _widen(key, url, param.label, v, low, high, stops=stops)
                else:  # inside the range: just one more stop, no note
                    st.session_state.setdefault(WIDENED, {})[key] = {"stops": stops}
            return v

        url.seed(key, parse, param.label, default)
        _restore_kept(key)
        options = log_stops()
        st.session_state.setdefault(key, default)
        if st.session_state[key] not in options:
            st.session_state[key] = nearest_option(float(st.session_state[key]), options)
        value = c.select_slider(
            param.label, options=options, format_func=fmt, key=key, help=help_text,
            disabled=disabled,
        )  # fmt: skip
        url.track(key, value, default)
        _keep(key, value)
        return float(value)

    integer = bool(param.integer)
    cast = int if integer else float
    default = cast(base)

    def slider_range() -> tuple[Any, Any]:
        w = _widened(key)
        return cast(w.get("low", param.low)), cast(w.get("high", param.high))

    def parse(raw: str) -> Any:
        v = cast(param.validate(_number(raw)))
        low, high = slider_range()
        if not low <= v <= high:
            _widen(key, url, param.label, v, min(low, v), max(high, v))
        return v

    url.seed(key, parse, param.label, default)
    _restore_kept(key)
    low, high = slider_range()
    st.session_state.setdefault(key, default)
    if not low <= st.session_state[key] <= high:  # e.g. a preset's value: clamp quietly
        st.session_state[key] = min(max(st.session_state[key], low), high)
    if integer:
        value = c.slider(
            param.label, min_value=low, max_value=high, step=1, key=key, help=help_text,
            disabled=disabled,
        )  # fmt: skip
    else:
        value = c.slider(
            param.label, min_value=low, max_value=high,
            step=_float_step(float(param.low), float(param.high)), key=key, help=help_text,
            disabled=disabled, format="%g",
        )  # fmt: skip
    url.track(key, value, default)
    _keep(key, value)
    return cast(value)


def choice_widget(
    label: str,
    options: Sequence[str],
    key: str,
    url: UrlState,
    *,
    default: str,
    format_func: Callable[[str], str] = str,
    on_change: Callable[[], None] | None = None,
    help: str | None = None,
    container=None,
) -> str:
    """A URL-backed selectbox over `options` (stored by name)."""
    c = container if container is not None else st
    options = list(options)

    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return raw

    url.seed(key, parse, label, default)
    st.session_state.setdefault(key, default)
    value = c.selectbox(label, options, key=key, format_func=format_func, on_change=on_change, help=help)
    url.track(key, value, default)
    return value


def multi_choice_widget(
    label: str,
    options: Sequence[str],
    key: str,
    url: UrlState,
    *,
    default: Sequence[str],
    format_func: Callable[[str], str] = str,
    help: str | None = None,
    container=None,
) -> list[str]:
    """A URL-backed multiselect; the URL holds the names comma-separated (`opts=sgd,adam`)."""
    c = container if container is not None else st
    options = list(options)

    def parse(raw: str) -> list[str]:
        names = [n.strip() for n in raw.split(",") if n.strip()]
        bad = [n for n in names if n not in options]
        if bad:
            raise ValueError(f"unknown name(s) {', '.join(bad)}; choose from {', '.join(options)}")
        return [o for o in options if o in names]

    default = list(default)
    url.seed(key, parse, label, default)
    st.session_state.setdefault(key, list(default))
    value = c.multiselect(label, options, key=key, format_func=format_func, help=help)
    ordered = [o for o in options if o in value]
    url.track(key, ordered, default, text=",".join(ordered))
    return ordered


def number_widget(
    label: str,
    key: str,
    url: UrlState,
    *,
    default: float,
    low: float,
    high: float,
    step: float,
    number_format: str = "%.3f",
    help: str | None = None,
    container=None,
) -> float:
    """A URL-backed float number input limited to [low, high]."""
    c = container if container is not None else st

    def parse(raw: str) -> float:
        v = _number(raw)
        if not (math.isfinite(v) and low <= v <= high):
            raise ValueError(f"must be a number in [{fmt(low)}, {fmt(high)}]")
        return v

    url.seed(key, parse, label, default)
    st.session_state.setdefault(key, float(default))
    if not (low <= float(st.session_state[key]) <= high):
        st.session_state[key] = float(min(max(float(st.session_state[key]), low), high))
    value = c.number_input(
        label, min_value=float(low), max_value=float(high), step=float(step), key=key,
        format=number_format, help=help,
    )  # fmt: skip
    url.track(key, float(value), float(default), text=f"{float(value):.4g}")
    return float(value)


def _clamp_text(key: str, raw: str, label: str, used: float) -> str:
    return (
        f"The link's value `{key}={raw}` for **{label}** is above the slider's maximum; "
        f"using {fmt(used)}, the largest value the page offers."
    )


def int_widget(
    label: str,
    key: str,
    url: UrlState,
    *,
    default: int,
    low: int,
    high: int,
    valid_high: int | None = None,
    slider: bool = True,
    help: str | None = None,
    container=None,
) -> int:
    """A URL-backed integer slider (or number input) limited to [low, high]. A link's value in
    (high, valid_high] is valid but beyond the slider: it is clamped to `high`, with a warning."""
    c = container if container is not None else st
    top = high if valid_high is None else valid_high

    def parse(raw: str) -> int:
        v = _number(raw)
        if not (math.isfinite(v) and v == int(v) and low <= v <= top):
            raise ValueError(f"must be a whole number in [{low}, {top}]")
        if v > high:
            url.warnings.append(_clamp_text(key, raw, label, high))
            return int(high)
        return int(v)

    url.seed(key, parse, label, default)
    st.session_state.setdefault(key, int(default))
    if slider:
        value = c.slider(label, min_value=low, max_value=high, step=1, key=key, help=help)
    else:
        value = c.number_input(label, min_value=low, max_value=high, step=1, key=key, help=help)
    url.track(key, int(value), int(default))
    return int(value)


def float_slider_widget(
    label: str,
    key: str,
    url: UrlState,
    *,
    default: float,
    low: float,
    high: float,
    step: float,
    valid_high: float | None = None,
    help: str | None = None,
    container=None,
) -> float:
    """A URL-backed float slider limited to [low, high]. A link's value in (high, valid_high] is
    valid but beyond the slider: it is clamped to `high`, with a warning."""
    c = container if container is not None else st
    top = high if valid_high is None else valid_high

    def parse(raw: str) -> float:
        v = _number(raw)
        if not (math.isfinite(v) and low <= v <= top):
            raise ValueError(f"must be a number in [{fmt(low)}, {fmt(top)}]")
        if v > high:
            url.warnings.append(_clamp_text(key, raw, label, high))
            return float(high)
        return v

    url.seed(key, parse, label, default)
    st.session_state.setdefault(key, float(default))
    value = c.slider(label, min_value=float(low), max_value=float(high), step=float(step), key=key, help=help)
    url.track(key, float(value), float(default))
    return float(value)


def log_choice_widget(
    label: str,
    key: str,
    url: UrlState,
    *,
    options: Iterable[float],
    default: float,
    help: str | None = None,
    container=None,
) -> float:
    """A URL-backed select slider over log-spaced numbers (URL values snap to the nearest)."""
    c = container if container is not None else st
    options = sorted({float(o) for o in options} | {float(default)})

    def parse(raw: str) -> float:
        v = _number(raw)
        if not (math.isfinite(v) and options[0] <= v <= options[-1]):
            raise ValueError(f"must be a number in [{fmt(options[0])}, {fmt(options[-1])}]")
        return nearest_option(v, options)

    url.seed(key, parse, label, default)
    st.session_state.setdefault(key, float(default))
    value = c.select_slider(label, options=options, format_func=fmt, key=key, help=help)
    url.track(key, float(value), float(default))
    return float(value)


def swatch(color: str, text: str) -> str:
    """Markdown/HTML for a coloured square followed by text (for optimizer labels)."""
    return (
        f"<span style='display:inline-block;width:0.8em;height:0.8em;background:{color};"
        f"border-radius:2px;margin-right:0.4em;vertical-align:middle'></span>{text}"
    )
