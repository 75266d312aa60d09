"""A page's script-run time on stderr, for the benchmarks: with PLAYGROUND_TIMING=1 in the
server's environment, `timed("search")(render)` logs "search render 123.4 ms" after each run
(benchmarks/bench_pages.py reads it; the explorer logs the same way)."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable


def timed(page: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Decorate a page's `render` so that its run time is logged when PLAYGROUND_TIMING is set."""

    def wrap(render: Callable[[], None]) -> Callable[[], None]:
        @functools.wraps(render)
        def run() -> None:
            if not os.environ.get("PLAYGROUND_TIMING"):
                return render()
            t0 = time.perf_counter()
            try:
                render()
            finally:  # a run ended by st.rerun / st.stop counts too
                print(f"{page} render {1e3 * (time.perf_counter() - t0):.1f} ms", file=sys.stderr)

        return run

    return wrap
