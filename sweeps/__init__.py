"""Sweeps: many runs of one optimizer at once, on top of ``optimizers.run_batch``.

- ``hyperparameters``: the lecture's recipe for choosing hyperparameters: ranges (linear or log),
  grid search, random search, and the two compared on the same budget;
- ``start_map``: many-start maps, where each start of an n x n grid ends;
- ``_runs``: what both share: bounded requests (``clip_request``) and batched runs that keep only
  their final rows.

The search page (``ui/search.py``) draws these; this package imports NumPy and pandas only.
"""

from sweeps._runs import CHUNK_WORK, MAX_RUNS, MAX_STEPS, MAX_WORK, Request, clip_request
from sweeps.hyperparameters import (
    OUTCOMES,
    SCORE_FLOOR,
    SCORES,
    TIE_RULE,
    Comparison,
    Range,
    SearchResult,
    compare_grid_random,
    grid_points,
    paths,
    random_points,
    search,
)
from sweeps.start_map import StartMap, many_start_map

__all__ = [
    "CHUNK_WORK",
    "MAX_RUNS",
    "MAX_STEPS",
    "MAX_WORK",
    "OUTCOMES",
    "SCORES",
    "SCORE_FLOOR",
    "TIE_RULE",
    "Comparison",
    "Range",
    "Request",
    "SearchResult",
    "StartMap",
    "clip_request",
    "compare_grid_random",
    "grid_points",
    "many_start_map",
    "paths",
    "random_points",
    "search",
]
