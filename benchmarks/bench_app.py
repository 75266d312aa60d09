"""Speed figures of the explorer page (issues 3 and 9), for `benchmarks/bench.py` (calls `main()`).

Targets, with the default view after a slider change (issue 9): data sent per rerun <= 40 KB when
only the paths change, slider released -> map redrawn <= 250 ms, server CPU <= 25 ms per rerun.

- script rerun: AppTest, the default page, then the Adam learning-rate slider moved to values not
  seen before (so Adam's run is recomputed; the other runs and the contour grid come from the
  cache). AppTest adds its own overhead, so this is an upper bound of the script time.
- bytes per rerun: (a) the JSON of every chart the rerun sends, from AppTest; (b) the websocket
  bytes the browser actually receives for a rerun, in headless Chromium.
- browser update: a key press on the steps slider until the page has settled on the new run: the
  map has drawn its last step and the loss chart has one point per step on every curve, in
  headless Chromium (Debian's /usr/bin/chromium through Playwright, software rendering: no GPU),
  median and best of several presses. The same is measured for a one-slider app, the floor that
  Streamlit, the websocket and the browser cost on this machine before any chart is drawn.
- page loads: cold start (the `streamlit run` process started -> map paths and loss curves drawn
  in a fresh browser context; the browser itself is launched before) and warm loads against the
  running server (a reload, and a new context with an empty cache). The same for the one-slider
  app: what Streamlit itself costs to start and load on this machine.
- server: during those presses, the server's script time (logged with PLAYGROUND_TIMING=1) and
  its CPU time (/proc) divided by the reruns; and, measured over 3 s before them, the CPU the idle
  server spends anyway (Streamlit polls its config files every 0.2 s), over the same time.
- map component: the paths element's JSON counts per rerun; the base element (contour) is the
  same on every rerun of a surface, so Streamlit's message cache sends it as a reference.

Run: `python -m benchmarks.bench_app` (the browser part is skipped without chromium/playwright);
`python -m benchmarks.bench_app --browser-only --app /tmp/before/app.py` measures another checkout
(e.g. `git archive main | tar -x -C /tmp/before`) the same way, for an A/B in one sitting.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

# The e2e tests' server and browser setup, so both measure the same Chromium.
from tests.e2e.browser import SCRIPT_DONE, chromium_path, launch_chromium, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
# Issue 9's goals: slider released -> chart settled <= 250 ms, <= 40 KB per rerun when only the
# paths change, server CPU <= 25 ms per rerun.
TARGETS = {
    "rerun_ms": 150.0,
    "kb_per_rerun": 40.0,
    "browser_ms": 250.0,
    "script_ms": 150.0,
    "cpu_ms": 25.0,
    "cold_ms": 2500.0,
    "warm_ms": 1000.0,
}


def script_figures(repeats: int = 7) -> dict[str, float]:
    """Rerun time (ms, median) and chart JSON bytes per rerun, measured with AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.session_state["adam_open"] = True  # Adam's expander, so that its α slider is drawn
    at.run()
    values = [0.07, 0.15, 0.2, 0.3, 0.5, 0.7, 0.05, 0.03, 0.02][:repeats]
    times = []
    for v in values:
        at.select_slider(key="adam_lr").set_value(v)
        t0 = time.perf_counter()
        at.run()
        times.append(1e3 * (time.perf_counter() - t0))
        assert not at.exception
    cached = []
    for v in values[:3]:
        at.select_slider(key="adam_lr").set_value(v)
        t0 = time.perf_counter()
        at.run()
        cached.append(1e3 * (time.perf_counter() - t0))
    spec_bytes = sum(len(c.proto.spec) for c in at.get("plotly_chart"))
    # The map component: the paths element travels on every rerun; the base element (contour) is
    # identical while the surface stays, so Streamlit's message cache sends it as a reference.
    maps = {c.proto.component_name: len(c.proto.json) for c in at.get("bidi_component")}
    paths_bytes = sum(v for k, v in maps.items() if not k.endswith("_base"))  # map paths, loss chart
    base_bytes = sum(v for k, v in maps.items() if k.endswith("_base"))
    return {
        "rerun_ms": statistics.median(times),
        "rerun_cached_ms": statistics.median(cached),
        "chart_json_kb": (spec_bytes + paths_bytes) / 1024,
        "map_base_kb": base_bytes / 1024,
    }


