"""The server and browser setup in tests/e2e/browser.py, which the e2e fixtures and
benchmarks/bench_app.py share (no browser needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks import bench_app
from tests.e2e import browser


def test_the_benchmark_launches_the_same_chromium_as_the_e2e_tests():
    assert bench_app.launch_chromium is browser.launch_chromium
    assert bench_app.streamlit_server is browser.streamlit_server
    assert not hasattr(bench_app, "CHROMIUM_ARGS")  # one copy of the launch flags


def test_streamlit_server_is_healthy_while_open_and_stopped_after(tmp_path):
    app = tmp_path / "tiny_app.py"
    app.write_text("import streamlit as st\nst.write('hi')\n")
    with browser.streamlit_server(app) as base_url:
        assert browser.healthy(base_url)
    assert not browser.healthy(base_url)


def test_streamlit_server_that_exits_raises_and_names_the_log(tmp_path):
    log = tmp_path / "server.log"
    with (
        pytest.raises(RuntimeError, match="exited early") as info,
        browser.streamlit_server(tmp_path / "missing_app.py", log),
    ):
        pass
    assert str(log) in str(info.value) and log.read_text()


def test_bench_runs_from_the_repository_root_as_a_script():
    # bench.py puts the root on sys.path itself; bench_app's import of tests.e2e.browser relies on it.
    done = subprocess.run(
        [sys.executable, "benchmarks/bench.py", "no_such_table"],
        cwd=browser.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "unknown table(s) ['no_such_table']" in done.stderr, done.stderr
