"""Speed figures of the explorer page (issues 3 and 9), for `benchmarks/bench.py` (calls `main()`).

Targets, with the default view after a slider change (issue 9): data sent per rerun <= 40 KB when
only the paths change, slider released -> map redrawn <= 250 ms, server CPU <= 25 ms per rerun.

- script rerun: AppTest, the default page, then the Adam learning-rate slider moved to values not
  seen before (so Adam's run is recomputed; the other runs and the contour grid come from the
  cache). AppTest adds its own overhead, so this is an upper bound of the script time.
- bytes per rerun: (a) the JSON of every chart the rerun sends, from AppTest; (b) the websocket
  bytes the browser actually receives for a rerun, in headless Chromium.
- browser update: a key press on the steps slider until the map's paths have been redrawn, in
  headless Chromium (Debian's /usr/bin/chromium through Playwright, software rendering: no GPU),
  median and best of several presses. The same is measured for a one-slider app, the floor that
  Streamlit, the websocket and the browser cost on this machine before any chart is drawn.
- server: during those presses, the server's script time (logged with PLAYGROUND_TIMING=1) and
  its CPU time (/proc) divided by the reruns.
- map component: the paths element's JSON counts per rerun; the base element (contour) is the
  same on every rerun of a surface, so Streamlit's message cache sends it as a reference.

Run: `python -m benchmarks.bench_app` (the browser part is skipped without chromium/playwright).
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
TARGETS = {"rerun_ms": 150.0, "kb_per_rerun": 40.0, "browser_ms": 250.0, "script_ms": 150.0, "cpu_ms": 25.0}


def script_figures(repeats: int = 7) -> dict[str, float]:
    """Rerun time (ms, median) and chart JSON bytes per rerun, measured with AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
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
    paths_bytes = sum(v for k, v in maps.items() if not k.endswith("_base"))
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


def browser_figures(presses: int = 9) -> dict[str, float] | None:
    """Browser update time (ms, median and best) and websocket KB per rerun of the explorer, and
    the same update time for a one-slider app (the machine's floor); None without a browser."""
    out = _browser_run(ROOT / "app.py", ".st-key-landscape .scatterlayer", presses)
    if out is None:
        return None
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        floor_app = Path(tmp) / "floor_app.py"
        floor_app.write_text(FLOOR_APP)
        floor = _browser_run(floor_app, ".probe", presses)
    if floor:
        out["floor_browser_ms"] = floor["browser_ms"]
    return out


def _browser_run(app: Path, changed: str, presses: int) -> dict[str, float] | None:
    """Serve `app`, press ArrowRight on the `steps` slider `presses` times, and time each press
    until the element `changed` has been redrawn."""
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
    with streamlit_server(app, log) as base, sync_playwright() as pw:
        server = _server_process(base)
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        received: list[int] = []

        def on_ws(ws) -> None:
            ws.on(
                "framereceived",
                lambda payload: received.append(len(payload) if isinstance(payload, bytes | str) else 0),
            )

        page.on("websocket", on_ws)
        page.goto(base + "/")
        page.wait_for_selector(changed, timeout=60_000)
        page.wait_for_selector(SCRIPT_DONE, state="attached")
        page.wait_for_timeout(1000)
        thumb = page.locator(".st-key-steps input[type='range']")
        times, sizes = [], []
        runs_before = len(re.findall(r"explorer render ([0-9.]+) ms", log.read_text()))
        cpu0 = _cpu_seconds(server)
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
        cpu = _cpu_seconds(server) - cpu0
        browser.close()
    script_ms = [float(v) for v in re.findall(r"explorer render ([0-9.]+) ms", log.read_text())][runs_before:]
    log.unlink()
    out = {
        "browser_ms": statistics.median(times),
        "browser_best_ms": min(times),
        "ws_kb_per_rerun": statistics.median(sizes),
    }
    if script_ms:
        out["script_ms"] = statistics.median(script_ms)
        out["server_cpu_ms_per_rerun"] = 1e3 * cpu / len(script_ms)
    return out


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


def main() -> dict[str, float]:
    """Measure and print the explorer's speed figures; returns them."""
    figures = script_figures()
    figures.update(custom_figures())
    browser = browser_figures()
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
        ("chart update in the browser, median (ms)", "browser_ms", TARGETS["browser_ms"]),
        ("  same, best press (ms)", "browser_best_ms", None),
        ("  floor: a one-slider app on this machine (ms)", "floor_browser_ms", None),
        ("script run in the server, median (ms)", "script_ms", TARGETS["script_ms"]),
        ("server CPU per rerun, browser session (ms)", "server_cpu_ms_per_rerun", TARGETS["cpu_ms"]),
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
    main()
