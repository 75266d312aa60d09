"""The driver: validates a request, loops an update rule over N runs at once, says how each ended.

One loop serves every method and every N (`run` is `run_batch` with N = 1). Per iteration k:

    loss_k, g_k = f.value_and_grad(theta_k)       f: the surface, or this iteration's minibatch
    g_k += noise * xi_k                           xi_k ~ N(0, I), drawn from `seed`
    theta_{k+1} = update(StepInput(theta_k, g_k, loss_k, f, lr_k), state)    lr_k = lr * schedule(epoch of k)

What the noise means, once for all methods: it perturbs the gradient only. Newton keeps the exact
Hessian, Gauss-Newton and LM the exact J^T J and use J^T r = g / 2 (see second_order.py), and LM
judges a step by the exact loss. Every run of a batch sees the same draws (common random numbers),
so row i of `run_batch` equals `run` from start i with the same seed, and settings compared in a
search face the same noise.

Minibatches (data surfaces only): each epoch shuffles the samples (seeded) and cuts them into
n // batch_size batches of batch_size samples (a last, smaller batch is dropped, so every iteration
averages the same number of samples); one iteration uses one batch.

Status, decided from the recorded losses and exact (noise-free, full-data) gradients by the
earliest of:
    converged   the gradient norm at theta_k fell below tol: the run ends at k;
    diverged    |loss| passed 1e10 * max(1, |loss_0|): the run ends at k (its last point is finite);
                or theta_k, its loss or its gradient stopped being finite: the run ends at k - 1;
    max_steps   none of these within `steps` iterations.
The loop never branches on a run: every few rows a scan over the rows recorded since the last one
settles which runs ended (and the loop stops once all have). A run that ended keeps its last point
in every later row; the arithmetic after its end (possibly inf/NaN) is simply overwritten.

A run's ending is data (`Ending`: reason, step, value, limit), and so are the notes on what a
second-order method met on the way; optimizers/results.py holds them and words them.

The module reads top to bottom: `run`, `truncate` and `run_batch`, then the pieces `run_batch` is
made of: validation (`_validate`, a `_Request`), the buffers (`_Buffers`), the loop (`_loop`) and
the ending scan (`_EndingScan`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from optimizers.first_order import Optimizer, StepInput
from optimizers.registry import OPTIMIZERS, OptimizerInfo
from optimizers.results import (
    CONVERGED,
    EXPLODED,
    NONFINITE,
    RUNNING,
    BatchResult,
    Ending,
    Trajectory,
    curvature_notes,
)
from optimizers.schedules import Schedule, make_schedule
from params import Param
from surfaces.base import Surface

MAX_STEPS = 100_000
EXPLODE_FACTOR = 1e10
MAX_WINDOW = 256  # rows between two ending scans, at most
SCAN_ELEMENTS = 65_536  # ... and about this many (run, row) pairs, so a window stays in cache
MAX_TOL = 1e150  # the scan compares squared gradient norms with tol**2, which must stay finite
MAX_KEPT_POINTS = 25_000_000  # keep_paths=True holds N * (steps + 1) points at most (~0.6 GB)


def run(name: str, surface: Surface, start: Any, steps: int, **options: Any) -> Trajectory:
    """One run of optimizer `name` on `surface` from `start` (x, y): `run_batch` with N = 1.

    Takes the same keywords as `run_batch` (schedule, noise, seed, tol, batch_size and the
    optimizer's hyperparameters as scalars).
    """
    start = np.asarray(start, dtype=float) if _is_numeric(start) else start
    if not isinstance(start, np.ndarray) or start.shape != (2,):
        raise ValueError(f"start must be a point (x, y); got {start!r}")
    options.setdefault("keep_records", True)  # one path for a person to inspect: its state too
    return run_batch(name, surface, start[None, :], steps, **options).trajectory(0)


def truncate(trajectory: Trajectory, steps: int, surface: Surface, tol: float = 1e-6) -> Trajectory | None:
    """`run` with `steps` iterations, read off a run of the same settings that went further or
    ended sooner; None when `trajectory` cannot tell (it ran out of steps before `steps`).

    A run's first k iterations do not depend on how many follow: the schedule is a function of the
    epoch, and the noise and the minibatch shuffles are drawn one step after another. So a shorter
    run is a prefix of a longer one, and its ending is the longer run's ending if that came into
    view within `steps` iterations, else "max_steps" at `steps`. An overflow ends a path at step k
    but is seen at step k + 1. `surface` and `tol` must be the run's own.
    """
    steps = _whole(steps, "steps", 1, MAX_STEPS)
    ending = trajectory.ending
    if ending.reason != "max_steps" and ending.seen_at <= steps:
        return trajectory  # it ended within `steps`: the shorter run ends the same way
    if steps > trajectory.n_steps:
        return None  # it ran out of steps first: what comes next is unknown
    if steps == trajectory.n_steps and ending.reason == "max_steps":
        return trajectory
    points = trajectory.points[: steps + 1]
    grad_norms = trajectory.grad_norms[: steps + 1]
    return replace(
        trajectory,
        points=points,
        losses=trajectory.losses[: steps + 1],
        lrs=trajectory.lrs[:steps],
        grad_norms=grad_norms,
        ending=Ending("max_steps", steps, float(grad_norms[-1]), float(tol)),
        notes=curvature_notes(OPTIMIZERS[trajectory.optimizer], surface, points, RUNNING),
        records={name: values[:steps] for name, values in trajectory.records.items()},
    )


def run_batch(
    name: str,
    surface: Surface,
    starts: Any,
    steps: int,
    *,
    schedule: Schedule = None,
    noise: Any = 0.0,
    seed: int = 0,
    tol: float = 1e-6,
    batch_size: int | None = None,
    keep_paths: bool = True,
    keep_records: bool = False,
    target_loss: float | None = None,
    **hyper: Any,
) -> BatchResult:
    """Run optimizer `name` from N starts at once, vectorised over the runs.

    Parameters
    ----------
    name : a key of OPTIMIZERS.
    surface : a Surface (Gauss-Newton and LM need one with residuals).
    starts : (N, 2) start points.
    steps : iterations, 1 .. 100000.
    schedule : None or {"kind": ..., **params}, see optimizers.schedules.
    noise : std of Gaussian noise added to the gradient, scalar or (N,).
    seed : seeds the noise and the minibatch shuffling.
    tol : a run whose exact gradient norm falls below tol has converged.
    batch_size : minibatch size on data surfaces (None: the full data set).
    keep_paths : False keeps only each run's final row (and first_hit), for large searches.
    keep_records : with keep_paths, also keep what the registry's `records` read of the state
        each step (momentum's v, Adam's m and v, LM's trials, ...: the step inspector's data).
        Off by default: a batch that stores four more numbers per run and step runs a third slower.
        `run` turns it on.
    target_loss : first_hit records the first step whose loss is <= target_loss.
    **hyper : the optimizer's hyperparameters, each a scalar or shape (N,).

    Returns a BatchResult; bad input raises ValueError with a message fit for a person.
    """
    request = _validate(
        name, surface, starts, steps, schedule, noise, seed, tol, batch_size, keep_paths, target_loss, hyper
    )
    request = replace(request, keep_records=bool(keep_records) and request.keep_paths)
    buffers = _Buffers(request)
    scan = _EndingScan(request)
    _loop(request, buffers, scan)
    stop, codes, final = scan.finish(request.steps)
    if keep_paths:
        _hold_after_end(stop, buffers.P, buffers.L, *buffers.records.values())
        points, losses = buffers.P, buffers.L
    else:
        points, losses = final[0][None], final[1][None]
    return BatchResult(
        optimizer=name,
        surface=surface,
        points=points,
        losses=losses,
        final_grad_norms=np.sqrt(final[2]),
        n_steps=stop,
        codes=codes,
        first_hit=scan.first_hit,
        steps=request.steps,
        tol=request.tol,
        loss_limit=request.loss_limit,
        lr_per_step=request.lr_per_step,
        iters_per_epoch=request.per_epoch,
        records=buffers.records,
    )


# ---- validation: one clean request, or ValueError saying what is allowed ----


@dataclass(frozen=True, eq=False)
class _Request:
    """A validated run_batch call: everything the loop needs, nothing left to check."""

    info: OptimizerInfo
    optimizer: Optimizer
    surface: Surface
    starts: np.ndarray  # (N, 2)
    steps: int
    keep_paths: bool
    lr_per_step: np.ndarray  # (steps, 1) or (steps, N)
    noise: float | np.ndarray  # scalar or (N,)
    noise_rng: np.random.Generator
    batches: _Minibatches | None
    tol: float
    target: float | None
    loss_limit: np.ndarray  # (N,)
    keep_records: bool = False

    @property
    def n_runs(self) -> int:
        return len(self.starts)

    @property
    def per_epoch(self) -> int:
        return self.batches.per_epoch if self.batches else 1


def _validate(
    name, surface, starts, steps, schedule, noise, seed, tol, batch_size, keep_paths, target_loss, hyper
) -> _Request:
    info = _optimizer(name)
    _check_surface(info, surface)
    starts = _starts(starts)
    n_runs = len(starts)
    steps = _whole(steps, "steps", 1, MAX_STEPS)
    if keep_paths and n_runs * (steps + 1) > MAX_KEPT_POINTS:
        raise ValueError(
            f"{n_runs} runs x {steps} steps is too much to keep in memory (at most "
            f"{MAX_KEPT_POINTS:,} points); use keep_paths=False or fewer runs or steps"
        )
    params = _hyper(info, hyper, n_runs)
    lr0 = params.pop("lr", 1.0)
    noise = _per_run(noise, "noise", n_runs, minimum=0.0)
    seed = _whole(seed, "seed", 0, 2**63 - 1)
    tol = _number(tol, "tol", minimum=0.0, maximum=MAX_TOL)
    target = None if target_loss is None else _number(target_loss, "target_loss")
    noise_rng, batch_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    if batch_size is not None and info.full_batch_only:
        raise ValueError(
            f"{info.label} is a full-batch method (the lecture: second-order methods don't work well "
            "with minibatches); leave batch_size unset or use SGD, momentum, RMSProp or Adam"
        )
    batches = _Minibatches(surface, batch_size, batch_rng) if batch_size is not None else None
    per_epoch = batches.per_epoch if batches else 1
    factors = make_schedule(schedule)(np.arange(steps) // per_epoch)
    with np.errstate(all="ignore"):
        start_loss, start_grad = surface.value_and_grad(starts)
    start_ok = np.isfinite(start_loss) & np.isfinite(start_grad).all(-1)
    if not np.all(start_ok):
        i = int(np.argmin(start_ok))
        what = "the loss" if not np.isfinite(start_loss[i]) else "the loss's gradient"
        value = start_loss[i] if what == "the loss" else start_grad[i]
        raise ValueError(
            f"{what} is not finite at the start point ({starts[i, 0]:g}, {starts[i, 1]:g}): "
            f"{'L' if what == 'the loss' else '∇L'} = {np.array2string(np.asarray(value), precision=3)}; "
            "no method can step from there; pick a start where the loss is finite"
        )
    return _Request(
        info=info,
        optimizer=info.optimizer(**params),
        surface=surface,
        starts=starts,
        steps=steps,
        keep_paths=bool(keep_paths),
        lr_per_step=factors[:, None] * np.reshape(lr0, (1, -1)),
        noise=noise,
        noise_rng=noise_rng,
        batches=batches,
        tol=tol,
        target=target,
        loss_limit=EXPLODE_FACTOR * np.maximum(1.0, np.abs(start_loss)),
    )


# ---- buffers: where the loop writes ----


class _Buffers:
    """The loop's output, written row by row.

    The ending scan runs over windows of `window` rows (overlapping by one), small enough to stay in
    cache for large N, so that the loop can also stop as soon as every run has ended. With
    keep_paths, P (points) and L (losses) hold every row; without, they hold one window and are
    reused. Gradients are only needed by the scan, so G always holds one window. P and G are
    (rows, N, 2) views of (2, rows, N) blocks, so that each coordinate is written as one contiguous
    row. `records` (steps, N) each: what the registry's `records` read of the state (those marked
    `with_paths` whenever the paths are kept, the others only with keep_records).
    """

    def __init__(self, request: _Request):
        n_runs, steps = request.n_runs, request.steps
        self.window = max(1, min(MAX_WINDOW, SCAN_ELEMENTS // n_runs, steps))
        rows = steps + 1 if request.keep_paths else self.window + 1
        P_xy, G_xy = np.empty((2, rows, n_runs)), np.empty((2, self.window + 1, n_runs))
        self.P, self.G = P_xy.transpose(1, 2, 0), G_xy.transpose(1, 2, 0)
        self.L = np.empty((rows, n_runs))
        # The loop writes rows through these; a single run writes scalars into 1-D views, as storing
        # an element costs a tenth of storing a length-1 row.
        rows_of = (lambda a: a[..., 0]) if n_runs == 1 else (lambda a: a)
        views = (P_xy[0], P_xy[1], G_xy[0], G_xy[1], self.L)
        self.Px, self.Py, self.Gx, self.Gy, self.Lr = map(rows_of, views)
        kept = [r for r in request.info.records if request.keep_records or r.with_paths]
        readers = kept if request.keep_paths else ()
        self.records = {r.name: np.full((steps, n_runs), np.nan) for r in readers}
        self.record_rows = [(r.read, rows_of(self.records[r.name])) for r in readers]
        self.P[0] = request.starts


# ---- the loop ----


def _loop(request: _Request, buffers: _Buffers, scan: _EndingScan) -> None:
    """Iterate the update rule from the starts until every run has ended or `steps` ran."""
    surface, batches, steps, keep_paths = request.surface, request.batches, request.steps, request.keep_paths
    update = request.optimizer.update
    P, L, G, window = buffers.P, buffers.L, buffers.G, buffers.window
    Px, Py, Gx, Gy, Lr = buffers.Px, buffers.Py, buffers.Gx, buffers.Gy, buffers.Lr
    record_rows = buffers.record_rows
    lrs = request.lr_per_step
    lr_at = [float(v) for v in lrs[:, 0]] if lrs.shape[1] == 1 else lrs  # floats: cheap for one run
    noise, noisy = request.noise, bool(np.any(request.noise > 0))
    # The loop carries the coordinates apart, theta = (x, y), each an (N,) array, or for a single
    # run a NumPy scalar: the same arithmetic at a fraction of the cost of a length-1 array.
    starts = request.starts
    theta = (starts[:, 0].copy(), starts[:, 1].copy()) if request.n_runs > 1 else tuple(starts[0])
    state = request.optimizer.init(theta)
    window_start = 0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            j = t - window_start  # row in the window
            r = t if keep_paths else j  # row in P and L
            f = batches.view(t) if batches and t < steps else surface
            loss, gx, gy = f.value_and_grad_xy(*theta)
            if f is surface:
                Lr[r], Gx[j], Gy[j] = loss, gx, gy
            else:  # the scan judges runs by the exact, full-data loss and gradient
                Lr[r], Gx[j], Gy[j] = surface.value_and_grad_xy(*theta)
            if j == window or t == steps:
                first = r - j
                scan.scan(P[first : r + 1], L[first : r + 1], G[: j + 1], window_start)
                if t == steps or scan.all_ended:
                    break
                if not keep_paths:
                    P[0], L[0], r = P[r], L[r], 0
                G[0], window_start = G[j], t
            if noisy:
                xi = request.noise_rng.standard_normal(2)
                gx, gy = gx + noise * xi[0], gy + noise * xi[1]
            theta, state = update(StepInput(theta, (gx, gy), loss, f, lr_at[t]), state)
            Px[r + 1], Py[r + 1] = theta
            for read, rows in record_rows:
                rows[t] = read(state)


# ---- the ending scan ----


class _EndingScan:
    """Finds, window by window, where each run ended (see the module docstring for the rules)."""

    def __init__(self, request: _Request):
        n_runs = request.n_runs
        self.stop = np.full(n_runs, -1)
        self.codes = np.full(n_runs, RUNNING)
        self.first_hit = np.full(n_runs, -1)
        self.final = (np.empty((n_runs, 2)), np.empty(n_runs), np.empty(n_runs))
        self.loss_limit, self.tol_sq, self.target = request.loss_limit, request.tol**2, request.target
        self.lowest_limit = float(self.loss_limit.min())
        self.signed_loss = not request.surface.has_residuals  # False: sums of squares are never negative
        # An ended run keeps computing (its later rows are overwritten at the end), and its rows
        # would fail the window's quick check from then on (a small gradient, a NaN, a hit), so
        # once some run has ended the quick check looks at the running runs' columns only.
        self.running = None  # indices of the running runs once some run has ended, else None
        self.open_target: np.ndarray | None = None  # per checked run: target, or -inf once hit
        self.n_ended = 0

    def scan(self, P: np.ndarray, L: np.ndarray, G: np.ndarray, t0: int) -> None:
        """Rows of P, L, G are the points t0, t0+1, ...; row 0 was scanned before unless t0 == 0."""
        lo = 0 if t0 == 0 else 1
        self.last = (P[-1], L[-1], G[-1])  # views: the loop ends right after its last scan
        if self.running is None:
            quick = (P[-1], L[lo:], G[lo:])
        else:
            cols = self.running
            quick = (P[-1, cols], L[lo:, cols], G[lo:, cols])
        if self._nothing_happened(*quick):
            return
        self._search(P, L, G, t0, lo)

    def _search(self, P: np.ndarray, L: np.ndarray, G: np.ndarray, t0: int, lo: int) -> None:
        """The exact per-run search of a window (rows t0, t0+1, ...) from its row `lo` on."""
        G2 = G[..., 0] ** 2 + G[..., 1] ** 2
        Pn, Ln, Gn = P[lo:], L[lo:], G2[lo:]
        n = len(Ln)
        running = self.stop < 0
        # A sum is finite only if every term is: one pass finds non-finite points, losses, gradients.
        # The gradient's components, not its squared norm: that overflows at |g| > 1e154, where the
        # gradient is still finite (and a start would count as its own run's bad row).
        Gc = G[lo:]
        finite = np.isfinite(Ln + Gc[..., 0] + Gc[..., 1] + Pn[..., 0] + Pn[..., 1])
        halt = (Gn < self.tol_sq) | (np.abs(Ln) > self.loss_limit)
        first_bad = np.where(finite.all(0), n, np.argmin(finite, axis=0))
        first_halt = np.where(halt.any(0), np.argmax(halt, axis=0), n)
        if self.target is not None:
            hit = Ln <= self.target
            first = np.where(hit.any(0), np.argmax(hit, axis=0), n)
            new = running & (self.first_hit < 0) & (first < np.minimum(first_bad, first_halt + 1))
            self.first_hit[new] = t0 + lo + first[new]
        halts = running & (first_halt < first_bad)  # at a bad row halt may be True too: bad wins
        bads = running & ~halts & (first_bad < n)
        # A bad row's run ends one row earlier, at its last finite point (row lo - 1 = 0 of this
        # window when the bad row comes first: the previous window's last row).
        for mask, row in ((halts, first_halt + lo), (bads, first_bad + lo - 1)):
            idx = np.nonzero(mask)[0]
            j = row[idx]
            self.stop[idx] = t0 + j
            self.n_ended += idx.size
            self.final[0][idx], self.final[1][idx], self.final[2][idx] = P[j, idx], L[j, idx], G2[j, idx]
            self.codes[idx] = (
                np.where(G2[j, idx] < self.tol_sq, CONVERGED, EXPLODED) if mask is halts else NONFINITE
            )
        running = self.stop < 0
        self.running = None if running.all() else np.nonzero(running)[0]
        if self.target is not None:
            still_open = running & (self.first_hit < 0)
            if self.running is not None:
                still_open = still_open[self.running]
            self.open_target = None if still_open.all() else np.where(still_open, self.target, -np.inf)

    def _nothing_happened(self, last_points: np.ndarray, L: np.ndarray, G: np.ndarray) -> bool:
        """A few whole-window reductions that prove no run ended or hit the target in it.

        Most windows of a long run are like this, and the exact per-run search is then skipped.
        Points and gradients need checking in the last row only: once a point is inf or NaN every
        later point is too (inf + finite = inf, anything + NaN = NaN), and a non-finite gradient
        makes the next point non-finite (or, for a rejected LM trial, stays where it is).
        """
        if not np.isfinite(last_points.sum() + G[-1].sum()):
            return False
        limit = self.lowest_limit
        high = L.max()  # NaN propagates, and fails the test below
        low = L.min() if self.signed_loss or self.target is not None else 0.0  # sums of squares >= 0
        if not (-limit <= low and high <= limit):
            return False
        if self.target is not None and self._new_hit_possible(L, low):
            return False
        if self.tol_sq == 0.0:  # |g| < 0 never holds
            return True
        gx, gy = G[..., 0], G[..., 1]
        # |g| < tol needs |g_x| < tol, which is rare at a small tol; if some |g_x| is that small,
        # the norms themselves decide.
        return bool(np.abs(gx).min() >= self.tol_sq**0.5 or (gx * gx + gy * gy).min() >= self.tol_sq)

    def _new_hit_possible(self, L: np.ndarray, low: float) -> bool:
        if self.open_target is None:  # no checked run has hit the target yet
            return low <= self.target
        return bool(np.less_equal(L, self.open_target).any())

    @property
    def all_ended(self) -> bool:
        return self.n_ended == len(self.stop)

    def finish(self, steps: int) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
        open_runs = self.stop < 0
        self.stop[open_runs] = steps
        last_point, last_loss, last_grad = self.last
        self.final[0][open_runs] = last_point[open_runs]
        self.final[1][open_runs] = last_loss[open_runs]
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's gradient may overflow
            self.final[2][open_runs] = (last_grad[..., 0] ** 2 + last_grad[..., 1] ** 2)[open_runs]
        return self.stop, self.codes, self.final


def _hold_after_end(stop: np.ndarray, *arrays: np.ndarray | None) -> None:
    """In each (T, N, ...) array, rows after a run's end repeat its last row."""
    ended = np.nonzero(stop < len(arrays[0]) - 1)[0]
    if ended.size == 0:
        return
    for a in arrays:
        if a is None:
            continue
        rows = np.arange(len(a))[:, None]
        last = np.minimum(stop[ended], len(a) - 1)
        after = rows > last
        column = a[:, ended]
        held = column[last, np.arange(ended.size)]
        mask = after.reshape(after.shape + (1,) * (a.ndim - 2))
        a[:, ended] = np.where(mask, held[None], column)


