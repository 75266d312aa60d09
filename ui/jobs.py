"""Sweeps for the search page: cached, and run in a worker process when big, with a progress bar.

`run_sweep(kind, surface, surface_params, kwargs, ...)` returns the result of ``sweeps.search``,
``compare_grid_random`` or ``many_start_map``:

- from the process-wide cache of recent results (shared by every session, like st.cache_data);
- else, for a small request (under `WORKER_MIN_WORK` run-steps, a fraction of a second), computed
  here under a spinner;
- else in the worker pool of `sweeps.background`, so the other sessions of this server keep
  their speed (a big search in this process would hold the GIL for seconds). Meanwhile the page
  shows a progress bar and a Cancel button, and its script thread only sleeps. Sessions asking for
  the same sweep share one job. When a session's settings change while its job runs, the job is
  cancelled unless another session waits for it. If the pool breaks, the page says so and runs the
  sweep here instead (no traceback).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st

import sweeps
from sweeps import background
from ui import common

WORKER_MIN_WORK = 2_000_000  # run-steps; smaller sweeps take < ~0.3 s here, less than a worker's round trip
RESULTS_MAX = 16  # cached results (each at most a few MB: 40,000 runs x a dozen columns)
POLL_S = 0.25  # how often the progress bar is updated while a worker runs
# A run that waits for the worker ends after this long and reruns itself: Streamlit queues a
# widget's rerun inside a fragment until the running script ends (it never preempts it), so a
# Cancel click or a changed setting is only seen when the waiting run gives way.
WAIT_S = 1.0
WAIT_APP_S = 3.0  # a full-page rerun costs more (every tab's figures): less often
SESSION = "_jobs_session"  # session_state: this session's token (which jobs it waits for)
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "search": sweeps.search,
    "compare": sweeps.compare_grid_random,
    "map": sweeps.many_start_map,
}

_lock = threading.Lock()
_results: OrderedDict[tuple, Any] = OrderedDict()
_jobs: dict[tuple, background.Job] = {}
_watchers: dict[tuple, set[str]] = {}


def _freeze(value: Any) -> Any:
    """A hashable form of a sweep's argument (lists and dicts become tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def cache_key(kind: str, surface: str, surface_params: tuple, kwargs: dict) -> tuple:
    return (kind, surface, tuple(surface_params), _freeze(kwargs))


def cached(key: tuple) -> Any | None:
    with _lock:
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
    return None


def _store(key: tuple, result: Any) -> None:
    with _lock:
        _results[key] = result
        _results.move_to_end(key)
        while len(_results) > RESULTS_MAX:
            _results.popitem(last=False)
        _jobs.pop(key, None)


def _in_process(kind: str, surface: str, surface_params: tuple, kwargs: dict) -> Any:
    return FUNCTIONS[kind](surface=common.get_surface(surface, surface_params), **kwargs)


def _watch(kind: str, key: tuple) -> None:
    """This session now waits for ``key``; a job it waited for before, which no session wants any
    more, is cancelled."""
    token = st.session_state.setdefault(SESSION, uuid.uuid4().hex)
    slot = f"_jobs_watch_{kind}"
    previous = st.session_state.get(slot)
    if previous == key:
        return
    st.session_state[slot] = key
    with _lock:
        if previous is not None:
            _unwatch_locked(previous, token)
        _watchers.setdefault(key, set()).add(token)


def _unwatch_locked(key: tuple, token: str) -> None:
    waiting = _watchers.get(key, set())
    waiting.discard(token)
    if not waiting:
        _watchers.pop(key, None)
        job = _jobs.pop(key, None)
        if job is not None and not job.done():
            job.cancel()


def _job(key: tuple, kind: str, surface: str, surface_params: tuple, kwargs: dict) -> background.Job:
    with _lock:
        job = _jobs.get(key)
        if job is None:
            job = background.submit(kind, surface, tuple(surface_params), **kwargs)
            _jobs[key] = job
        return job


