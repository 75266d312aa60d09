"""The sweeps as jobs: functions of plain values, so that they can be cached, run in a worker
process (``sweeps.background``) and priced before they run.

A job function takes the surface's registry name and its (name, value) pairs instead of the
Surface (rebuilt here: in a worker nothing else is shared), the sweep's own arguments, and
``progress(runs_done, runs_total)``. ``estimated_seconds`` is the sweeps' cost model, which
decides whether a request is worth a worker's round trip.
"""

from __future__ import annotations

from typing import Any

import surfaces
from sweeps._runs import MAX_STEPS, MAX_WORK, Progress
from sweeps.hyperparameters import compare_grid_random
from sweeps.hyperparameters import search as _search
from sweeps.start_map import many_start_map

# Run-steps per second of a batched run in one process (the page's, measured: 2,000,000 run-steps
# of Adam on Rosenbrock take about 0.3 s).
RUN_STEPS_PER_SECOND = 7_000_000


def estimated_seconds(runs: int, steps: int) -> float:
    """About how long ``runs`` runs of ``steps`` steps take (the request bounds applied)."""
    return min(runs * min(steps, MAX_STEPS), MAX_WORK) / RUN_STEPS_PER_SECOND


def search(surface_name: str, surface_params: tuple, progress: Progress | None = None, **kwargs: Any):
    """``sweeps.search`` on the named surface."""
    surface = surfaces.get_surface(surface_name, **dict(surface_params))
    return _search(surface=surface, progress=progress, **kwargs)


def compare(surface_name: str, surface_params: tuple, progress: Progress | None = None, **kwargs: Any):
    """``sweeps.compare_grid_random`` on the named surface."""
    surface = surfaces.get_surface(surface_name, **dict(surface_params))
    return compare_grid_random(surface=surface, progress=progress, **kwargs)


def start_map(surface_name: str, surface_params: tuple, progress: Progress | None = None, **kwargs: Any):
    """``sweeps.many_start_map`` on the named surface."""
    surface = surfaces.get_surface(surface_name, **dict(surface_params))
    return many_start_map(surface=surface, progress=progress, **kwargs)