class _Minibatches:
    """Seeded shuffles of a data surface's samples, cut into batches; one batch per iteration."""

    def __init__(self, surface: Surface, batch_size: Any, rng: np.random.Generator):
        if not hasattr(surface, "subset"):
            raise ValueError(
                f"batch_size needs a surface made of data samples (linear_regression, curve_fit); "
                f"{surface.name} has none"
            )
        n = surface.inputs.size
        self.size = _whole(batch_size, "batch_size", 1, n)
        self.per_epoch = n // self.size
        self.surface, self.rng, self.n = surface, rng, n

    def view(self, t: int) -> Surface:
        j = t % self.per_epoch
        if j == 0:
            self.order = self.rng.permutation(self.n)
        return self.surface.subset(self.order[j * self.size : (j + 1) * self.size])


# ---- validation: each helper returns the cleaned value or raises ValueError saying why ----


def _optimizer(name: Any) -> OptimizerInfo:
    info = OPTIMIZERS.get(name) if isinstance(name, str) else None
    if info is None:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(OPTIMIZERS)}")
    return info


def _check_surface(info: OptimizerInfo, surface: Any) -> None:
    if not isinstance(surface, Surface):
        raise ValueError(
            f"surface must be a Surface (see surfaces.get_surface); got {type(surface).__name__}"
        )
    support = info.supports(surface)
    if not support.runs:
        raise ValueError(support.reason)


