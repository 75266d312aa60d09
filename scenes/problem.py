"""The problem a page races on: a surface, its parameters and the start point θ₀, as data.

`Problem` is hashable (cached runs take it); its surface is built once per (name, parameters) and
shared (`get_surface`, never mutated). The settings of the surface picker and of θ₀ are declared
here for every page; a page passes its own key `prefix` (the explorer none, the search page
"tune_"). Pure: no streamlit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import surfaces
from scenes.settings import Setting


@functools.lru_cache(maxsize=32, typed=True)
def get_surface(name: str, params: tuple[tuple[str, Any], ...]):
    """The engine's Surface for `name` and `params` (shared between sessions: never mutate it)."""
    return surfaces.get_surface(name, **dict(params))


@dataclass(frozen=True)
class Problem:
    """What the picker chose: plain values, hashable, so cached functions can take them."""

    surface: str
    surface_params: tuple[tuple[str, Any], ...]  # sorted (name, value) pairs
    start: tuple[float, float]

    def build_surface(self):
        """The engine's Surface (cached and shared: never mutate it)."""
        return get_surface(self.surface, self.surface_params)


def surface_setting(prefix: str = "", default: str = "quadratic") -> Setting:
    return Setting(
        f"{prefix}surface",
        "Surface",
        "choice",
        default,
        options=tuple(surfaces.SURFACES),
        option_label=lambda k: surfaces.SURFACES[k].label,
    )


def surface_param_settings(name: str, prefix: str = "") -> list[Setting]:
    """The settings of a surface's parameters, `<prefix><surface>_<param>`."""
    return [Setting.from_param(p, f"{prefix}{name}_{p.name}") for p in surfaces.SURFACES[name].params]


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
