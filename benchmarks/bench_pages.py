"""Page-open speed of every page (issue 18), for `benchmarks/bench.py pages` (calls `main()`).

Target: every page's first chart drawn in a fresh browser at most 1 s after a one-slider,
one-chart Streamlit app's (the floor: Streamlit, the websocket, plotly.js and the browser on this
machine), measured in the same sitting; and no page's server process busy for more than 0.5 s.

- The app is served once (`streamlit run app.py`, PLAYGROUND_TIMING=1) and the floor app by a
  second server; both are opened in Debian's headless Chromium (tests/e2e/browser.py). `--app`
  measures another checkout's app.py the same way (an A/B: `git archive main | tar -x -C /tmp/a`).
- Each open is a fresh browser context (empty cache, new session): the time from `goto` until the
  page's first chart has a trace drawn (`PAGES`). Opens go in rounds (the floor, then each page),
  and a page's "- floor" is the median over rounds of its open minus the floor's open of the same
  round: the machine is shared and its speed drifts. The first round is reported apart (each page's
  first open in the server also pays its imports); the medians are over the rounds after it.
- Server busy: the longest script run of the page while it is opened (the pages log each run's
  time with PLAYGROUND_TIMING=1: "<page> render <ms> ms"; a page's imports at its first open
  come before its render and are not in it), and the server process's CPU time (/proc, every
  thread; the worker pool is another process) from `goto` until the run has finished, which also
  counts the websocket and the files served (the floor's row shows how much).

Run: `python -m benchmarks.bench_pages [--opens 5]` (skipped without chromium/playwright).
Minutes, so `bench.py` runs it only when named.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_app import FIRST_CHART as EXPLORER_MAP
from benchmarks.bench_app import _cpu_seconds, _server_process
from tests.e2e.browser import SCRIPT_DONE, chromium_path, launch_chromium, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
TARGET_OVER_FLOOR_MS = 1000.0
TARGET_BUSY_MS = 500.0
TIMEOUT_MS = 120_000

# A trace drawn in a Plotly chart: scatter, heatmap or contour layers (the search page's first chart
# is a heatmap).
_TRACE = ":is(.scatterlayer .trace, .heatmaplayer .hm, .contourlayer .contour)"
# Each page's first chart, in the order the page draws them.
PAGES = {
    "/ (explorer)": ("/", EXPLORER_MAP),
    "/training": ("/training", f".st-key-tr_loss_chart {_TRACE}"),
    "/search": ("/search", f".st-key-tune_search_chart {_TRACE}"),
    "/lecture": ("/lecture", f".st-key-lecture_stage {_TRACE}"),
}

FLOOR_APP = """import plotly.graph_objects as go
import streamlit as st

n = st.slider("points", 2, 50, 10)
st.plotly_chart(go.Figure(go.Scatter(x=list(range(n)), y=[i * i for i in range(n)])))
"""
FLOOR_CHART = f".js-plotly-plot {_TRACE}"


def _open(browser, url: str, selector: str, server: int | None) -> tuple[float, float]:
    """One open in a fresh context: ms until `selector` is drawn, and the server's CPU ms until
    the script run has finished (and its last messages are sent)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        cpu0 = _cpu_seconds(server)
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(selector, timeout=TIMEOUT_MS)
        drawn = 1e3 * (time.perf_counter() - t0)
        page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=TIMEOUT_MS)
        page.wait_for_timeout(300)  # the last messages of the run
        busy = 1e3 * (_cpu_seconds(server) - cpu0)
    finally:
        context.close()
    return drawn, busy


def _script_ms(log: Path | None, start: int) -> list[float]:
    """The script-run times logged since byte `start` of the server's log."""
    if log is None:
        return []
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read().decode(errors="replace")
    return [float(ms) for ms in re.findall(r"\w+ render ([0-9.]+) ms", text)]


def _rounds(browser, targets: dict, opens: int, log: Path) -> dict[str, list[tuple[float, float, float]]]:
    """`opens + 1` rounds; each round opens every target once, the floor first, so that every
    page's open has a floor open of the same moment to be compared with (the machine is shared:
    its speed drifts within minutes). Returns, per target, (drawn ms, CPU ms, longest script ms
    logged or NaN) of each round."""
    servers = {base: _server_process(base) for base, _, _ in targets.values()}
    out: dict[str, list[tuple[float, float, float]]] = {name: [] for name in targets}
    for _ in range(opens + 1):
        for name, (base, path, selector) in targets.items():
            start = log.stat().st_size if log.exists() else 0
            drawn, cpu = _open(browser, base + path, selector, servers[base])
            out[name].append((drawn, cpu, max(_script_ms(log, start), default=float("nan"))))
    return out