def _is_numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def _starts(starts: Any) -> np.ndarray:
    if not _is_numeric(starts):
        raise ValueError(f"starts must be numbers of shape (N, 2); got {starts!r}")
    x = np.array(starts, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(f"starts must have shape (N, 2) with N >= 1; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("start points must be finite numbers (no NaN or inf)")
    return x


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}; got {value!r}")
    if not np.isfinite(value) or value != int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}; got {value!r}")
    return int(value)


def _number(value: Any, name: str, minimum: float | None = None, maximum: float | None = None) -> float:
    spec = Param(name, name, 0.0, minimum=minimum, maximum=maximum)
    return float(spec.validate(value))


def _per_run(value: Any, name: str, n_runs: int, minimum: float) -> float | np.ndarray:
    """A scalar, or one value per run returned as shape (N,)."""
    return _cast(Param(name, name, 0.0, minimum=minimum), value, n_runs)


def _cast(spec: Param, value: Any, n_runs: int) -> Any:
    if spec.choices is not None or np.ndim(value) == 0:
        return spec.validate(value.item() if isinstance(value, np.ndarray) else value)
    values = np.asarray(value)
    if values.shape != (n_runs,):
        raise ValueError(f"{spec.name} must be a scalar or have shape ({n_runs},); got shape {values.shape}")
    if not _is_numeric(values) or values.dtype == bool:
        raise ValueError(f"{spec.name} must hold numbers")
    values = spec.validate_array(values)
    return float(values[0]) if n_runs == 1 else values  # a single run carries scalars


def _hyper(info: OptimizerInfo, given: dict[str, Any], n_runs: int) -> dict[str, Any]:
    known = {p.name: p for p in info.hyper}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(
            f"unknown hyperparameter(s) for {info.label}: {', '.join(unknown)}; valid: {', '.join(known)}, "
            "and for every optimizer: schedule, noise, seed, tol, batch_size"
        )
    return {name: _cast(p, given.get(name, p.default), n_runs) for name, p in known.items()}
