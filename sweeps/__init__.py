"""Sweeps: many runs of one optimizer at once, on top of ``optimizers.run_batch``.

- ``hyperparameters``: the lecture's recipe for choosing hyperparameters: ranges (linear or log),
  grid search, random search, and the two compared on the same budget;
- ``start_map``: many-start maps, where each start of an n x n grid ends;
- ``_runs``: what both share: bounded requests (``clip_request``) and batched runs that keep only
  their final rows;
- ``jobs`` and ``background``: the sweeps as jobs of plain values, and the worker process that
  runs the long ones (the training-practice page's studies too).

The search page (``ui/search/``) draws these; this package imports NumPy (and pandas, only when a
result's ``table()`` is asked for: a page's first chart does not wait for it). The names below are
loaded on first use (PEP 562), so that a page which only needs the job runner
(``sweeps.background``) does not import the sweeps on its first open.
"""

from __future__ import annotations

import importlib
from typing import Any

_RUNS = ("CHUNK_WORK", "MAX_RUNS", "MAX_STEPS", "MAX_WORK", "Request", "clip_request")
_SEARCH = (
    "OUTCOMES",
    "SCORES",
    "SCORE_FLOOR",
    "TIE_RULE",
    "Comparison",
    "Range",
    "SearchResult",
    "compare_grid_random",
)
_SEARCH += ("grid_points", "paths", "random_points", "search")
_HOMES = {
    "LOSS_FLOOR": "surfaces.base",
    **dict.fromkeys(_RUNS, "sweeps._runs"),
    **dict.fromkeys(_SEARCH, "sweeps.hyperparameters"),
    **dict.fromkeys(("StartMap", "many_start_map"), "sweeps.start_map"),
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'sweeps' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value
