"""Fixtures for the end-to-end tests: a real Streamlit server and Debian's headless Chromium.

`streamlit_server` (session-scoped) starts `streamlit run app.py` on a free loopback port, waits for
`/_stcore/health` to answer "ok", yields the base URL and stops the server afterwards.
`browser_page` launches Debian's Chromium through Playwright's `executable_path` (Playwright never
downloads a browser here) and yields a fresh page. How both are started lives in
tests/e2e/browser.py, which benchmarks/bench_app.py shares.

Both skip cleanly when chromium or the playwright package is missing. Helpers for waiting on
Streamlit's script state live here too, so every e2e test waits the same way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import ROOT, SCRIPT_DONE, chromium_path, launch_chromium
from tests.e2e.browser import streamlit_server as _serve


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as `e2e` so `-m "not e2e"` deselects them."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _require_browser() -> None:
    if chromium_path() is None:
        pytest.skip("chromium not found (apt-get install chromium, or set CHROMIUM_PATH)")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Start `streamlit run app.py` on a free loopback port; yield its base URL."""
    _require_browser()
    log_path = Path(os.environ.get("STREAMLIT_E2E_LOG", f"/tmp/streamlit_e2e_{os.getpid()}.log"))
    with _serve(ROOT / "app.py", log_path) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
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
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout_ms)
    # A rerun may start right after the first render (e.g. a query-param sync); let it settle.
    page.wait_for_timeout(200)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout_ms)


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
