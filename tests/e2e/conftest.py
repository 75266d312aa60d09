"""Fixtures for the end-to-end tests: a real Streamlit server and Debian's headless Chromium.

`streamlit_server` (session-scoped) starts `streamlit run app.py` on a free loopback port, waits for
`/_stcore/health` to answer "ok", yields the base URL and stops the server afterwards.
`browser_page` launches Debian's `/usr/bin/chromium` through Playwright's `executable_path`
(Playwright never downloads a browser here) and yields a fresh page.

Both skip cleanly when chromium or the playwright package is missing. Helpers for waiting on
Streamlit's script state live here too, so every e2e test waits the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as `e2e` so `-m "not e2e"` deselects them."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _require_browser() -> None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Start `streamlit run app.py` on a free loopback port; yield its base URL."""
    _require_browser()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log_path = Path(os.environ.get("STREAMLIT_E2E_LOG", f"/tmp/streamlit_e2e_{port}.log"))
    log = open(log_path, "wb")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(base_url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited early ({proc.returncode}); see {log_path}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy in time; see {log_path}")
            time.sleep(0.25)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        try:
            yield browser
        finally:
            with contextlib.suppress(Exception):
                browser.close()


@pytest.fixture
def browser_page(_browser) -> Iterator[object]:
    """A fresh Playwright page (1280x800) in Debian's headless Chromium."""
    context = _browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def wait_for_app(page, timeout_ms: int = 30_000) -> None:
    """Wait until the Streamlit script has finished running and the app is connected."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']",
        state="attached",
        timeout=timeout_ms,
    )
    # A rerun may start right after the first render (e.g. a query-param sync); let it settle.
    page.wait_for_timeout(200)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']",
        state="attached",
        timeout=timeout_ms,
    )


def wait_for_rerun(page, timeout_ms: int = 30_000) -> None:
    """After an interaction: wait for the rerun to start (if it does) and to finish."""
    with contextlib.suppress(Exception):
        page.wait_for_selector(
            "[data-testid='stApp'][data-test-script-state='running']",
            state="attached",
            timeout=2_000,
        )
    wait_for_app(page, timeout_ms)


@pytest.fixture
def app_wait():
    """The waiting helpers as a fixture, so e2e tests need not import conftest:
    `app_wait.ready(page)` after `page.goto(...)`, `app_wait.rerun(page)` after an interaction."""

    class _Wait:
        ready = staticmethod(wait_for_app)
        rerun = staticmethod(wait_for_rerun)

    return _Wait
