"""L-BFGS: a quasi-Newton method, many runs at once (one iteration per engine step).

BFGS builds an approximation H_k of the inverse Hessian from the steps it has taken: each step
s = theta_{k+1} - theta_k and the change of gradient it caused, y = g_{k+1} - g_k, tell it the
curvature along s (y ~ H s). L-BFGS keeps only the last m pairs and never forms H_k: the two-loop
recursion applies it to g directly, starting from H_k^0 = gamma I with gamma = s^T y / y^T y of the
newest pair (1 while the memory is empty).

    q = g;  for i = newest .. oldest:  a_i = rho_i s_i^T q;  q -= a_i y_i          rho_i = 1 / s_i^T y_i
    r = gamma q;  for i = oldest .. newest:  b = rho_i y_i^T r;  r += s_i (a_i - b)
    d = -r                                                    the quasi-Newton direction, -H_k g

Backtracking line search (Armijo constant c = 1e-4): trial step lengths t = t0, t0/2, ... (at most
30 halvings, so at most 31 loss evaluations), the first t with

    L(theta + t d) <= L(theta) + c t g^T d

is taken: theta_{k+1} = theta + t d, so the loss never increases. t0 = lr (this step's learning
rate, schedule included), or min(1, 1/||g||_1) lr while the memory is empty (the first iteration,
as in torch.optim.LBFGS, and after a reset), when the step -g has no curvature scale yet. When no
trial passes, the iteration stays put and the memory is cleared (recorded in the state as `reset`).
A pair with s^T y <= 1e-10 (no positive curvature measured along s) is skipped. Should d fail to
point downhill (g^T d >= 0, possible with noisy gradients), the step falls back to d = -g.

Everything is element-wise over the runs: theta, g and every state entry have the shape of one
coordinate (a NumPy scalar for one run, (N,) for N runs); the memory stacks m_max such entries.
Runs whose memory is shorter (`history` per run) keep their older slots empty (rho = 0), which the
two-loop recursion passes through unchanged, so row i of a batch equals the single run i exactly.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from optimizers.first_order import Coordinate, Hyper, Optimizer, Pair, StepInput, zeros_like
from optimizers.second_order import select

ARMIJO = 1e-4
MAX_HALVINGS = 30
MIN_CURVATURE = 1e-10  # pairs with s^T y <= this are skipped


class Slot(NamedTuple):
    """One (s, y) pair of the memory, each entry shaped like a coordinate."""

    sx: Coordinate
    sy: Coordinate
    yx: Coordinate
    yy: Coordinate
    rho: Coordinate  # 1 / s^T y; 0 marks an empty slot, which the two-loop recursion passes by
    # whatever s and y it still holds (a = rho s^T q = 0 and b = rho y^T r = 0 change nothing)


class LBFGSState(NamedTuple):
    memory: tuple[Slot, ...]  # m_max slots, oldest first, newest last
    size: Coordinate  # pairs in each run's memory (0: empty)
    gamma: Coordinate  # initial inverse-Hessian scale s^T y / y^T y of the newest pair (1 when empty)
    pending: Pair  # the last step taken, theta_k - theta_{k-1} (zero after a failed search)
    g_prev: Pair  # the gradient at theta_{k-1}
    # What the last iteration did, for the step inspector and the records:
    direction: Pair  # the search direction d
    t0: Coordinate  # the first trial step length
    t: Coordinate  # the accepted step length, 0 where no trial passed
    evals: Coordinate  # loss evaluations of the line search (1 .. MAX_HALVINGS + 1)
    reset: Coordinate  # True where no trial passed and the memory was cleared


# What the runner records of each iteration (OptimizerInfo.records): the search direction, the
# first and the accepted step length, the loss evaluations, and whether the memory was cleared.
RECORDS = (
    ("d_x", lambda state: state.direction[0]),
    ("d_y", lambda state: state.direction[1]),
    ("t0", lambda state: state.t0),
    ("t", lambda state: state.t),
    ("loss_evals", lambda state: state.evals),
    ("memory_reset", lambda state: state.reset),
)


def line_search_trials(point: Any, direction: Any, t0: float, evals: int) -> np.ndarray:
    """The points the line search tried at one iteration, (evals, 2): point + t0 2^-j direction,
    j = 0 .. evals - 1 (from a step's records: d_x, d_y, t0, loss_evals). The last one was
    accepted unless the memory was reset."""
    j = np.arange(int(evals))
    return np.asarray(point, dtype=float) + (t0 * 0.5**j)[:, None] * np.asarray(direction, dtype=float)


def _dot(a: Pair, b: Pair) -> Coordinate:
    return a[0] * b[0] + a[1] * b[1]


def lbfgs(history: Hyper) -> Optimizer:
    """L-BFGS with memory `history` (a whole number 1..50, or one per run). lr is the first trial step."""
    m_max = int(np.max(history))
    # With one history per run, the slots older than a run's own history are zeroed after a shift:
    # slot j (0 = oldest) belongs to run i iff j >= m_max - history_i. Slots from `shared` on are
    # everyone's.
    shared = m_max - int(np.min(history))
    keep = [np.asarray(history) >= m_max - j for j in range(shared)]

    def init(theta: Pair) -> LBFGSState:
        zero = zeros_like(theta[0])
        return LBFGSState(
            memory=(Slot(zero, zero, zero, zero, zero),) * m_max,
            size=zero,
            gamma=zero + 1.0,
            pending=(zero, zero),
            g_prev=(zero, zero),
            direction=(zero, zero),
            t0=zero,
            t=zero,
            evals=zero,
            reset=zero > 0,
        )

    def update(step: StepInput, state: LBFGSState) -> tuple[Pair, LBFGSState]:
        theta, g, loss, f, lr = step
        memory, size, gamma = _remember(state, g, keep, history)
        d = _two_loop(memory, gamma, g)
        slope = _dot(g, d)
        downhill = slope < 0
        d = (select(downhill, d[0], -g[0]), select(downhill, d[1], -g[1]))
        slope = select(downhill, slope, -_dot(g, g))
        with np.errstate(divide="ignore"):
            first = np.minimum(1.0, 1.0 / (np.abs(g[0]) + np.abs(g[1])))
        t0 = lr * select(size == 0, first, 1.0)  # an empty memory: -g has no curvature scale yet
        t, evals = _backtrack(f, theta, loss, d, slope, t0)
        failed = t == 0
        taken = (t * d[0], t * d[1])
        theta_next = (theta[0] + taken[0], theta[1] + taken[1])
        if np.any(failed):  # clear the memory of the runs whose search failed (rho = 0 empties a slot)
            memory = tuple(slot._replace(rho=select(failed, 0.0, slot.rho)) for slot in memory)
            size, gamma = select(failed, 0.0, size), select(failed, 1.0, gamma)
        state = LBFGSState(memory, size, gamma, taken, g, d, t0, t, evals, failed)
        return theta_next, state

    return Optimizer(init, update)


def _remember(state: LBFGSState, g: Pair, keep: list, history: Hyper) -> tuple[tuple[Slot, ...], Any, Any]:
    """(memory, size, gamma) with the pair of the last step added (newest last) where its
    curvature s^T y is positive; the oldest pair drops out."""
    s = state.pending
    y = (g[0] - state.g_prev[0], g[1] - state.g_prev[1])
    sy = _dot(s, y)
    add = sy > MIN_CURVATURE
    if not np.any(add):
        return state.memory, state.size, state.gamma
    with np.errstate(divide="ignore", invalid="ignore"):
        newest = Slot(s[0], s[1], y[0], y[1], 1.0 / sy)
        gamma = select(add, sy / _dot(y, y), state.gamma)
    shifted = (*state.memory[1:], newest)
    # Slots older than a run's own history are emptied (multiplying by False gives 0).
    shifted = tuple(
        Slot(*(entry * keep[j] for entry in slot)) if j < len(keep) else slot
        for j, slot in enumerate(shifted)
    )
    if not np.all(add):  # the runs that skip the pair keep their memory as it was
        shifted = tuple(
            Slot(*(select(add, new, old) for new, old in zip(slot, before, strict=True)))
            for slot, before in zip(shifted, state.memory, strict=True)
        )
    size = select(add, np.minimum(state.size + 1.0, history), state.size)
    return shifted, size, gamma


def _two_loop(memory: tuple[Slot, ...], gamma: Any, g: Pair) -> Pair:
    """d = -H g by the two-loop recursion over the memory (slots with rho = 0 change nothing)."""
    qx, qy = g
    alphas = []
    for slot in reversed(memory):
        a = slot.rho * (slot.sx * qx + slot.sy * qy)
        qx, qy = qx - a * slot.yx, qy - a * slot.yy
        alphas.append(a)
    rx, ry = gamma * qx, gamma * qy
    for slot, a in zip(memory, reversed(alphas), strict=True):
        b = slot.rho * (slot.yx * rx + slot.yy * ry)
        rx, ry = rx + slot.sx * (a - b), ry + slot.sy * (a - b)
    return -rx, -ry


def _backtrack(f: Any, theta: Pair, loss: Coordinate, d: Pair, slope: Coordinate, t0: Coordinate):
    """(t, evals): the first t = t0 / 2^j (j <= MAX_HALVINGS) passing Armijo, or 0; and how many
    loss evaluations that took. A NaN trial loss fails the test and the search goes on.

    For N runs each trial evaluates only the runs still searching (the loss is element-wise, so
    each run's numbers are those of its single run).
    """
    if np.ndim(t0) == 0:
        t = t0
        for j in range(MAX_HALVINGS + 1):
            trial = f.value_xy(theta[0] + t * d[0], theta[1] + t * d[1])
            if trial <= loss + ARMIJO * t * slope:
                return t, j + 1.0
            t = 0.5 * t
        return 0.0 * t0, MAX_HALVINGS + 1.0
    n = len(t0)
    accepted, evals = np.zeros(n), np.zeros(n)
    idx = np.arange(n)
    x, y, dx, dy, base, rate, t = (np.broadcast_to(a, (n,)) for a in (*theta, *d, loss, slope, t0))
    for _ in range(MAX_HALVINGS + 1):
        trial = f.value_xy(x + t * dx, y + t * dy)
        evals[idx] += 1.0
        passed = trial <= base + ARMIJO * t * rate
        accepted[idx[passed]] = t[passed]
        searching = ~passed
        if not searching.any():
            break
        idx, x, y, dx, dy, base, rate, t = (a[searching] for a in (idx, x, y, dx, dy, base, rate, t))
        t = 0.5 * t
    return accepted, evals
