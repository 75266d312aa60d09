"""Jobs in a worker process, so that a big sweep or study never holds the page process's GIL.

NumPy releases the GIL inside large array operations but takes it back between them, and a
search is thousands of small steps: run in the Streamlit process, the largest request (40,000
runs x 1,000 steps) makes every other session of that process wait for seconds. Here it runs in
a process of its own, shared by every session of the server. A job is a pure function named in
the allowlist ``JOBS`` and its (plain, picklable) arguments; every job function takes a
``progress(done, total)`` keyword that it calls as it goes:

- ``submit(name, *args, **kwargs)`` starts ``JOBS[name](*args, progress=..., **kwargs)`` in the
  pool and returns a ``Job``: the search page's sweeps (``search``, ``compare``, ``map``, see
  ``sweeps.jobs``: the surface is rebuilt in the worker from its name and parameters) and the
  training-practice page's studies (``fit``, ``capacity``, ``learning_curve``, ...; see
  ``training.studies``);
- ``Job.progress()`` is (done, total) in the job's own unit (runs, epochs), reported by the worker;
- ``Job.cancel()`` stops it: a queued job never starts, a running one stops at its next chunk;
- ``Job.result(timeout)`` is the job's result, or raises ``CancelledError``, ``WorkerFailedError`` (the
  pool broke: the next ``submit`` starts a fresh one) or the job's own ValueError.
- ``function(name)`` is the job's function itself, for a small job that runs in the page.

The pool is a ``concurrent.futures.ProcessPoolExecutor`` with the spawn start method (a forked
copy of a multi-threaded server is unsafe) and ``WORKERS`` processes (environment variable
``PLAYGROUND_SEARCH_WORKERS``, default 1: the machine has 2 cores, one stays for the pages; 0 turns
the pool off and ``enabled()`` says so). Progress and cancellation travel through two small
shared-memory arrays handed to each worker at start, indexed by job id modulo ``SLOTS``.

Standard library and NumPy only, like the rest of the backend.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib
import itertools
import multiprocessing as mp
import os
import sys
import threading
import types
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

SLOTS = 256  # jobs tracked at once (ids modulo SLOTS); far more than a server ever runs together
WORKER_CHUNK_WORK = 4_000_000  # run-steps between progress reports (and cancellation checks)
# A search is background work: the worker yields the CPU to the pages' own reruns (measured on
# 2 busy cores: at normal priority the worker's core slowed the other sessions' reruns 2-4x).
WORKER_NICE = 10
# The allowlist: a job name -> "module:function". Nothing else runs in the worker.
JOBS = {
    "search": "sweeps.jobs:search",
    "compare": "sweeps.jobs:compare",
    "map": "sweeps.jobs:start_map",
    "fit": "training.studies:fit_job",
    "capacity": "training.studies:capacity_panels",
    "learning_curve": "training.studies:learning_curve",
    "validation_curve": "training.studies:validation_curve",
    "cross_validation": "training.studies:cross_validation",
    "training_search": "training.studies:search",
    "lecture_scene": "scenes.lecture:decide_job",  # a lecture scene's studies (grid vs random: 2 s)
}
KINDS = tuple(JOBS)


def _workers_from_env() -> int:
    raw = os.environ.get("PLAYGROUND_SEARCH_WORKERS", "1")
    try:
        return max(0, int(raw))
    except ValueError:
        return 1


WORKERS = _workers_from_env()


class CancelledError(Exception):
    """The job was cancelled before it finished."""


class WorkerFailedError(RuntimeError):
    """The worker process died or the pool could not start; the message says why."""


# ---------------------------------------------------------------------------------- worker side

_progress = None  # in a worker: shared Array('q', 3 * SLOTS) of (job id, done, total)
_cancelled = None  # in a worker: shared Array('q', SLOTS), the id of a cancelled job in its slot


def _init_worker(progress, cancelled) -> None:
    global _progress, _cancelled
    _progress, _cancelled = progress, cancelled
    with contextlib.suppress(OSError, AttributeError):  # not everywhere (Windows has no nice)
        os.nice(WORKER_NICE)
    from sweeps import _runs

    _runs.CHUNK_WORK = WORKER_CHUNK_WORK  # this process only runs sweeps: report more often


def _report(job_id: int, done: int, total: int) -> None:
    """Called by the sweep after every chunk: stop if cancelled, else record the progress."""
    slot = job_id % SLOTS
    if _cancelled is not None and _cancelled[slot] == job_id:
        raise CancelledError
    if _progress is not None:
        with _progress.get_lock():
            _progress[3 * slot : 3 * slot + 3] = [job_id, done, total]


def function(name: str) -> Callable[..., Any]:
    """The job function of an allowlisted ``name`` (imported on first use); ValueError otherwise."""
    if name not in JOBS:
        raise ValueError(f"Unknown sweep or study {name!r}; choose one of {', '.join(JOBS)}.")
    module, attribute = JOBS[name].split(":")
    return getattr(importlib.import_module(module), attribute)


def _run(job_id: int, name: str, args: tuple, kwargs: dict) -> Any:
    """The job itself, in the worker: call the named function, return its result."""
    if _cancelled is not None and _cancelled[job_id % SLOTS] == job_id:  # cancelled while queued
        raise CancelledError
    return function(name)(*args, progress=lambda done, total: _report(job_id, done, total), **kwargs)


# ---------------------------------------------------------------------------------- page side


@contextlib.contextmanager
def _harmless_main():
    """A spawned process first re-runs the parent's ``__main__`` module from its file. Streamlit
    makes the running page script ``__main__`` (AppTest a generated script), so a worker would run
    the app's router, or crash. While a worker may start, ``__main__`` is an empty module: the
    child imports nothing but what the job needs. Restored unless Streamlit replaced it meanwhile."""
    main = sys.modules.get("__main__")
    placeholder = types.ModuleType("__main__")
    sys.modules["__main__"] = placeholder
    try:
        yield
    finally:
        if sys.modules.get("__main__") is placeholder and main is not None:
            sys.modules["__main__"] = main


class Job:
    """A job submitted to the pool (see the module docstring)."""

    def __init__(self, job_id: int, future: cf.Future, pool: _Pool):
        self.id = job_id
        self.future = future
        self._pool = pool

    def progress(self) -> tuple[int, int]:
        """(done, total) as last reported by the worker; (0, 0) before it starts."""
        return self._pool.progress_of(self.id)

    def done(self) -> bool:
        return self.future.done()

    def cancel(self) -> None:
        """Stop the job: a queued one never runs, a running one stops at its next chunk."""
        self._pool.cancel(self.id)
        self.future.cancel()

    def result(self, timeout: float | None = None) -> Any:
        """The job's result; raises TimeoutError while it runs, or CancelledError, WorkerFailedError,
        or the job's own ValueError."""
        try:
            return self.future.result(timeout)
        except cf.CancelledError:
            raise CancelledError from None
        except BrokenProcessPool as exc:
            self._pool.discard()
            raise WorkerFailedError(
                "The background worker process stopped unexpectedly (it may have run out of memory)."
            ) from exc


