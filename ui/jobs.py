"""Every study that can take more than about half a second runs here: cached, in the worker
process when big, with a progress bar and a Cancel button; both the search page's sweeps and the
training-practice page's studies (one mechanism, `run_job`).

`run_job(name, args, kwargs, seconds=..., ...)` returns the result of the job ``name`` of
`sweeps.background.JOBS` (a pure function from an allowlist, called with plain arguments):

- from the process-wide cache of recent results (shared by every session, like st.cache_data);
- else, for a small request (under `WORKER_MIN_SECONDS` by the study's own estimate, which lives
  with the study: ``sweeps.jobs.estimated_seconds``, ``training.studies.estimated_seconds``),
  computed here under a spinner;
- else in the worker pool of `sweeps.background`, so the other sessions of this server keep
  their speed (a big job in this process would hold the GIL for seconds). Meanwhile the page
  shows a progress bar at once and a Cancel button, and its script thread only sleeps. Sessions
  asking for the same job share it. When a session's settings change while its job runs, the job
  is cancelled unless another session waits for it. If the pool breaks, the page says so and runs
  the job here instead (no traceback).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

import streamlit as st

from sweeps import background

WORKER_MIN_SECONDS = 0.3  # smaller jobs run here: less than a worker's round trip and a progress bar
RESULTS_MAX = 32  # cached results (each at most a few MB: 40,000 runs x a dozen columns)
POLL_S = 0.25  # how often the progress bar is updated while a worker runs
# A run that waits for the worker ends after this long and reruns itself: Streamlit queues a
# widget's rerun inside a fragment until the running script ends (it never preempts it), so a
# Cancel click or a changed setting is only seen when the waiting run gives way.
WAIT_S = 1.0
WAIT_APP_S = 3.0  # a full-page rerun costs more (every tab's figures): less often
SESSION = "_jobs_session"  # session_state: this session's token (which jobs it waits for)

_lock = threading.Lock()
_results: OrderedDict[tuple, Any] = OrderedDict()
_jobs: dict[tuple, background.Job] = {}
_watchers: dict[tuple, set[str]] = {}


def _freeze(value: Any) -> Any:
    """A hashable form of a job's argument (lists and dicts become tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def cache_key(name: str, args: tuple, kwargs: dict) -> tuple:
    return (name, _freeze(tuple(args)), _freeze(kwargs))


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


def _in_process(name: str, args: tuple, kwargs: dict) -> Any:
    return background.function(name)(*args, **kwargs)


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


def _job(key: tuple, name: str, args: tuple, kwargs: dict) -> background.Job:
    with _lock:
        job = _jobs.get(key)
        if job is None:
            job = background.submit(name, *args, **kwargs)
            _jobs[key] = job
        return job


def run_job(
    name: str,
    args: tuple,
    kwargs: dict,
    *,
    seconds: float,
    label: str,
    key_prefix: str,
    unit: str = "runs",
    what: str = "search",
    rerun_scope: str = "app",
) -> Any | None:
    """The job's result, or None when the user cancelled it (the page then says so).

    Parameters
    ----------
    name : a key of `sweeps.background.JOBS`, e.g. "search" or "learning_curve".
    args, kwargs : the job function's arguments (plain, hashable values), without ``progress``.
    seconds : the study's own estimate of its duration here (decides where it runs).
    label : the progress text, e.g. "Running 40,000 runs × 1,000 steps…".
    key_prefix : prefix of the Cancel / Run again buttons' keys.
    unit : what the job's progress counts ("runs", "epochs").
    what : the job in words, for "The search was cancelled".
    rerun_scope : what reruns while a worker runs, every WAIT_S: "app", or "fragment" when called
        in a fragment's own rerun (Streamlit refuses a fragment-scoped rerun during a full run).

    Raises the job's ValueError for bad input.
    """
    args = tuple(args)
    key = cache_key(name, args, kwargs)
    _watch(name, key)  # first, so a job this session no longer needs is cancelled whatever comes next
    result = cached(key)
    if result is not None:
        return result
    if seconds < WORKER_MIN_SECONDS or not background.enabled():
        with st.spinner(label, show_time=True):
            result = _in_process(name, args, kwargs)
        _store(key, result)
        return result

    cancel_key, again_key = f"{key_prefix}cancel_{name}", f"{key_prefix}again_{name}"
    cancelled_slot = f"_jobs_cancelled_{name}"
    if st.session_state.get(again_key):
        st.session_state.pop(cancelled_slot, None)
    if st.session_state.get(cancel_key):  # the Cancel button was pressed in the run before
        st.session_state[cancelled_slot] = key
        st.session_state.pop(f"_jobs_watch_{name}", None)
        with _lock:
            _unwatch_locked(key, st.session_state.get(SESSION, ""))
    cancelled_text = f"The {what} was cancelled."
    if st.session_state.get(cancelled_slot) == key:
        st.info(f"{cancelled_text} Change a setting, or run it again.", icon=":material/stop_circle:")
        st.button("Run it again", key=again_key)
        return None
    try:
        job = _job(key, name, args, kwargs)
    except background.WorkerFailedError as exc:
        return _fallback(key, name, args, kwargs, exc, label)

    slot = st.empty()
    with slot.container():
        bar = st.progress(0.0, text=label)
        st.button("Cancel", key=cancel_key, help=f"Stops this {what}; nothing else on the page waits for it.")
    give_way = time.monotonic() + (WAIT_S if rerun_scope == "fragment" else WAIT_APP_S)
    while True:
        try:
            result = job.result(timeout=POLL_S)
            break
        except TimeoutError:
            done, total = job.progress()
            if total:
                bar.progress(min(done / total, 1.0), text=f"{label} {done:,} of {total:,} {unit} done")
            if time.monotonic() > give_way:
                st.rerun(scope=rerun_scope)  # lets a queued Cancel or a new setting in; the job runs on
        except background.CancelledError:  # another session gave it up at the moment this one came
            with _lock:
                _jobs.pop(key, None)
            slot.empty()
            st.info(f"{cancelled_text} Run it again to start it anew.", icon=":material/stop_circle:")
            st.session_state[cancelled_slot] = key
            st.button("Run it again", key=again_key)
            return None
        except background.WorkerFailedError as exc:
            slot.empty()
            with _lock:
                _jobs.pop(key, None)
            return _fallback(key, name, args, kwargs, exc, label)
        except ValueError:
            with _lock:
                _jobs.pop(key, None)
            slot.empty()
            raise
    slot.empty()
    _store(key, result)
    return result


def _fallback(key, name, args, kwargs, exc: Exception, label: str) -> Any:
    """The pool is broken: say so and compute here (the next big request tries a new pool)."""
    st.warning(f"{exc} This one runs in the page's own process instead, which slows other users.", icon="⚠️")
    with st.spinner(label, show_time=True):
        result = _in_process(name, args, kwargs)
    _store(key, result)
    return result
