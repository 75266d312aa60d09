"""Which runs' paths are drawn on top of each other, so the page can say one hides the other.

Two paths coincide when every drawn point of each lies within `OVERLAP` of the view's width of
the other's polyline (the symmetric Hausdorff distance from vertices to segments): on the map they
are one line, and only one of them can be seen (Newton, Gauss-Newton and Levenberg-Marquardt on
the elongated valley: 0.0012 apart in a view 8 wide). Pure NumPy, computed from the points.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

OVERLAP = 0.004  # of the view's larger side: about 2 px on a 500 px map, under a line's width
MAX_VERTICES = 400  # longer paths are thinned (ends kept) to bound the pairwise work


def coinciding_groups(trajectories: Mapping[str, object], bounds) -> list[tuple[list[str], float]]:
    """Groups of runs whose finite paths coincide on the map (pairs joined transitively), each with
    the largest gap between any two of its members, in the surface's units; in the trajectories'
    order."""
    (x0, x1), (y0, y1) = bounds
    limit = OVERLAP * max(x1 - x0, y1 - y0)
    paths = {name: _drawn(traj) for name, traj in trajectories.items()}
    names = [n for n, p in paths.items() if len(p)]
    gap = {(a, b): _gap(paths[a], paths[b], limit) for i, a in enumerate(names) for b in names[i + 1 :]}
    group = {n: i for i, n in enumerate(names)}  # run -> group id, merged by relabelling
    for (a, b), d in gap.items():
        if d <= limit and group[a] != group[b]:
            old = group[b]
            group = {n: group[a] if g == old else g for n, g in group.items()}
    members: dict[int, list[str]] = {}
    for n in names:
        members.setdefault(group[n], []).append(n)
    return [
        (runs, max(gap[(a, b)] for i, a in enumerate(runs) for b in runs[i + 1 :]))
        for runs in members.values()
        if len(runs) > 1
    ]


def coincide_words(groups: list[tuple[list[str], float]], labels: Mapping[str, str], width: float) -> str:
    """The sentence for the page ('' when no paths coincide)."""
    said = []
    for runs, gap in groups:
        names = [f"**{labels.get(r, r)}**" for r in runs]
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        said.append(f"{listed} (never more than {gap:.2g} apart, in a view {width:.3g} wide)")
    if not said:
        return ""
    return (
        "Paths on top of each other: "
        + "; ".join(said)
        + ". On the map they are drawn as one line, so only one of them can be seen; the summary "
        "lists each."
    )


def _gap(a: np.ndarray, b: np.ndarray, limit: float) -> float:
    """The symmetric largest distance between paths a and b; a few of their points first, so that
    paths that clearly differ (most pairs) cost microseconds, not the full comparison."""
    few = max(_farthest(_thin(a, 9), b), _farthest(_thin(b, 9), a))
    if few > limit:
        return few  # a lower bound of the gap, already too large
    return max(_farthest(a, b), _farthest(b, a))


def _thin(points: np.ndarray, k: int) -> np.ndarray:
    """At most k of the points, evenly spaced, the first and the last kept."""
    if len(points) <= k:
        return points
    return points[np.unique(np.linspace(0, len(points) - 1, k).round().astype(int))]


def _drawn(traj) -> np.ndarray:
    """The path's leading finite points (k, 2), thinned to at most MAX_VERTICES (ends kept)."""
    points = np.asarray(traj.points, dtype=float)
    ok = np.isfinite(points).all(axis=1)
    m = int(np.argmin(ok)) if not ok.all() else len(points)
    return _thin(points[:m], MAX_VERTICES)


def _farthest(points: np.ndarray, path: np.ndarray) -> float:
    """The largest distance from one of `points` (n, 2) to the polyline `path` (m, 2)."""
    if len(path) == 1:
        return float(np.max(np.linalg.norm(points - path[0], axis=1)))
    ax, ay = path[:-1, 0], path[:-1, 1]  # segments from (ax, ay) by (dx, dy), (m-1,)
    dx, dy = path[1:, 0] - ax, path[1:, 1] - ay
    length2 = dx * dx + dy * dy
    rx, ry = points[:, :1] - ax, points[:, 1:] - ay  # (n, m-1)
    t = np.clip((rx * dx + ry * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    ex, ey = rx - t * dx, ry - t * dy
    return float(np.sqrt(np.max(np.min(ex * ex + ey * ey, axis=1))))