class _Pool:
    """The process pool and its shared progress arrays, created on first use."""

    def __init__(self, workers: int):
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: cf.ProcessPoolExecutor | None = None
        self._progress = None
        self._cancelled = None
        self._ids = itertools.count(1)

    def _ensure(self) -> cf.ProcessPoolExecutor:
        if self._executor is None:
            ctx = mp.get_context("spawn")
            self._progress = ctx.Array("q", 3 * SLOTS)
            self._cancelled = ctx.Array("q", SLOTS, lock=False)
            self._executor = cf.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(self._progress, self._cancelled),
            )
        return self._executor

    def submit(self, name: str, args: tuple, kwargs: dict) -> Job:
        if name not in JOBS:
            raise ValueError(f"Unknown sweep or study {name!r}; choose one of {', '.join(JOBS)}.")
        with self._lock:
            try:
                executor = self._ensure()
                job_id = next(self._ids)
                with _harmless_main():  # a worker process starts here, on demand
                    future = executor.submit(_run, job_id, name, args, kwargs)
            except (BrokenProcessPool, OSError, RuntimeError) as exc:
                self._discard_locked()
                raise WorkerFailedError(f"The background worker could not start ({exc}).") from exc
            return Job(job_id, future, self)

    def progress_of(self, job_id: int) -> tuple[int, int]:
        if self._progress is None:
            return 0, 0
        slot = job_id % SLOTS
        with self._progress.get_lock():
            owner, done, total = self._progress[3 * slot : 3 * slot + 3]
        return (int(done), int(total)) if owner == job_id else (0, 0)

    def cancel(self, job_id: int) -> None:
        if self._cancelled is not None:
            self._cancelled[job_id % SLOTS] = job_id

    def discard(self) -> None:
        """Forget a broken pool; the next submit starts a new one."""
        with self._lock:
            self._discard_locked()

    def _discard_locked(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


_POOL = _Pool(WORKERS)


def enabled() -> bool:
    """Whether jobs go to a worker process (PLAYGROUND_SEARCH_WORKERS > 0)."""
    return _POOL.workers > 0


def submit(name: str, *args: Any, **kwargs: Any) -> Job:
    """Start the job ``name`` (a key of ``JOBS``) in the worker pool; see the module docstring.

    ``args`` and ``kwargs`` are the job function's own arguments without ``progress`` (plain,
    picklable values, e.g. a surface's name and its (name, value) pairs, or a training Setup).
    Raises ValueError for a name outside the allowlist, WorkerFailedError when the pool cannot start.
    """
    return _POOL.submit(name, args, kwargs)


def shutdown() -> None:
    """Stop the pool's processes (tests and benchmarks; the server's pool lives as long as it)."""
    _POOL.shutdown()