def custom_figures(repeats: int = 5) -> dict[str, float]:
    """The custom surface (AppTest, ms, median): a new formula typed (parse, derivatives, the
    many-start search for minima, the contour grid and four runs, none cached), then a rerun
    that finds all of it cached."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["surface"] = "custom"
    at.run()
    typed, cached = [], []
    for i in range(repeats):
        at.text_input(key="custom_formula").set_value(f"x^2 + {i + 2}*y^2 + sin(3*x) + 0.{i + 1}*x*y")
        t0 = time.perf_counter()
        at.run()
        typed.append(1e3 * (time.perf_counter() - t0))
        t0 = time.perf_counter()
        at.run()
        cached.append(1e3 * (time.perf_counter() - t0))
        assert not at.exception and not at.error
    return {"custom_typed_ms": statistics.median(typed), "custom_cached_ms": statistics.median(cached)}


FLOOR_APP = """import streamlit as st
v = st.slider("steps", 1, 500, 60, key="steps")
st.markdown(f"<div class='probe'>{v}</div>", unsafe_allow_html=True)
"""

# Settled: the map has drawn the new run's last step AND the loss chart shows the new run (one
# point per step, every curve). Works for the in-place charts and for a remounted st.plotly_chart.
EXPLORER_SETTLED = """(n) => {
  const m = document.querySelector('.st-key-landscape .pg-map-plot');
  const l = document.querySelector('.st-key-loss_chart .js-plotly-plot');
  return !!m && m.dataset.step === String(n) && !!l && !!l._fullData && l._fullData.length > 0
    && l._fullData.every((t) => t._length === n + 1);
}"""
# The floor app: its probe shows the new value.
FLOOR_SETTLED = "(n) => { const e = document.querySelector('.probe'); return !!e && e.textContent == n; }"
# First chart drawn on a fresh page: the map's paths and the loss curves.
FIRST_CHART = ".st-key-landscape .pg-map-plot .scatterlayer .trace"
FIRST_LOSS = ".st-key-loss_chart .scatterlayer .trace"


def browser_figures(presses: int = 9, app: Path | None = None) -> dict[str, float] | None:
    """Browser update time (ms, median and best) and websocket KB per rerun of the explorer
    (`app`, this checkout's by default), the same update time for a one-slider app (the machine's
    floor), cold start and warm page loads; None without a browser."""
    out = _browser_run(app or ROOT / "app.py", EXPLORER_SETTLED, presses, _wait_first_chart)
    if out is None:
        return None
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        floor_app = Path(tmp) / "floor_app.py"
        floor_app.write_text(FLOOR_APP)
        floor = _browser_run(floor_app, FLOOR_SETTLED, presses, _wait_floor_probe)
    for key, value in (floor or {}).items():
        if key in ("browser_ms", "cold_start_ms", "warm_reload_ms", "warm_new_context_ms"):
            out["floor_" + key] = value
    return out


def _wait_first_chart(page) -> None:
    page.wait_for_selector(FIRST_CHART, timeout=60_000)
    page.wait_for_selector(FIRST_LOSS, timeout=60_000)


def _wait_floor_probe(page) -> None:
    page.wait_for_selector(".probe", timeout=60_000)


def _browser_run(app: Path, settled_js: str, presses: int, first_drawn) -> dict[str, float] | None:
    """Serve `app`, press ArrowRight on the `steps` slider `presses` times, and time each press
    until `settled_js(new steps)` holds. Also the cold start (server process started -> the page
    drawn, `first_drawn(page)`, in a fresh browser context) and warm page loads."""
    if chromium_path() is None:
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    import os
    import re
    import tempfile

    log = Path(tempfile.mkstemp(suffix=".log")[1])
    os.environ["PLAYGROUND_TIMING"] = "1"  # the server logs each script run's time
    out: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)  # launched first: its own start is not the app's cold start
        t_start = time.perf_counter()
        with streamlit_server(app, log) as base:
            t_healthy = time.perf_counter()
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            received: list[int] = []

            def on_ws(ws) -> None:
                ws.on(
                    "framereceived",
                    lambda payload: received.append(len(payload) if isinstance(payload, bytes | str) else 0),
                )

            page.on("websocket", on_ws)
            page.goto(base + "/")
            first_drawn(page)
            out["cold_start_ms"] = 1e3 * (time.perf_counter() - t_start)
            out["server_ready_ms"] = 1e3 * (t_healthy - t_start)
            page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=60_000)
            page.wait_for_timeout(1000)
            server = _server_process(base)
            thumb = page.locator(".st-key-steps input[type='range']")
            times, sizes = [], []
            runs_before = len(re.findall(r"explorer render ([0-9.]+) ms", log.read_text()))
            # The server's CPU while nothing happens (its config-file pollers, the event loop): it
            # runs during the presses too, and is shown apart from the reruns' own.
            idle0, t_idle = _cpu_seconds(server), time.perf_counter()
            page.wait_for_timeout(3000)
            idle_rate = (_cpu_seconds(server) - idle0) / (time.perf_counter() - t_idle)
            cpu0, t_cpu = _cpu_seconds(server), time.perf_counter()
            for _ in range(presses):
                n = int(thumb.input_value()) + 1
                received.clear()
                thumb.focus()
                t0 = time.perf_counter()
                thumb.press("ArrowRight")
                page.wait_for_function(settled_js, arg=n, polling="raf", timeout=20_000)
                times.append(1e3 * (time.perf_counter() - t0))
                page.wait_for_selector(SCRIPT_DONE, state="attached")
                page.wait_for_timeout(500)
                sizes.append(sum(received) / 1024)
            cpu = _cpu_seconds(server) - cpu0
            idle_cpu = idle_rate * (time.perf_counter() - t_cpu)
            out.update(_page_loads(browser, page, base, first_drawn))
            context.close()
        browser.close()
    script_ms = [float(v) for v in re.findall(r"explorer render ([0-9.]+) ms", log.read_text())]
    log.unlink()
    out.update(
        {
            "browser_ms": statistics.median(times),
            "browser_best_ms": min(times),
            "ws_kb_per_rerun": statistics.median(sizes),
        }
    )
    script_ms = script_ms[runs_before:]
    if script_ms:
        out["script_ms"] = statistics.median(script_ms)
        out["server_cpu_ms_per_rerun"] = 1e3 * cpu / len(script_ms)
        out["server_idle_cpu_ms_per_rerun"] = 1e3 * idle_cpu / len(script_ms)
        out["server_idle_cpu_ms_per_s"] = 1e3 * idle_rate
    return out


def _page_loads(browser, page, base: str, first_drawn, repeats: int = 3) -> dict[str, float]:
    """Warm page loads against a running server, median ms until `first_drawn(page)` returns: a
    reload of the open page (browser cache warm) and a new browser context (cache empty)."""
    reloads, fresh = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        page.reload()
        first_drawn(page)
        reloads.append(1e3 * (time.perf_counter() - t0))
        page.wait_for_selector(SCRIPT_DONE, state="attached")
    for _ in range(repeats):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        other = context.new_page()
        t0 = time.perf_counter()
        other.goto(base + "/")
        first_drawn(other)
        fresh.append(1e3 * (time.perf_counter() - t0))
        context.close()
    return {"warm_reload_ms": statistics.median(reloads), "warm_new_context_ms": statistics.median(fresh)}


def _server_process(base_url: str) -> int | None:
    """The pid of the `streamlit run` serving `base_url` (found by its --server.port argument)."""
    port = base_url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if b"streamlit" in b" ".join(args) and port.encode() in args:
            return int(proc.name)
    return None


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds used so far by process `pid` (all its threads); 0 if unknown."""
    if pid is None:
        return 0.0
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(browser_only: bool = False, app: Path | None = None) -> dict[str, float]:
    """Measure and print the explorer's speed figures; returns them. `app`: another checkout's
    app.py for the browser figures (an A/B in the same run); `browser_only`: skip AppTest."""
    figures = {} if browser_only else script_figures()
    if not browser_only:
        figures.update(custom_figures())
    browser = browser_figures(app=app)
    if browser:
        figures.update(browser)
    rows = [
        ("script rerun after a slider change (AppTest, ms)", "rerun_ms", TARGETS["rerun_ms"]),
        ("  same, all runs cached (ms)", "rerun_cached_ms", None),
        ("custom surface: a new formula typed (AppTest, ms)", "custom_typed_ms", None),
        ("  same formula again, all cached (ms)", "custom_cached_ms", None),
        ("chart JSON per rerun (KB)", "chart_json_kb", TARGETS["kb_per_rerun"]),
        ("  map base (contour), sent once per surface (KB)", "map_base_kb", None),
        ("websocket data per rerun, browser (KB)", "ws_kb_per_rerun", TARGETS["kb_per_rerun"]),
        ("slider -> map and loss chart settled, median (ms)", "browser_ms", TARGETS["browser_ms"]),
        ("  same, best press (ms)", "browser_best_ms", None),
        ("  floor: a one-slider app on this machine (ms)", "floor_browser_ms", None),
        ("script run in the server, median (ms)", "script_ms", TARGETS["script_ms"]),
        ("server CPU per rerun, browser session (ms)", "server_cpu_ms_per_rerun", TARGETS["cpu_ms"]),
        ("  of which the idle server's, same time (ms)", "server_idle_cpu_ms_per_rerun", None),
        ("  idle server CPU (ms per s)", "server_idle_cpu_ms_per_s", None),
        ("cold start: server started -> first chart (ms)", "cold_start_ms", TARGETS["cold_ms"]),
        ("  of which: server started -> healthy (ms)", "server_ready_ms", None),
        ("  floor: the one-slider app, drawn (ms)", "floor_cold_start_ms", None),
        ("warm page load (reload) -> first chart (ms)", "warm_reload_ms", TARGETS["warm_ms"]),
        ("  floor: the one-slider app (ms)", "floor_warm_reload_ms", None),
        ("warm page load (new browser context) (ms)", "warm_new_context_ms", TARGETS["warm_ms"]),
        ("  floor: the one-slider app (ms)", "floor_warm_new_context_ms", None),
    ]
    print("Explorer page (default view)")
    print(f"{'measure':52s} {'value':>9s} {'target':>8s}")
    for label, key, target in rows:
        if key not in figures:
            print(f"{label:52s} {'skipped':>9s}")
            continue
        t = f"{target:8.0f}" if target else f"{'':8s}"
        ok = "" if target is None else ("  ok" if figures[key] <= target else "  OVER")
        print(f"{label:52s} {figures[key]:9.1f} {t}{ok}")
    return figures


if __name__ == "__main__":
    import sys

    args = sys.argv[1:]
    main(
        browser_only="--browser-only" in args,
        app=Path(args[args.index("--app") + 1]) if "--app" in args else None,
    )
