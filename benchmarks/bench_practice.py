"""Speed figures of the training-practice page (issue 11), for `benchmarks/bench.py` (calls `main()`).

- display-only rerun: AppTest, the default page (moons, MLP 2 x 16, Adam, 100 epochs, batch 32),
  then the EMA smoothing slider moved to values not seen before. The training comes from the
  cache; AppTest reruns the whole script (a browser reruns only the curves' fragment), so this is
  an upper bound of the script time. Budget: the explorer's 150 ms.
- browser: a key press on the EMA slider until the loss chart is redrawn, in headless Chromium;
  the bytes the websocket receives for it.
- heavy jobs, cold (engine calls as the page makes them, nothing cached): one training of the
  default model, the three capacity panels, the learning curve (6 sizes x 3 seeds), the
  validation curve (7 L2 values x 3 seeds), the 4 x 4 x 3 grid search and the 5-fold CV over
  7 L2 values; and the same for the "5-fold CV picks the degree" preset (polynomials by Newton).

Run: `python -m benchmarks.bench_practice`.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tests.e2e.browser import SCRIPT_DONE, chromium_path, launch_chromium, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 150.0  # the explorer's rerun budget (benchmarks/bench_app.py)


def _page():
    import streamlit as st

    from ui import practice

    st.set_page_config(layout="wide")
    practice.render()


def script_figures(repeats: int = 7) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page, default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    first = 1e3 * (time.perf_counter() - t0)
    times = []
    for i in range(repeats):
        at.slider(key="tr_ema").set_value(round(0.1 + 0.1 * i, 2))
        t0 = time.perf_counter()
        at.run()
        times.append(1e3 * (time.perf_counter() - t0))
        assert not at.exception
    return {"first_ms": first, "ema_rerun_ms": statistics.median(times), "ema_rerun_max_ms": max(times)}


def browser_figures(presses: int = 7) -> dict[str, float] | None:
    if chromium_path() is None:
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    import tempfile

    changed = ".st-key-tr_loss_chart .scatterlayer"
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    with streamlit_server(ROOT / "app.py", log) as base, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        received: list[int] = []
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived", lambda p: received.append(len(p) if isinstance(p, bytes | str) else 0)
            ),
        )
        page.goto(base + "/training")
        page.wait_for_selector(changed, timeout=60_000)
        page.wait_for_selector(SCRIPT_DONE, state="attached")
        page.wait_for_timeout(1000)
        thumb = page.locator(".st-key-tr_ema input[type='range']")
        times, sizes = [], []
        for _ in range(presses):
            old = page.locator(changed).first.inner_html()
            received.clear()
            thumb.focus()
            t0 = time.perf_counter()
            thumb.press("ArrowRight")
            page.wait_for_function(
                "([sel, old]) => { const e = document.querySelector(sel);"
                " return !!e && e.innerHTML !== old; }",
                arg=[changed, old],
                polling="raf",
                timeout=20_000,
            )
            times.append(1e3 * (time.perf_counter() - t0))
            page.wait_for_selector(SCRIPT_DONE, state="attached")
            page.wait_for_timeout(500)
            sizes.append(sum(received) / 1024)
        browser.close()
    log.unlink()
    return {"ema_browser_ms": statistics.median(times), "ema_ws_kb": statistics.median(sizes)}


def job_figures() -> dict[str, float]:
    from scenes.practice import optimizer_defaults, preset_setup, setup_of
    from training import studies as ts

    default = setup_of({}, optimizer_defaults("adam"))
    out = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        fn()
        out[name] = time.perf_counter() - t0

    seeds = (0, 1, 2)
    for label, setup, param in (("mlp", default, "l2"), ("poly", preset_setup("cv_degree"), "degree")):
        timed(f"{label}_fit_s", lambda s=setup: ts.fit(s))
        timed(f"{label}_capacity_s", lambda s=setup: ts.capacity_panels(s))
        timed(
            f"{label}_lc_s",
            lambda s=setup: [ts.learning_curve_point(s, n, seeds) for n in ts.learning_sizes(s)],
        )
        values = ts.VALIDATION_VALUES[param]
        timed(
            f"{label}_vc_s",
            lambda s=setup, p=param, v=values: [ts.validation_curve_point(s, p, x, seeds) for x in v],
        )
        timed(f"{label}_search_s", lambda s=setup: ts.search(s, "grid"))
        timed(f"{label}_cv_s", lambda s=setup, p=param, v=values: [ts.cv_point(s, p, x, 5) for x in v])
    return out


def main() -> dict[str, float]:
    figures = script_figures()
    browser = browser_figures()
    if browser:
        figures.update(browser)
    jobs = job_figures()
    print("Training practice page (default view: moons, MLP 2 x 16, Adam, 100 epochs, batch 32)")
    print(f"{'measure':58s} {'value':>9s}")
    rows = [
        ("first run, training included (AppTest, ms)", "first_ms"),
        (f"EMA slider rerun, whole script (AppTest, ms; budget {BUDGET_MS:.0f})", "ema_rerun_ms"),
        ("  slowest of the reruns (ms)", "ema_rerun_max_ms"),
        ("EMA slider -> loss chart redrawn, browser (ms)", "ema_browser_ms"),
        ("  websocket data for it (KB)", "ema_ws_kb"),
    ]
    for label, key in rows:
        print(f"{label:58s} {figures[key]:9.1f}" if key in figures else f"{label:58s} {'skipped':>9s}")
    print(f"\n{'heavy job, cold (s)':40s} {'MLP default':>12s} {'CV preset (poly)':>17s}")
    for job, name in (
        ("fit", "one training"),
        ("capacity", "under / right / over panels"),
        ("lc", "learning curve (sizes x 3 seeds)"),
        ("vc", "validation curve (values x 3 seeds)"),
        ("search", "grid search 4 x 4 x 3"),
        ("cv", "5-fold CV over the values"),
    ):
        print(f"{name:40s} {jobs[f'mlp_{job}_s']:12.2f} {jobs[f'poly_{job}_s']:17.2f}")
    figures.update(jobs)
    return figures


if __name__ == "__main__":
    main()
