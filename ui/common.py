"""Helpers shared by the app's pages: cached engine calls, and small Markdown pieces.

Everything cached takes hashable primitives (names, tuples of floats) and rebuilds engine objects
inside, so cache keys stay small and exact. No maths here: the engine computes, the figure
builders draw.

The hot calls of every rerun use `shared_cache`, a process-wide LRU cache keyed by the arguments'
own hashes, instead of `st.cache_data`/`st.cache_resource`: Streamlit's key (each argument's name
looked up through `inspect.signature`, then hashed) and `cache_data`'s copy of the result (a pickle
round trip) cost 1-3 ms a call, and a rerun of the explorer makes more than ten. The results are
shared by every session: never mutate them (their arrays are read-only).

Also two pieces of Markdown the pages share: a coloured label and a table of text cells, and the
one plotly.js config of every chart (`PLOTLY_CONFIG`).

Widgets and URL state are in `ui.settings` and `ui.components`.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from figures import surface_grid as _surface_grid
from scenes.explorer import RunSpec
from scenes.problem import get_surface
from ui.settings import escape_markdown

# --------------------------------------------------------------------------- cached engine calls

# Every chart's plotly.js config: no plotly logo, and no "Share chart" button (plotly.js 4 shows it
# by default, `showSendToCloud`; it uploads the chart to Plotly's cloud).
PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False, "showSendToCloud": False}


def params_tuple(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A dict of parameters as a sorted tuple of pairs: hashable and order-free."""
    return tuple(sorted(params.items()))


def shared_cache(maxsize: int) -> Callable[[Callable], Callable]:
    """A thread-safe, process-wide LRU cache of `maxsize` results for a function of hashable
    arguments (`functools.lru_cache`, typed: 1 and 1.0 are different keys). An exception is not
    cached. The wrapped function has `cache_clear()`."""
    return functools.lru_cache(maxsize=maxsize, typed=True)


def _read_only(value):
    """`value` with its NumPy arrays (its own, or its dataclass fields') made read-only."""
    arrays = (
        [value]
        if isinstance(value, np.ndarray)
        else list(value)
        if isinstance(value, tuple)
        else [getattr(value, f.name) for f in dataclasses.fields(value)]
        if dataclasses.is_dataclass(value)
        else []
    )
    for a in arrays:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return value


@shared_cache(maxsize=32)
def surface_grid(name: str, params: tuple[tuple[str, Any], ...], n: int):
    """(xs, ys, Z) float32 on an n x n grid over the bounds (see `figures.surface_grid`); shared,
    read-only."""
    return _read_only(_surface_grid(get_surface(name, params), n))


@shared_cache(maxsize=512)
def run_optimizer(spec: RunSpec):
    """One optimizer run (a Trajectory, shared and read-only), cached per `RunSpec`, so changing
    one optimizer's hyperparameters leaves the others' runs cached. Raises the engine's ValueError
    unchanged.

    A shorter run is read off a longer run of the same settings (`optimizers.truncate`), so moving
    the Steps slider down, or up within what was run, computes nothing. A run asked to go past a
    longer one that used all its steps is run to twice that length: dragging the slider up
    recomputes a few times, at most twice the steps asked for."""
    import optimizers

    surface = spec.build_surface()
    settings = dataclasses.replace(spec, steps=0)  # the run but its length
    known = _longest_runs.get(settings)
    if known is not None and (shorter := optimizers.truncate(known, spec.steps, surface)) is not None:
        return _read_only(shorter)
    ahead = (
        spec.steps if known is None else min(max(spec.steps, 2 * known.n_steps), optimizers.runner.MAX_STEPS)
    )
    trajectory = _read_only(spec.run(steps=ahead))
    _longest_runs.put(settings, trajectory)
    return _read_only(optimizers.truncate(trajectory, spec.steps, surface))


class _LongestRuns:
    """Per run settings (all but the steps), the longest run computed: a thread-safe LRU dict."""

    def __init__(self, maxsize: int):
        self._runs: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def get(self, settings: Any) -> Any:
        with self._lock:
            run = self._runs.pop(settings, None)
            if run is not None:
                self._runs[settings] = run  # most recent last
            return run

    def put(self, settings: Any, run: Any) -> None:
        with self._lock:
            old = self._runs.pop(settings, None)
            self._runs[settings] = run if old is None or run.n_steps >= old.n_steps else old
            while len(self._runs) > self._maxsize:
                del self._runs[next(iter(self._runs))]

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()

    def __len__(self) -> int:
        return len(self._runs)


_longest_runs = _LongestRuns(maxsize=128)


@shared_cache(maxsize=64)
def schedule_curve(schedule: tuple[tuple[str, Any], ...] | None, n: int) -> np.ndarray:
    """α_k / α_0 for k < n under a schedule (the engine's `schedule_values` with α_0 = 1)."""
    from optimizers.schedules import schedule_values

    return _read_only(schedule_values(dict(schedule) if schedule else None, 1.0, int(n)))


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table of short text cells, each shown literally (escaped, on one line). Streamlit
    draws it with the Markdown it already has on the page: no table element, no Arrow payload."""

    def cell(text: str) -> str:
        return escape_markdown(" ".join(str(text).split()))

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def swatch(color: str, text: str) -> str:
    """Markdown/HTML for a coloured square followed by text (for optimizer labels)."""
    return (
        f"<span style='display:inline-block;width:0.8em;height:0.8em;background:{color};"
        f"border-radius:2px;margin-right:0.4em;vertical-align:middle'></span>{text}"
    )