def run_sweep(
    kind: str,
    surface: str,
    surface_params: tuple,
    kwargs: dict,
    *,
    work: int,
    label: str,
    key_prefix: str,
    rerun_scope: str = "app",
) -> Any | None:
    """The sweep's result, or None when the user cancelled it (the page then shows why).

    Parameters
    ----------
    kind : "search", "compare" or "map".
    surface, surface_params : the surface's registry name and its (name, value) pairs.
    kwargs : the sweep's other arguments (plain values), without ``surface`` and ``progress``.
    work : runs x steps of the request (decides where it runs).
    label : the progress text, e.g. "Running 40,000 runs × 1,000 steps…".
    key_prefix : prefix of the Cancel / Run again buttons' keys.
    rerun_scope : what reruns while a worker runs, every WAIT_S: "app", or "fragment" when called
        in a fragment's own rerun (Streamlit refuses a fragment-scoped rerun during a full run).

    Raises the sweep's ValueError for bad input.
    """
    key = cache_key(kind, surface, surface_params, kwargs)
    _watch(kind, key)  # first, so a job this session no longer needs is cancelled whatever comes next
    result = cached(key)
    if result is not None:
        return result
    if work < WORKER_MIN_WORK or not background.enabled():
        with st.spinner(label, show_time=True):
            result = _in_process(kind, surface, surface_params, kwargs)
        _store(key, result)
        return result

    cancel_key, again_key = f"{key_prefix}cancel_{kind}", f"{key_prefix}again_{kind}"
    cancelled_slot = f"_jobs_cancelled_{kind}"
    if st.session_state.get(again_key):
        st.session_state.pop(cancelled_slot, None)
    if st.session_state.get(cancel_key):  # the Cancel button was pressed in the run before
        st.session_state[cancelled_slot] = key
        st.session_state.pop(f"_jobs_watch_{kind}", None)
        with _lock:
            _unwatch_locked(key, st.session_state.get(SESSION, ""))
    if st.session_state.get(cancelled_slot) == key:
        st.info("The search was cancelled. Change a setting, or run it again.", icon=":material/stop_circle:")
        st.button("Run it again", key=again_key)
        return None
    try:
        job = _job(key, kind, surface, surface_params, kwargs)
    except background.WorkerFailedError as exc:
        return _fallback(key, kind, surface, surface_params, kwargs, exc, label)

    slot = st.empty()
    with slot.container():
        bar = st.progress(0.0, text=label)
        st.button("Cancel", key=cancel_key, help="Stops this search; nothing else on the page waits for it.")
    give_way = time.monotonic() + (WAIT_S if rerun_scope == "fragment" else WAIT_APP_S)
    while True:
        try:
            result = job.result(timeout=POLL_S)
            break
        except TimeoutError:
            done, total = job.progress()
            if total:
                bar.progress(min(done / total, 1.0), text=f"{label} {done:,} of {total:,} runs done")
            if time.monotonic() > give_way:
                st.rerun(scope=rerun_scope)  # lets a queued Cancel or a new setting in; the job runs on
        except background.CancelledError:  # another session gave it up at the moment this one came
            with _lock:
                _jobs.pop(key, None)
            slot.empty()
            st.info("The search was cancelled. Run it again to start it anew.", icon=":material/stop_circle:")
            st.session_state[cancelled_slot] = key
            st.button("Run it again", key=again_key)
            return None
        except background.WorkerFailedError as exc:
            slot.empty()
            with _lock:
                _jobs.pop(key, None)
            return _fallback(key, kind, surface, surface_params, kwargs, exc, label)
        except ValueError:
            with _lock:
                _jobs.pop(key, None)
            slot.empty()
            raise
    slot.empty()
    _store(key, result)
    return result


def _fallback(key, kind, surface, surface_params, kwargs, exc: Exception, label: str) -> Any:
    """The pool is broken: say so and compute here (the next big request tries a new pool)."""
    st.warning(f"{exc} This one runs in the page's own process instead, which slows other users.", icon="⚠️")
    with st.spinner(label, show_time=True):
        result = _in_process(kind, surface, surface_params, kwargs)
    _store(key, result)
    return result
