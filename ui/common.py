"""Helpers shared by the app's pages: cached engine calls (and a coloured label).

Everything cached takes hashable primitives (names, tuples of floats) and rebuilds engine objects
inside, so `st.cache_data` keys stay small and exact. No maths here: the engine computes, the
figure builders draw.

Widgets and URL state are in `ui.settings` and `ui.components`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from figures import surface_grid as _surface_grid

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


def swatch(color: str, text: str) -> str:
    """Markdown/HTML for a coloured square followed by text (for optimizer labels)."""
    return (
        f"<span style='display:inline-block;width:0.8em;height:0.8em;background:{color};"
        f"border-radius:2px;margin-right:0.4em;vertical-align:middle'></span>{text}"
    )
