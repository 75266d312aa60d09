"""Widgets every page shares: the problem picker (surface, its parameters, the start point θ₀) and
an optimizer's hyperparameters, both built from the registries and drawn through `ui.settings`.

    problem = problem_picker(url, prefix="tune_", default_surface="rosenbrock")
    hyper = hyperparameter_inputs("adam", url, prefix="tune_map_", style="number")

Keys: a page passes its own `prefix` (the explorer none, the search page "tune_"), so two pages
never share a widget's state. The keys are `<prefix>surface`, `<prefix><surface>_<param>`,
`<prefix>start_x`, `<prefix>start_y` and `<prefix><optimizer>_<hyperparameter>`; they are also the
URL names.

The custom surface (a typed formula, `SurfaceInfo.text_input`) gets a formula box, an examples
picker and its view box (`<prefix>custom_formula`, `<prefix>custom_x_range=-2,2`, ...). The text
is only ever parsed by the engine (`surfaces.parse_formula`), never evaluated. A formula or view
box that cannot be used shows the engine's message (escaped, with a caret under the column) and
the page goes on with the last one that worked in this session, so nothing else breaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

import streamlit as st

import optimizers
import surfaces
from scenes.problem import Problem, start_settings, surface_setting
from ui import common
from ui.settings import Setting, UrlState, draw, escape_markdown

__all__ = ["Problem", "hyperparameter_inputs", "problem_picker", "start_settings", "surface_setting"]

NO_EXAMPLE = ""  # the examples picker's entry when the box holds the user's own formula
_COLUMN = re.compile(r"at column (\d+)")


def reset_start(prefix: str = "") -> None:
    """on_change of the surface picker: a new surface starts from its own default start."""
    info = surfaces.SURFACES[st.session_state[f"{prefix}surface"]]
    x, y = map(float, info.default_start)
    st.session_state[f"{prefix}start_x"], st.session_state[f"{prefix}start_y"] = x, y


def problem_picker(
    url: UrlState,
    *,
    prefix: str = "",
    default_surface: str = "quadratic",
    container=None,
    on_surface_change: Callable[[], None] | None = None,
    start_title: str = "**Start point θ₀** — or click the map",
    formula_container=None,
) -> Problem:
    """The surface (with its description), its parameters on sliders and the start point θ₀ inside
    the surface's view. Switching surface moves θ₀ to the new surface's default start, then calls
    `on_surface_change` (the explorer also moves α and steps to the surface's suggestions).
    For the custom surface, how its formula was read (LaTeX) and whether its minima were found go
    to `formula_container`: by default the main area, where the page is when the picker runs (a
    sidebar is too narrow for a formula)."""
    c = container if container is not None else st

    def changed() -> None:
        reset_start(prefix)
        if on_surface_change is not None:
            on_surface_change()

    name = draw(surface_setting(prefix, default_surface), url, container=c, on_change=changed)
    info = surfaces.SURFACES[name]
    c.caption(info.description)
    if info.text_input:
        surface_params, surface = _formula_controls(
            url, prefix, c, st if formula_container is None else formula_container
        )
    else:
        params = {
            p.name: draw(Setting.from_param(p, f"{prefix}{name}_{p.name}"), url, container=c)
            for p in info.params
        }
        surface_params = common.params_tuple(params)
        surface = common.get_surface(name, surface_params)
    c.markdown(start_title)
    columns = c.columns(2)
    start = []
    for setting, col, bounds, label, default in zip(
        start_settings(prefix), columns, surface.bounds, surface.axis_labels, info.default_start, strict=True
    ):
        low, high = map(float, bounds)
        value = draw(setting, url, container=col, label=label, default=float(default), low=low, high=high)
        start.append(round(value, 4))
    return Problem(name, surface_params, (start[0], start[1]))


def _formula_controls(url: UrlState, prefix: str, c, shown) -> tuple[tuple[tuple[str, Any], ...], Any]:
    """The custom surface's examples picker, formula box and view box (in `c`), and how the
    formula was read (LaTeX) with what is known of its minima (in `shown`). Returns the
    parameters and the surface to use: the typed ones, or, when they cannot be used, the last ones
    that worked (the error is shown under the box, with a caret under its column)."""
    info = surfaces.SURFACES["custom"]
    keys = {p.name: f"{prefix}custom_{p.name}" for p in info.params}
    example_slot = c.container()  # above the box, drawn once the box holds the link's formula
    values = {}
    for p in info.params:
        setting = Setting.from_param(p, keys[p.name])
        if p.text:  # a link's formula is read by the engine's parser (never run) before it is used
            setting = Setting.from_param(p, keys[p.name], check=surfaces.parse_formula)
        values[p.name] = draw(setting, url, container=c)
        if p.text:
            error_slot = c.container()  # right under the box
    _examples_picker(prefix, values["formula"], example_slot)

    last_good = f"{prefix}custom_last_good"
    typed_params = common.params_tuple(values)
    try:
        surfaces.parse_formula(values["formula"])  # the text's own problem, with its column
    except ValueError as exc:
        problem, text = str(exc), values["formula"]
    else:
        problem = text = None
        try:
            surface = common.get_surface("custom", typed_params)  # the view box checked too
        except ValueError as exc:
            problem = str(exc)
    if problem is None:
        st.session_state[last_good] = params = typed_params
    else:
        _show_formula_error(error_slot, problem, text)
        params = st.session_state.get(last_good) or common.params_tuple(
            {p.name: p.default for p in info.params}
        )
        surface = common.get_surface("custom", params)
        shown.caption(
            "The formula or view box in the sidebar cannot be used (see why there); until it is "
            "fixed, the page shows the last one that worked:"
        )
    shown.latex(f"L(x, y) = {surface.latex()}")
    shown.caption(surface.minimum_words)  # what the many-start search found (surfaces/custom.py)
    return params, surface


def _examples_picker(prefix: str, typed: str, c) -> None:
    """A picker naming the example the box holds ("your own formula" otherwise); picking one
    fills the formula, the view box and θ₀ (`_fill_example`)."""
    key = f"{prefix}custom_example"
    st.session_state[key] = next(
        (k for k, ex in surfaces.EXAMPLES.items() if ex.formula == typed), NO_EXAMPLE
    )
    c.selectbox(
        "Examples",
        (NO_EXAMPLE, *surfaces.EXAMPLES),
        format_func=lambda k: surfaces.EXAMPLES[k].label if k else "— your own formula —",
        key=key,
        on_change=_fill_example,
        args=(prefix,),
        help="Fills in the formula, its view box and a start point.",
    )


def _show_formula_error(c, message: str, text: str | None) -> None:
    """st.error with the engine's message (escaped: it may quote '__import__'), and the text with
    a caret under the column the message names."""
    c.error(f"**This cannot be used:** {escape_markdown(message)}", icon=":material/error:")
    column = _COLUMN.search(message)
    if text is None or column is None:
        return
    before = text[: int(column.group(1)) - 1]
    line_start = before.rfind("\n") + 1
    line_end = text.find("\n", len(before))
    line = text[line_start : None if line_end < 0 else line_end]
    c.code(f"{line}\n{' ' * (len(before) - line_start)}^", language=None)


def _fill_example(prefix: str) -> None:
    """on_change of the examples picker: the example's formula, view box and start point."""
    key = st.session_state.get(f"{prefix}custom_example", NO_EXAMPLE)
    if key == NO_EXAMPLE:
        return
    example = surfaces.EXAMPLES[key]
    st.session_state[f"{prefix}custom_formula"] = example.formula
    st.session_state[f"{prefix}custom_x_range"] = example.x_range  # moves both boxes (ui.settings)
    st.session_state[f"{prefix}custom_y_range"] = example.y_range
    st.session_state[f"{prefix}start_x"], st.session_state[f"{prefix}start_y"] = map(float, example.start)


def hyperparameter_inputs(
    optimizer: str,
    url: UrlState,
    *,
    prefix: str = "",
    defaults: Mapping[str, Any] | None = None,
    style: str = "slider",
    columns: bool = False,
    only: Collection[str] | None = None,
    container=None,
    run: str | None = None,
    hidden: bool = False,
    extra_stops: Mapping[str, tuple[float, ...]] | None = None,
) -> dict[str, Any]:
    """One widget per hyperparameter of `optimizer` (keys `<prefix><optimizer>_<name>`, or
    `<prefix><run>_<name>` for a run id such as "sgd~2", a copy of the optimizer): sliders
    over the registry's slider ranges, or with `style="number"` number boxes without limits (the
    engine validates). `defaults` replace the registry's defaults (the page's default view);
    `columns` puts the widgets side by side; `only` draws just those names; `hidden` draws none
    (the values all the same, see `ui.settings.draw`); `extra_stops` adds stops to a log slider
    (around a stability limit). Returns name -> value."""
    c = container if container is not None else st
    params = [p for p in optimizers.OPTIMIZERS[optimizer].hyper if only is None or p.name in only]
    places = c.columns(max(1, len(params))) if columns and not hidden else [c] * len(params)
    values = {}
    for p, place in zip(params, places, strict=False):
        setting = Setting.from_param(p, f"{prefix}{run or optimizer}_{p.name}")
        if style == "number" and p.choices is None:
            setting = Setting.from_param(
                p,
                setting.key,
                kind="int" if p.integer else "float",  # a log slider's Param too: a plain number box
                low=None,
                high=None,
                style="number",
                number_format=None if p.integer else "%.4g",
            )
        default = (defaults or {}).get(p.name)
        overrides = {} if default is None else {"default": default}
        if extra_stops and p.name in extra_stops and setting.kind == "log" and not setting.options:
            overrides["extra_stops"] = tuple(extra_stops[p.name])
        values[p.name] = draw(setting, url, container=place, hidden=hidden, **overrides)
    return values
