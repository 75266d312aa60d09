"""Benchmark of the class-vote store: 300 students voting at once into the SQLite store (issue 21).

4 processes, 75 voters each, every voter votes once as soon as all processes are ready (the worst
moment of a lecture: everybody taps at once). Reported: the latency of `vote` (from the call until it
returned, i.e. committed) as median, p95 and max over the 300 votes (target p95 <= 25 ms), and the
time from the start until a lecturer polling `tally` every 10 ms sees all 300 votes.

Run it with ``python benchmarks/bench.py classroom`` or ``python benchmarks/bench_classroom.py``.
It uses a fresh SQLite file in a temp dir; the processes load only the store (no Streamlit).
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_engine import print_rows
from classroom import open_store

VOTERS = 300
PROCESSES = 4
P95_TARGET_MS = 25.0
KEY = "bench-lecturer-key"
CHOICES = ["Adam", "SGD", "Momentum", "Newton"]
HEADER = ("classroom case", "measured", "target", "met")


def _voter(url: str, code: str, first: int, count: int, start, results) -> None:
    """One process: open the store, wait for the start, vote for `count` voters; send latencies."""
    store = open_store(url)
    results.put("ready")
    start.wait()
    latencies = []
    for voter in range(first, first + count):
        began = time.perf_counter()
        store.vote(code, "q1", f"student-{voter}", CHOICES[voter % len(CHOICES)])
        latencies.append(time.perf_counter() - began)
    store.close()
    results.put(latencies)


def measure(voters: int = VOTERS, processes: int = PROCESSES) -> dict[str, float]:
    """One run: vote latencies (s) and the time until every vote is visible in a tally (s)."""
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'class.db'}"
        lecturer = open_store(url)
        code = lecturer.create_room(KEY)
        lecturer.open_question(code, "q1", CHOICES, KEY)
        start, results = ctx.Event(), ctx.Queue()
        share = voters // processes
        workers = [
            ctx.Process(target=_voter, args=(url, code, p * share, share, start, results))
            for p in range(processes)
        ]
        for worker in workers:
            worker.start()
        for _ in workers:  # every process has imported and opened the store
            assert results.get(timeout=120) == "ready"
        began = time.perf_counter()
        start.set()
        while sum(lecturer.tally(code, "q1").values()) < share * processes:
            time.sleep(0.01)
        visible_s = time.perf_counter() - began
        latencies = sorted(t for _ in workers for t in results.get(timeout=120))
        for worker in workers:
            worker.join(timeout=60)
        lecturer.close()
    return {
        "median": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)],
        "max": latencies[-1],
        "visible": visible_s,
        "votes": float(len(latencies)),
    }


def main() -> None:
    figures = measure()
    ms = {name: f"{1000 * figures[name]:.1f} ms" for name in ("median", "p95", "max", "visible")}
    label = f"{int(figures['votes'])} voters from {PROCESSES} processes, SQLite"
    rows = [
        (f"{label}: vote latency, median", ms["median"], "", ""),
        (
            f"{label}: vote latency, p95",
            ms["p95"],
            f"<= {P95_TARGET_MS:.0f} ms",
            "yes" if 1000 * figures["p95"] <= P95_TARGET_MS else "no",
        ),
        (f"{label}: vote latency, max", ms["max"], "", ""),
        (f"{label}: start until all visible in a tally", ms["visible"], "", ""),
    ]
    print_rows(HEADER, rows)


if __name__ == "__main__":
    main()
