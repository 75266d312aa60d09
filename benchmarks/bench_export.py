"""What an offline export of a scene costs: its size (with the cartesian bundle when a verified copy
is in static/, else the full one) and the time to build it in a warm process (`export.build_html`),
and the whole command (`python -m export`, a fresh Python: imports included).

    python benchmarks/bench_export.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from export import build_html
from export.page import plotly_js
from scenes import lessons

ROOT = Path(__file__).resolve().parents[1]
SCENES = {
    "default race": "",
    **{f"lesson {name}": f"preset={name}" for name in lessons.PRESETS},
    "custom formula": "surface=custom&custom_formula=sin(x)*cos(y)%2B0.1*(x^2%2By^2)&opts=sgd,adam",
    "copies and pins": "surface=rosenbrock&opts=sgd,adam,sgd~2&sgd~2_lr=0.0005"
    "&pins=adam:lr=0.05,sgd:lr=0.001",
    "every optimizer, 500 steps": "opts=sgd,momentum,rmsprop,adam,newton,nesterov,adagrad,lbfgs&steps=500",
}


def main() -> None:
    bundle, _ = plotly_js()
    print(f"plotly.js inlined: {bundle}")
    print(f"{'scene':<32} {'size MB':>8} {'build ms (median of 5)':>24}")
    build_html("")  # warm the imports and caches once
    for name, query in SCENES.items():
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            page = build_html(query)
            times.append(1e3 * (time.perf_counter() - t0))
        print(f"{name:<32} {len(page.encode()) / 1e6:>8.2f} {statistics.median(times):>24.0f}")
    with tempfile.TemporaryDirectory() as tmp:
        walls = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "export", "preset=decay", "-o", f"{tmp}/race.html"],
                           cwd=ROOT, check=True, capture_output=True)  # fmt: skip
            walls.append(time.perf_counter() - t0)
    print(f"python -m export preset=decay (fresh process): median {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
