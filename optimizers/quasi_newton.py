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


class LBFGSState(NamedTuple):
    s: np.ndarray  # (m_max, 2, *shape) steps s_i, oldest first; empty slots are zero
    y: np.ndarray  # (m_max, 2, *shape) gradient changes y_i
    rho: np.ndarray  # (m_max, *shape) 1 / s_i^T y_i, zero for an empty slot
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
    # keep[i] is True where slot i (0 = oldest) belongs to the run's memory of `history` pairs.
    keep = np.arange(m_max).reshape((m_max,) + (1,) * np.ndim(history)) >= m_max - np.asarray(history)
    # shape (m_max,) for one history, (m_max, N) for one per run

    def init(theta: Pair) -> LBFGSState:
        zero = zeros_like(theta[0])
        memory = np.zeros((m_max, 2, *np.shape(zero)))
        return LBFGSState(
            s=memory,
            y=memory,
            rho=memory[:, 0],
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
        s, y, rho, gamma = _remember(state, g, keep)
        d = _two_loop(s, y, rho, gamma, g)
        slope = _dot(g, d)
        downhill = slope < 0
        d = (select(downhill, d[0], -g[0]), select(downhill, d[1], -g[1]))
        slope = select(downhill, slope, -_dot(g, g))
        empty = ~np.any(rho != 0, axis=0)  # no pair in memory: -g has no curvature scale yet
        with np.errstate(divide="ignore"):
            first = np.minimum(1.0, 1.0 / (np.abs(g[0]) + np.abs(g[1])))
        t0 = lr * select(empty, first, 1.0)
        t, evals = _backtrack(f, theta, loss, d, slope, t0)
        failed = t == 0
        taken = (t * d[0], t * d[1])
        theta_next = (theta[0] + taken[0], theta[1] + taken[1])
        if np.any(failed):  # clear the memory of the runs whose search failed
            s, y = np.where(failed, 0.0, s), np.where(failed, 0.0, y)
            rho, gamma = np.where(failed, 0.0, rho), select(failed, 1.0, gamma)
        state = LBFGSState(s, y, rho, gamma, taken, g, d, t0, t, evals, failed)
        return theta_next, state

    return Optimizer(init, update)


def _remember(state: LBFGSState, g: Pair, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """The memory with the pair of the last step added (newest last), where its curvature is positive."""
    if keep.ndim != state.rho.ndim:  # one history for all runs: broadcast over them
        keep = keep.reshape(keep.shape + (1,) * (state.rho.ndim - 1))
    s_new = state.pending
    y_new = (g[0] - state.g_prev[0], g[1] - state.g_prev[1])
    sy = _dot(s_new, y_new)
    add = sy > MIN_CURVATURE
    if not np.any(add):
        return state.s, state.y, state.rho, state.gamma
    new_s, new_y = np.array(s_new)[None], np.array(y_new)[None]
    with np.errstate(divide="ignore", invalid="ignore"):
        new_rho = (1.0 / sy)[None] if np.ndim(sy) else np.array([1.0 / sy])
        gamma = select(add, sy / _dot(y_new, y_new), state.gamma)
    shifted_s = np.concatenate([state.s[1:], new_s]) * keep[:, None]
    shifted_y = np.concatenate([state.y[1:], new_y]) * keep[:, None]
    shifted_rho = np.concatenate([state.rho[1:], new_rho]) * keep
    return (
        np.where(add, shifted_s, state.s),
        np.where(add, shifted_y, state.y),
        np.where(add, shifted_rho, state.rho),
        gamma,
    )


def _two_loop(s: np.ndarray, y: np.ndarray, rho: np.ndarray, gamma: Any, g: Pair) -> Pair:
    """d = -H g by the two-loop recursion over the memory (slots with rho = 0 change nothing)."""
    qx, qy = g
    alphas = []
    for i in range(len(rho) - 1, -1, -1):
        a = rho[i] * (s[i, 0] * qx + s[i, 1] * qy)
        qx, qy = qx - a * y[i, 0], qy - a * y[i, 1]
        alphas.append(a)
    rx, ry = gamma * qx, gamma * qy
    for i, a in enumerate(reversed(alphas)):
        b = rho[i] * (y[i, 0] * rx + y[i, 1] * ry)
        rx, ry = rx + s[i, 0] * (a - b), ry + s[i, 1] * (a - b)
    return -rx, -ry


def _backtrack(f: Any, theta: Pair, loss: Coordinate, d: Pair, slope: Coordinate, t0: Coordinate):
    """(t, evals): the first t = t0 / 2^j (j <= MAX_HALVINGS) passing Armijo, or 0; and how many
    loss evaluations that took. A NaN trial loss fails the test and the search goes on."""
    t = t0
    accepted = zeros_like(t0)
    evals = zeros_like(t0)
    searching = t0 == t0  # True, shaped like the runs (False only for a NaN t0)
    for _ in range(MAX_HALVINGS + 1):
        trial = f.value_xy(theta[0] + t * d[0], theta[1] + t * d[1])
        evals = evals + searching
        passed = searching & (trial <= loss + ARMIJO * t * slope)
        accepted = select(passed, t, accepted)
        searching = searching & ~passed
        if not np.any(searching):
            break
        t = 0.5 * t
    return accepted, evals
