"""What turning on the theory overlays and the step inspector costs the script: building their
payloads (`figures.map_data.theory_overlay`, `step_inspector`) for one run, uncached, and the
explorer's script with them on and off (AppTest, cached runs).

    python benchmarks/bench_theory.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from figures import map_data
from optimizers import run
from surfaces import SURFACES, get_surface

CASES = [
    ("quadratic", "adam", 60),
    ("quadratic", "momentum", 500),
    ("rosenbrock", "lbfgs", 500),
    ("rosenbrock", "adam", 500),
    ("curve_fit", "lm", 40),
    ("rosenbrock", "lm", 200),
]


def _ms(fn, repeat: int = 7) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - t0))
    return float(np.min(times)), float(np.median(times))


def payloads() -> None:
    print(f"{'surface':<12}{'optimizer':<10}{'steps':>6}{'overlay ms':>14}{'inspector ms':>16}{'bytes':>9}")
    for name, opt, steps in CASES:
        surface = get_surface(name)
        traj = run(opt, surface, SURFACES[name].default_start, steps)
        ov = _ms(lambda s=surface, t=traj: map_data.theory_overlay(s, t.points))
        ins = _ms(lambda s=surface, t=traj, o=opt: map_data.step_inspector(s, t, o, {}))
        size = map_data.payload_bytes(
            {
                "o": map_data.theory_overlay(surface, traj.points),
                "i": map_data.step_inspector(surface, traj, opt, {}),
            }
        )
        print(
            f"{name:<12}{opt:<10}{steps:>6}{ov[0]:>7.2f}-{ov[1]:<6.2f}{ins[0]:>8.2f}-{ins[1]:<7.2f}{size:>9}"
        )


def script() -> None:
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "app.py")
    for query in ({}, {"theory": "true", "inspect": "adam"}):
        at = AppTest.from_file(app, default_timeout=60)
        at.query_params.update(query)
        at.run()
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            at.run()
            times.append(1e3 * (time.perf_counter() - t0))
        print(
            f"explorer rerun (AppTest) {query or 'overlays off'}: {min(times):.0f}-{np.median(times):.0f} ms"
        )


def main() -> None:
    payloads()
    script()


if __name__ == "__main__":
    main()