def _figures(runs: list[tuple[float, float, float]], floor: list[tuple[float, float, float]]) -> dict:
    """One target's figures: its first round apart, medians and maxima over the later ones."""
    later = [ms for _, _, ms in runs[1:] if ms == ms]  # NaN: the page logs no script time
    return {
        "first_ms": runs[0][0],
        "median_ms": statistics.median(d for d, _, _ in runs[1:]),
        "over_floor_ms": statistics.median(
            d - f for (d, _, _), (f, _, _) in zip(runs[1:], floor[1:], strict=True)
        ),
        "script_ms": max(later, default=float("nan")),
        "script_first_ms": runs[0][2],
        "cpu_ms": max(c for _, c, _ in runs[1:]),
        "cpu_first_ms": runs[0][1],
    }


def measure(opens: int = 4, app: Path | None = None) -> dict[str, dict] | None:
    """The figures of every page and of the floor, or None without a browser."""
    if chromium_path() is None:
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    os.environ["PLAYGROUND_TIMING"] = "1"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        floor_app = Path(tmp) / "floor_app.py"
        floor_app.write_text(FLOOR_APP)
        log = Path(tmp) / "server.log"
        browser = launch_chromium(pw)
        try:
            served = streamlit_server(app or ROOT / "app.py", log)
            with streamlit_server(floor_app) as floor_base, served as base:
                targets = {"floor": (floor_base, "/", FLOOR_CHART)}
                targets |= {name: (base, path, selector) for name, (path, selector) in PAGES.items()}
                runs = _rounds(browser, targets, opens, log)
        finally:
            browser.close()
    return {name: _figures(r, runs["floor"]) for name, r in runs.items()}


def main(opens: int = 4, app: Path | None = None) -> dict[str, dict] | None:
    """Measure and print the table; returns the figures."""
    figures = measure(opens, app)
    if figures is None:
        print("skipped: no chromium or playwright")
        return None
    print(f"Page opens in a fresh browser context, first chart drawn (ms; median of {opens} after the first)")
    head = ("page", "first", "median", "- floor", "target", "", "script", "", "1st", "cpu", "1st")
    print("{:14s} {:>7s} {:>7s} {:>8s} {:>7s}{:5s} {:>7s}{:5s} {:>6s} {:>6s} {:>6s}".format(*head))
    for name, row in figures.items():
        over = row["over_floor_ms"]
        ok = "" if name == "floor" else (" ok" if over <= TARGET_OVER_FLOOR_MS else " OVER")
        script = row["script_ms"]
        no_log = script != script  # NaN: the page logs no script time
        script_ok = "" if no_log else (" ok" if script <= TARGET_BUSY_MS else " OVER")
        print(
            f"{name:14s} {row['first_ms']:7.0f} {row['median_ms']:7.0f} {over:8.0f} "
            f"{TARGET_OVER_FLOOR_MS:7.0f}{ok:5s} {script:7.0f}{script_ok:5s} {row['script_first_ms']:6.0f} "
            f"{row['cpu_ms']:6.0f} {row['cpu_first_ms']:6.0f}"
        )
    print(
        "first: the page's first open in this server (its imports too); - floor: median over rounds\n"
        "of the page's open minus the one-slider, one-chart app's open (target <= 1000 ms); script:\n"
        "the page's longest script run in an open after the first (its log; target "
        f"{TARGET_BUSY_MS:.0f} ms),\n"
        "1st: in the first open; cpu: the server's CPU ms in one open after the first (largest;\n"
        "websocket and files included), 1st: in the first open (with the page's imports)."
    )
    return figures


if __name__ == "__main__":
    import sys

    args = sys.argv[1:]
    main(
        opens=int(args[args.index("--opens") + 1]) if "--opens" in args else 4,
        app=Path(args[args.index("--app") + 1]) if "--app" in args else None,
    )
