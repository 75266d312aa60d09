"""The GIL, alone: an explorer-like rerun's time in one process while the largest search runs in a
thread of the same process (as a Streamlit server runs it in another session's script thread),
or in the worker process (sweeps.background), or not at all.

    python3 benchmarks/bench_search_gil.py [--seconds 20]

The probe is what an explorer rerun computes: three optimizers on Rosenbrock (300 steps each,
`optimizers.run`) and the landscape and loss figures (`figures.explorer`), timed back to back
for --seconds. The search is Adam or L-BFGS on Rosenbrock, random search k = 40,000, 1,000
steps, restarted with a new seed whenever it ends. Prints p50 / p95 / max of the probe.
Unlike bench_search_load.py this leaves out the server, the websockets and the other agents'
load as far as possible (the machine is shared: repeat, read ranges).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import figures
import optimizers
import surfaces
import sweeps
from figures import explorer as efig
from sweeps import background

START = (-1.5, 2.0)
HYPER = {"sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9}, "adam": {"lr": 0.05}}


def probe(surface, grid) -> float:
    t0 = time.perf_counter()
    trajectories = {name: optimizers.run(name, surface, START, 300, **h) for name, h in HYPER.items()}
    efig.landscape_figure(surface, grid, trajectories, start=START, log_levels=True).to_dict()
    efig.loss_figure(trajectories, min_value=surface.min_value).to_dict()
    return (time.perf_counter() - t0) * 1000


def search_kwargs(optimizer: str, seed: int) -> dict:
    hyper = [p for p in optimizers.OPTIMIZERS[optimizer].hyper if p.choices is None and not p.integer][:2]
    ranges = [sweeps.Range(p.name, p.low, p.high, log=p.log) for p in hyper]
    return dict(optimizer=optimizer, start=START, ranges=ranges, k=40_000, seed=seed, steps=1_000)


def measure(mode: str, optimizer: str | None, seconds: float, surface, grid) -> tuple[list[float], int]:
    stop = threading.Event()
    done = [0]

    def searcher():
        seed = 0
        while not stop.is_set():
            seed += 1
            if mode == "thread":
                sweeps.search(surface=surface, **search_kwargs(optimizer, seed))
            else:
                background.submit("search", "rosenbrock", (), **search_kwargs(optimizer, seed)).result()
            done[0] += 1

    worker = None
    if optimizer is not None:
        worker = threading.Thread(target=searcher, daemon=True)
        worker.start()
        time.sleep(1.5)
    times = []
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end:
        times.append(probe(surface, grid))
    stop.set()
    if worker is not None:
        worker.join()
    return times, done[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    surface = surfaces.get_surface("rosenbrock")
    grid = figures.surface_grid(surface, 120)
    probe(surface, grid)  # warm up
    background.submit("search", "rosenbrock", (), **search_kwargs("sgd", 0) | {"k": 10, "steps": 10}).result()
    rows = []
    for optimizer in ("adam", "lbfgs"):
        for mode, opt in (("no search", None), ("thread", optimizer), ("worker", optimizer)):
            times, searches = measure(mode, opt, args.seconds, surface, grid)
            q = statistics.quantiles(times, n=20)
            rows.append(
                (
                    optimizer if opt else "-",
                    mode,
                    statistics.median(times),
                    q[18],
                    max(times),
                    len(times),
                    searches,
                )
            )
            print(rows[-1], file=sys.stderr, flush=True)
    background.shutdown()
    print(f"\nExplorer-like rerun (3 runs x 300 steps + 2 figures), {args.seconds:g} s per row")
    head = ("search", "where", "p50 ms", "p95 ms", "max ms", "probes", "searches done")
    print(f"{head[0]:7} {head[1]:10} " + " ".join(f"{h:>7}" for h in head[2:6]) + f" {head[6]:>14}")
    for opt, mode, p50, p95, mx, n, searches in rows:
        print(f"{opt:7} {mode:10} {p50:7.0f} {p95:7.0f} {mx:7.0f} {n:7d} {searches:14d}")


if __name__ == "__main__":
    main()
