"""Optimizers that move a point across a 2D loss surface, many runs at once.

    >>> from surfaces import get_surface
    >>> path = run("adam", get_surface("rosenbrock"), (-1.5, 2.0), steps=500, lr=0.05)
    >>> path.status, path.losses[-1]

`OPTIMIZERS` describes each method (label, hyperparameters with slider ranges, formula);
`run_batch` runs N trajectories vectorised over N, and `run` is its N = 1 case.
"""

from optimizers import schedules
from optimizers.first_order import Rule, per_coordinate
from optimizers.registry import OPTIMIZERS, OptimizerInfo, first_order_rule
from optimizers.results import BatchResult, Ending, Trajectory
from optimizers.runner import run, run_batch, truncate
from params import Param

__all__ = [
    "OPTIMIZERS",
    "BatchResult",
    "Ending",
    "OptimizerInfo",
    "Param",
    "Rule",
    "Trajectory",
    "first_order_rule",
    "per_coordinate",
    "run",
    "run_batch",
    "schedules",
    "truncate",
]
