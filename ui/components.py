"""Widgets every page shares: the problem picker (surface, its parameters, the start point θ₀) and
an optimizer's hyperparameters, both built from the registries and drawn through `ui.settings`.

    problem = problem_picker(url, prefix="tune_", default_surface="rosenbrock")
    hyper = hyperparameter_inputs("adam", url, prefix="tune_map_", style="number")

Keys: a page passes its own `prefix` (the explorer none, the search page "tune_"), so two pages
never share a widget's state. The keys are `<prefix>surface`, `<prefix><surface>_<param>`,
`<prefix>start_x`, `<prefix>start_y` and `<prefix><optimizer>_<hyperparameter>`; they are also the
URL names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

import optimizers
import surfaces
from ui import common
from ui.settings import Setting, UrlState, draw


@dataclass(frozen=True)
class Problem:
    """What the picker chose: plain values, hashable, so cached functions can take them."""

    surface: str
    surface_params: tuple[tuple[str, Any], ...]  # sorted (name, value) pairs
    start: tuple[float, float]

    def build_surface(self):
        """The engine's Surface (cached and shared: never mutate it)."""
        return common.get_surface(self.surface, self.surface_params)


def surface_setting(prefix: str = "", default: str = "quadratic") -> Setting:
    return Setting(
        f"{prefix}surface",
        "Surface",
        "choice",
        default,
        options=tuple(surfaces.SURFACES),
        option_label=lambda k: surfaces.SURFACES[k].label,
    )


def start_settings(prefix: str = "") -> tuple[Setting, Setting]:
    """θ₀'s coordinates; their default and range follow the surface (`draw` overrides them)."""
    return tuple(  # type: ignore[return-value]
        Setting(
            f"{prefix}start_{axis}",
            axis,
            "float",
            0.0,
            style="number",
            step=0.1,
            number_format="%.3f",
            url_digits=4,
        )
        for axis in ("x", "y")
    )


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
) -> Problem:
    """The surface (with its description), its parameters on sliders and the start point θ₀ inside
    the surface's view. Switching surface moves θ₀ to the new surface's default start, then calls
    `on_surface_change` (the explorer also moves α and steps to the surface's suggestions)."""
    c = container if container is not None else st

    def changed() -> None:
        reset_start(prefix)
        if on_surface_change is not None:
            on_surface_change()

    name = draw(surface_setting(prefix, default_surface), url, container=c, on_change=changed)
    info = surfaces.SURFACES[name]
    c.caption(info.description)
    params = {
        p.name: draw(Setting.from_param(p, f"{prefix}{name}_{p.name}"), url, container=c) for p in info.params
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
) -> dict[str, Any]:
    """One widget per hyperparameter of `optimizer` (keys `<prefix><optimizer>_<name>`): sliders
    over the registry's slider ranges, or with `style="number"` number boxes without limits (the
    engine validates). `defaults` replace the registry's defaults (the page's default view);
    `columns` puts the widgets side by side; `only` draws just those names. Returns name -> value."""
    c = container if container is not None else st
    params = [p for p in optimizers.OPTIMIZERS[optimizer].hyper if only is None or p.name in only]
    places = c.columns(max(1, len(params))) if columns else [c] * len(params)
    values = {}
    for p, place in zip(params, places, strict=False):
        setting = Setting.from_param(p, f"{prefix}{optimizer}_{p.name}")
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
        values[p.name] = draw(setting, url, container=place, **overrides)
    return values
