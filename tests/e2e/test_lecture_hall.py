"""The lecture-hall setup (scripts/serve.sh) in a real headless Chromium: two Streamlit processes
behind nginx on loopback, cookie-sticky sessions, and the watchdog that restarts a dead process.

Skipped with a reason when chromium, playwright or nginx is missing. Every process is started by
serve.sh in its own session, and stopped at the end (SIGTERM to serve.sh, whose trap stops its
children; should that fail, the session's process group is killed).
"""

from __future__ import annotations

import os
import signal
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.e2e.browser import healthy
from tests.e2e.conftest import wait_for_app
from tests.e2e.hall import NGINX, Hall, lecture_hall

pytestmark = pytest.mark.e2e

# The map: a Plotly chart today; it may become a custom component drawing with plotly.js.
CHART = "[data-testid='stPlotlyChart'], .js-plotly-plot"
STEPS = ".st-key-steps input[type='range'], .st-key-steps [role='slider']"
RESTART_TIMEOUT_S = 90.0
# Fresh browsers get a random route each: the chance that this many all land on one of two
# processes is 2**-15.
MAX_FRESH_CONTEXTS = 16


def _require_nginx() -> None:
    if NGINX is None:
        pytest.skip("nginx not found (apt-get install nginx)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    """Two Streamlit processes behind nginx, shared by the browser tests of this module."""
    _require_nginx()
    with lecture_hall(tmp_path_factory.mktemp("hall"), processes=2) as running:
        yield running


def _upstream(response) -> str:
    upstream = response.headers.get("x-upstream")
    assert upstream, f"no X-Upstream header on {response.url}"
    return upstream.split(",")[-1].strip()  # after a retry: the process that finally answered


def _load(page, url: str) -> str:
    """Open the page, wait for the script and a visible chart; return the process that served it."""
    response = page.goto(url)
    assert response is not None and response.ok
    wait_for_app(page, 60_000)
    page.locator(CHART).first.wait_for(state="visible", timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0
    return _upstream(response)


def _steps(page) -> int:
    return int(page.locator(STEPS).first.evaluate("e => e.value ?? e.getAttribute('aria-valuenow')"))


def _press_steps(page) -> None:
    """Press ArrowRight on the steps slider; wait until the rerun it asks for has run and finished
    (watched with a MutationObserver: a slow server may take longer than a fixed window)."""
    page.evaluate(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            window.hallScriptStates = [];
            window.hallScriptObserver?.disconnect();
            window.hallScriptObserver = new MutationObserver(
                () => window.hallScriptStates.push(app.dataset.testScriptState));
            window.hallScriptObserver.observe(
                app, {attributes: true, attributeFilter: ["data-test-script-state"]});
        }"""
    )
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    # A rerun that lands between focus and key press (a component reporting its state, say) can
    # take the focus away, and the key then goes to the page: press again, up to three times.
    for attempt in range(3):
        thumb = page.locator(STEPS).first
        thumb.focus()
        thumb.press("ArrowRight")
        try:
            page.wait_for_function("() => window.hallScriptStates.includes('running')", timeout=30_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    wait_for_app(page, 60_000)
    assert page.get_by_test_id("stException").count() == 0


def _move_steps(page) -> int:
    """Move the steps slider right (one notch, or more if a key press had to be repeated); wait
    until the rerun shows the new value in the URL, and return it."""
    before = _steps(page)
    _press_steps(page)
    page.wait_for_function(
        f"() => Number(new URLSearchParams(window.location.search).get('steps')) > {before}", timeout=60_000
    )
    return int(page.evaluate("() => new URLSearchParams(window.location.search).get('steps')"))


APP_CONNECTION = "document.querySelector(\"[data-testid='stApp']\").dataset.testConnectionState"


def _record_connection_states(page) -> None:
    """From now on, collect every connection state the page goes through in window.hallStates."""
    assert page.evaluate(f"() => {APP_CONNECTION}") == "CONNECTED"
    page.evaluate(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            window.hallStates = [];
            new MutationObserver(() => window.hallStates.push(app.dataset.testConnectionState))
                .observe(app, {attributes: true, attributeFilter: ["data-test-connection-state"]});
        }"""
    )


def _wait_reconnected(page) -> None:
    """After the page's process died: wait until the page lost its connection and got it back
    (Streamlit disables the widgets while it is not connected) and its rerun has finished."""
    page.wait_for_function("() => window.hallStates.some(s => s !== 'CONNECTED')", timeout=30_000)
    page.wait_for_function(f"() => {APP_CONNECTION} === 'CONNECTED'", timeout=90_000)
    wait_for_app(page, 60_000)


def _closed_websocket_upstreams(hall: Hall, route: str) -> set[str]:
    """The processes nginx sent this route's closed websockets to, from its access log (a request
    is logged when it ends); waits up to 10 s for at least one."""
    deadline = time.monotonic() + 10
    while True:
        lines = (hall.run_dir / "nginx-access.log").read_text().splitlines()
        found = {
            line.split("upstream=", 1)[1].split(" rt=")[0].split(",")[-1].strip()
            for line in lines
            if "/_stcore/stream" in line and f"route={route}" in line
        }
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_student_is_served_through_nginx_and_stays_on_one_process(hall, _browser):
    context = _browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        first = _load(page, hall.base_url + "/")
        routes = [c["value"] for c in context.cookies() if c["name"] == "op_route"]
        assert len(routes) == 1, "nginx set no route cookie"

        steps = _move_steps(page)

        # A reload keeps the cookie, so it lands on the same process, websocket included.
        response = page.reload()
        assert response is not None and response.ok
        wait_for_app(page, 60_000)
        page.locator(CHART).first.wait_for(state="visible", timeout=60_000)
        assert _upstream(response) == first
        assert _steps(page) == steps  # the URL brought the view back
        assert _closed_websocket_upstreams(hall, routes[0]) == {first}  # the one before the reload
    finally:
        context.close()


def test_fresh_browsers_spread_over_the_processes(hall, _browser):
    seen: dict[str, object] = {}
    contexts = []
    try:
        for _ in range(MAX_FRESH_CONTEXTS):
            context = _browser.new_context()
            contexts.append(context)
            response = context.request.get(hall.base_url + "/_stcore/health")
            assert response.ok and response.text() == "ok"
            seen.setdefault(_upstream(response), context)
            if len(seen) == 2:
                break
        assert len(seen) == 2, f"{MAX_FRESH_CONTEXTS} fresh browsers all landed on {list(seen)}"
        # Both processes serve the whole page to the browser their cookie pins there.
        for upstream, context in seen.items():
            assert _load(context.new_page(), hall.base_url + "/") == upstream
    finally:
        for context in contexts:
            context.close()


def test_a_killed_process_is_restarted_and_its_student_reconnects(hall, _browser):
    context = _browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        index = hall.backend_index(_load(page, hall.base_url + "/"))
        steps = _move_steps(page)
        pid = hall.backend_pid(index)

        _record_connection_states(page)
        os.kill(pid, signal.SIGKILL)  # a process serve.sh started for this test

        # The watchdog starts a new process on the same port.
        port = hall.backend_ports()[index]
        deadline = time.monotonic() + RESTART_TIMEOUT_S
        while not (hall.backend_pid(index) != pid and healthy(f"http://127.0.0.1:{port}")):
            assert time.monotonic() < deadline, f"process {index} was not restarted:\n{hall.log()}"
            time.sleep(0.5)
        assert not _alive(pid)
        assert f"process {index} (pid {pid}) exited" in hall.log()

        # The open page reconnected to a live process and still reacts. Its first rerun there
        # starts a new session, which restores the view from the URL (the README says what a
        # student loses); the next moves work as before.
        _wait_reconnected(page)
        assert _steps(page) == steps
        _press_steps(page)
        assert "steps=" in page.url
        page.locator(CHART).first.wait_for(state="visible", timeout=60_000)
        moved = _move_steps(page)
        assert _steps(page) == moved

        # And a new student's first page load works.
        fresh = _browser.new_context()
        try:
            _load(fresh.new_page(), hall.base_url + "/")
        finally:
            fresh.close()
    finally:
        context.close()


def test_stopping_serve_stops_every_process_it_started(tmp_path):
    _require_nginx()
    with lecture_hall(tmp_path, processes=1) as one:
        pids = [one.backend_pid(0), one.nginx_pid()]
        assert all(_alive(pid) for pid in pids)
        with urllib.request.urlopen(one.base_url + "/_stcore/health", timeout=10) as resp:
            assert resp.read() == b"ok"
        one.proc.send_signal(signal.SIGTERM)
        assert one.proc.wait(timeout=30) != 0  # ended by the signal
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in pids), "serve.sh left processes running"
    assert "stopped" in one.log()
