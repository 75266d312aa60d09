"""A local Streamlit server and Debian's headless Chromium: the one setup shared by the e2e tests
(tests/e2e/conftest.py) and the browser figures of benchmarks/bench_app.py.

Chromium is Debian's `/usr/bin/chromium` (or `$CHROMIUM_PATH`, or `chromium` on PATH), driven
through Playwright's `executable_path`: `playwright install` cannot download browsers here. Only
the standard library is imported at module level, so importing this never needs Playwright.
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
# Streamlit's root element once a script run has finished.
SCRIPT_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SERVER_START_TIMEOUT_S = 60.0


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None when there is none."""
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def launch_chromium(playwright):
    """Launch headless Chromium through a started `sync_playwright()`; returns the Browser."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(base_url: str) -> bool:
    """True when the Streamlit server at `base_url` answers its health check with "ok"."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(app: Path, log_path: Path | None = None) -> Iterator[str]:
    """Run `streamlit run app` headless on a free loopback port and yield its base URL once it is
    healthy; stop it afterwards. It runs in the repository root, so the project's .streamlit
    config applies to any app. Its output goes to `log_path` (discarded when None). Raises
    RuntimeError when the server exits early or is not healthy within SERVER_START_TIMEOUT_S."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    see = f"; see {log_path}" if log_path else ""
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(log_path, "wb")) if log_path else subprocess.DEVNULL
        # Its own session, so stopping it never signals the test runner's process group.
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not healthy(base_url):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited early ({proc.returncode}){see}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not become healthy in time{see}")
                time.sleep(0.25)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
