"""The lecture-hall setup, `scripts/serve.sh`, started and stopped from Python: the one way shared
by tests/e2e/test_lecture_hall.py and benchmarks/bench_class.py. Only the standard library.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.browser import ROOT, free_port

SERVE = ROOT / "scripts" / "serve.sh"
NGINX = "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else shutil.which("nginx")
START_TIMEOUT_S = 120.0


@dataclass
class Hall:
    """A running serve.sh: its process, base URL (nginx on loopback) and run dir."""

    proc: subprocess.Popen
    base_url: str
    run_dir: Path
    log_path: Path

    def backend_ports(self) -> list[int]:
        return [int(p.read_text()) for p in sorted(self.run_dir.glob("backend-*.port"))]

    def backend_pid(self, index: int) -> int:
        return int((self.run_dir / f"backend-{index}.pid").read_text())

    def backend_pids(self) -> list[int]:
        return [self.backend_pid(i) for i in range(len(self.backend_ports()))]

    def nginx_pid(self) -> int:
        return int((self.run_dir / "nginx.pid").read_text())

    def backend_index(self, upstream: str) -> int:
        """Which process answered, from an X-Upstream value "127.0.0.1:PORT"."""
        return self.backend_ports().index(int(upstream.rsplit(":", 1)[1]))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def lecture_hall(tmp: Path, processes: int) -> Iterator[Hall]:
    """Run `scripts/serve.sh --processes N` on a free loopback port (run dir and log under `tmp`)
    until every process and nginx answer; yield the Hall; stop it afterwards: SIGTERM to serve.sh,
    whose trap stops what it started, and should that fail, SIGKILL to the session it runs in.
    Raises RuntimeError when nginx is missing or serve.sh exits or is not ready in time."""
    if NGINX is None:
        raise RuntimeError("nginx not found (apt-get install nginx)")
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    run_dir = tmp / "run"
    log_path = tmp / "serve.log"
    cmd = ["bash", str(SERVE), "--processes", str(processes), "--port", str(port)]
    cmd += ["--address", "127.0.0.1", "--run-dir", str(run_dir), "--nginx", NGINX]
    with open(log_path, "wb") as log:
        # Its own session, so stopping it never signals the caller's process group.
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    hall = Hall(proc, f"http://127.0.0.1:{port}", run_dir, log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "ready: " not in hall.log():
            if proc.poll() is not None:
                raise RuntimeError(f"serve.sh exited ({proc.returncode}):\n{hall.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve.sh not ready in time:\n{hall.log()}")
            time.sleep(0.25)
        yield hall
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
