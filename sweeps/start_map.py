"""Many-start maps: the same optimizer and settings, started from every point of an n x n grid.

Each start is labelled with the minimum it reached (the nearest of ``surface.minima`` within a
radius, else none), its steps to get within tolerance of the minimum, or diverged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sweeps._runs import Progress, clip_request, final_rows, fixed_hyper, steps_to_tol
from sweeps.hyperparameters import check_score

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class StartMap:
    """Outcome of one optimizer started from every point of an n x n grid over the bounds.

    Arrays of shape (n, n) are indexed [row, column] = [y index, x index], as a heatmap wants.
    """

    optimizer: str
    xs: np.ndarray  # (n,) start x of each column
    ys: np.ndarray  # (n,) start y of each row
    steps: int
    final_points: np.ndarray  # (n, n, 2)
    final_loss: np.ndarray  # (n, n)
    n_steps: np.ndarray  # (n, n) int
    status: np.ndarray  # (n, n) str
    steps_to_tol: np.ndarray  # (n, n) float, first step with L - L* <= tol, NaN if never
    minimum: np.ndarray  # (n, n) int, index into minima, -1 for none (and for diverged)
    diverged: np.ndarray  # (n, n) bool
    minima: np.ndarray  # (k, 2)
    radius: float
    tol: float  # the loss tolerance of steps_to_tol
    settings: dict[str, float] = field(default_factory=dict)
    notice: str | None = None
    # (n, n) bool: ended within tol of L* but near no listed minimum (a curve or line of minima has
    # none listed); None when L* is unknown
    at_min_value: np.ndarray | None = None

    def counts(self) -> dict[str, int]:
        """Number of starts per outcome: "minimum i", "none", "diverged"."""
        out = {f"minimum {i + 1}": int(np.sum(self.minimum == i)) for i in range(len(self.minima))}
        elsewhere = self.at_min_value if self.at_min_value is not None else np.zeros_like(self.diverged)
        if elsewhere.any():
            out["at L*, not near a listed minimum"] = int(np.sum(elsewhere))
        out["none"] = int(np.sum((self.minimum < 0) & ~self.diverged & ~elsewhere))
        out["diverged"] = int(np.sum(self.diverged))
        return out

    def table(self) -> pd.DataFrame:
        """One row per start: x0, y0, x, y, final_loss, n_steps, status, minimum (1-based)."""
        X0, Y0 = np.meshgrid(self.xs, self.ys)
        label = np.where(self.minimum >= 0, (self.minimum + 1).astype(str), "none")
        label = np.where(self.diverged, "diverged", label)
        import pandas as pd  # here, as in SearchResult.table: loaded when a table is asked for

        return pd.DataFrame(
            {
                "x0": X0.ravel(),
                "y0": Y0.ravel(),
                "x": self.final_points[..., 0].ravel(),
                "y": self.final_points[..., 1].ravel(),
                "final_loss": self.final_loss.ravel(),
                "n_steps": self.n_steps.ravel(),
                "status": self.status.ravel(),
                "minimum": label.ravel(),
            }
        )


def many_start_map(
    optimizer: str,
    surface,
    n: int,
    steps: int,
    *,
    hyper: Mapping[str, float] | None = None,
    radius: float | None = None,
    tol: float = 1e-3,
    progress: Progress | None = None,
    **engine,
) -> StartMap:
    """Runs ``optimizer`` from every point of an n x n grid over ``surface.bounds``.

    Each start is labelled with the nearest of ``surface.minima`` to its final point when that is
    within ``radius`` (default: 5% of the bounds' diagonal), else -1; diverged runs are flagged and
    get -1. ``steps_to_tol`` is the first step at which L - L* <= tol (the search's "steps"
    score; the engine's own "converged" needs a gradient norm below 1e-6, which most runs of a few
    hundred steps never reach), NaN if never or diverged.
    The request is clipped by ``clip_request((n, n), steps)``.
    """
    check_score("steps", tol)
    request = clip_request((n, n), steps)
    n, steps = request.shape[0], request.steps
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)  # rows follow y, columns follow x
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)
    hyper = fixed_hyper(hyper, {})
    if radius is None:
        radius = 0.05 * math.hypot(x1 - x0, y1 - y0)
    elif not radius > 0:
        raise ValueError(f"The radius must be positive, got {radius:g}.")
    target = None if surface.min_value is None else surface.min_value + tol
    out = final_rows(optimizer, surface, starts, steps, hyper, target, progress, engine)
    final, loss, n_steps, status, first_hit = out
    diverged = (status == "diverged") | ~np.isfinite(loss) | ~np.all(np.isfinite(final), axis=-1)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    minimum = np.full(len(starts), -1)
    if len(minima):
        with np.errstate(invalid="ignore", over="ignore"):
            dist = np.linalg.norm(final[:, None, :] - minima[None, :, :], axis=-1)
        nearest = np.argmin(np.where(np.isfinite(dist), dist, np.inf), axis=1)
        close = np.take_along_axis(dist, nearest[:, None], axis=1)[:, 0] <= radius
        minimum = np.where(close & ~diverged, nearest, -1)
    shape = (n, n)
    return StartMap(
        optimizer=optimizer,
        xs=xs,
        ys=ys,
        steps=steps,
        final_points=final.reshape(*shape, 2),
        final_loss=loss.reshape(shape),
        n_steps=n_steps.reshape(shape),
        status=status.reshape(shape),
        steps_to_tol=steps_to_tol(first_hit, diverged).reshape(shape),
        minimum=minimum.reshape(shape),
        diverged=diverged.reshape(shape),
        minima=minima,
        radius=float(radius),
        tol=float(tol),
        settings=hyper,
        notice=request.notice,
        at_min_value=None
        if surface.min_value is None
        else ((loss - surface.min_value <= tol) & ~diverged & (minimum < 0)).reshape(shape),
    )
