"""What the explorer's true sentences cost the server per rerun (issue 19: at most 10 ms): the
lesson's live note (`scenes.lessons.note`: its claims decided on the runs on screen, with the
scene's facts) and the coinciding-paths check (`figures.coincide`), for every lesson preset and
for the default scene with 4 optimizers at 500 steps.

The runs themselves are not timed: the page takes them from its run cache (`ui.common.run_optimizer`),
so here a dict keyed by `RunSpec` stands in for it, filled once before timing (a claim's variants,
another α or other seeds, too). Each figure is the median of many repeats, in ms of one process.

    python benchmarks/bench_truth.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from figures.coincide import coincide_words, coinciding_groups
from scenes import explorer as scene
from scenes import lessons

REPEATS = 51
DEFAULT_SCENE = {"opts": ["sgd", "momentum", "rmsprop", "adam"], "steps": 500}


def _cached_runner() -> Callable[[Any], Any]:
    """A stand-in for the page's run cache: each RunSpec is run once, then read back."""
    cache: dict[Any, Any] = {}

    def runner(spec: Any) -> Any:
        if spec not in cache:
            cache[spec] = spec.run()
        return cache[spec]

    return runner


def _median_ms(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # fills the run cache (and any lazy import) outside the timing
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - t0))
    return float(np.median(times))


def _costs(values: dict[str, Any], preset: str | None) -> tuple[int, int, float, float]:
    """(runs on screen, claims, note ms, coincide ms) for the scene `values`."""
    choices = scene.scene(values)
    runner = _cached_runner()

    def note() -> object:
        evidence = scene.SceneRuns(choices, runner=runner)
        return lessons.note(lessons.PRESETS[preset], evidence, scene.facts(evidence))

    def coincide() -> str:
        evidence = scene.SceneRuns(choices, runner=runner)
        (x0, x1), (y0, y1) = evidence.surface.bounds
        groups = coinciding_groups(evidence.runs, evidence.surface.bounds)
        return coincide_words(groups, choices.labels, max(x1 - x0, y1 - y0))

    note_ms = _median_ms(note) if preset else 0.0
    claims = len(lessons.PRESETS[preset].claims) if preset else 0
    coincide_ms = _median_ms(coincide)
    return len(choices.optimizers), claims, note_ms, coincide_ms


def main() -> None:
    print(f"median of {REPEATS} reruns, runs cached; ms of one process")
    print(f"{'scene':<26}{'runs':>5}{'claims':>7}{'note ms':>10}{'coincide ms':>13}{'total ms':>10}")
    rows = [(name, {**p.settings, "preset": name}, name) for name, p in lessons.PRESETS.items()]
    rows.append(("default, 4 opts x 500", DEFAULT_SCENE, None))
    totals = []
    for label, values, preset in rows:
        runs, claims, note_ms, coincide_ms = _costs(values, preset)
        totals.append(note_ms + coincide_ms)
        print(f"{label:<26}{runs:>5}{claims:>7}{note_ms:>10.2f}{coincide_ms:>13.2f}{totals[-1]:>10.2f}")
    print(f"largest total: {max(totals):.2f} ms (issue 19's bound: 10 ms per rerun)")


if __name__ == "__main__":
    main()
