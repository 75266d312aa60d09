"""Classroom figures (issue 9), for `benchmarks/bench.py class` (calls `main()`).

Students are played by the shared load tool (`../shared/tools/load.py`, or `$LOAD_PY`): each
session speaks Streamlit's websocket protocol without a browser, moves the explorer's "Steps"
slider every 2 s (+-50 %) and waits for the result. Measured in one run, one after another:

- 1, 10 and 30 students on one `streamlit run app.py` process (a ramp: a class arriving);
- 60 students on 2 processes behind nginx (`scripts/serve.sh --processes 2`; the server figures sum
  both processes and nginx), then 60 students on one process;
- churn: rounds of a few students, each doing about 100 reruns as fast as the server answers, then
  disconnecting; the process's RSS after each round should stay flat (Streamlit keeps a closed
  session for `server.disconnectedSessionTTL`, 120 s, so the plateau comes after a few rounds).

load.py runs on the same 2 cores as the servers, so its own CPU is reported too. Server CPU per
rerun = server CPU time / reruns: the cost that sets how many students one process can serve.

Run: `python benchmarks/bench.py class` or `python -m benchmarks.bench_class [--quick]`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.hall import NGINX, lecture_hall

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "Steps"
LOAD_CANDIDATES = [ROOT.parent / "shared/tools/load.py", ROOT.parents[1] / "shared/tools/load.py"]


def load_tool() -> Path:
    """The load tool: $LOAD_PY, or ../shared/tools/load.py next to the repository."""
    if os.environ.get("LOAD_PY"):
        return Path(os.environ["LOAD_PY"])
    for path in LOAD_CANDIDATES:
        if path.exists():
            return path
    raise SystemExit("load.py not found: set LOAD_PY=/path/to/shared/tools/load.py")


def run_load(args: list[str], out: Path) -> dict:
    """Run load.py with `args` (its output under `out`); return its result.json."""
    cmd = [sys.executable, str(load_tool()), "--widget-label", WIDGET, "--out", str(out), "--quiet", *args]
    with open(out.with_suffix(".log"), "w") as log:
        subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False, timeout=1800)
    result = out / "result.json"
    if not result.exists():
        raise RuntimeError(f"load.py wrote no result; see {out.with_suffix('.log')}")
    return json.loads(result.read_text())


def row(setup: str, level: dict) -> dict:
    """One table row from a load.py level."""
    rate = level["reruns_per_s"] or 0.0
    cpu = level["server_cpu_pct"]
    return {
        "setup": setup,
        "students": level["sessions"],
        "reruns/s": rate,
        "p50 ms": level["rerun_ms"]["p50"],
        "p95 ms": level["rerun_ms"]["p95"],
        "max ms": level["rerun_ms"]["max"],
        "errors": level["errors"]["total"],
        "srv CPU %": cpu,
        "CPU ms/rerun": round(cpu * 10 / rate) if cpu is not None and rate > 0 else None,
        "load.py CPU %": level["client_cpu_pct"],
        "other CPU %": level.get("other_cpu_pct"),
        "RSS peak MB": level["server_rss_mb"]["peak"],
    }


def print_table(rows: list[dict]) -> None:
    """Rows of dicts with the same keys, as aligned text: the first column left, numbers right."""
    if not rows:
        return
    cols = list(rows[0])
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}

    def line(cells: list[str]) -> str:
        pairs = zip(cols, cells, strict=True)
        return "  ".join(v.ljust(width[c]) if c == cols[0] else v.rjust(width[c]) for c, v in pairs)

    print(line(cols))
    for r in rows:
        print(line(["-" if r[c] is None else str(r[c]) for c in cols]))


def rss_mb(pid: int) -> float:
    import psutil

    return round(psutil.Process(pid).memory_info().rss / 2**20, 1)


def churn(tmp: Path, rounds: int, sessions: int, duration: float) -> list[dict]:
    """Rounds of `sessions` students against one process behind nginx, each rerunning with no think
    time for `duration` s, then closing; the process's RSS before the first and after each round."""
    out = []
    with lecture_hall(tmp / "churn", processes=1) as hall:
        pid = hall.backend_pid(0)
        out.append({"round": 0, "reruns/session": 0, "errors": 0, "RSS MB": rss_mb(pid)})
        for i in range(1, rounds + 1):
            args = ["--url", hall.base_url + "/", "--server-pids", str(pid), "--sessions", str(sessions)]
            args += ["--duration", str(duration), "--think-s", "0.05", "--stagger-s", "1"]
            level = run_load(args, tmp / f"churn-{i}")["levels"][0]
            time.sleep(3)  # let the closed sessions' last messages go
            per_session = round(level["reruns_completed"] / sessions)
            out.append({"round": i, "reruns/session": per_session, "errors": level["errors"]["total"],
                        "RSS MB": rss_mb(pid)})  # fmt: skip
    return out


def main(quick: bool = False) -> None:
    duration = 15 if quick else 30
    with tempfile.TemporaryDirectory(prefix="bench-class-") as td:
        tmp = Path(td)
        rows = []
        ramp = run_load(["--app", str(ROOT / "app.py"), "--ramp", "1,10,30", "--duration", str(duration)],
                        tmp / "ramp")  # fmt: skip
        rows += [row("1 process", lv) for lv in ramp["levels"]]

        if NGINX is None:
            print("nginx not found: the 2-process and churn figures are skipped (apt-get install nginx)")
        else:
            with lecture_hall(tmp / "two", processes=2) as hall:
                pids = [*hall.backend_pids(), hall.nginx_pid()]
                args = ["--url", hall.base_url + "/", "--server-pids", ",".join(map(str, pids))]
                two = run_load([*args, "--sessions", "60", "--duration", str(duration)], tmp / "two-60")
            rows += [row("2 processes + nginx", lv) for lv in two["levels"]]
        one = run_load(["--app", str(ROOT / "app.py"), "--sessions", "60", "--duration", str(duration)],
                       tmp / "one-60")  # fmt: skip
        rows += [row("1 process", lv) for lv in one["levels"]]
        print(f"students move the {WIDGET!r} slider every 2 s +-50 %; figures from load.py's steady window")
        print_table(rows)

        if NGINX is not None:
            print("\nchurn: students connect, rerun without pause, disconnect; RSS of the one process")
            rounds, sessions, seconds = (2, 2, 20) if quick else (4, 2, 40)
            print_table(churn(tmp, rounds, sessions, seconds))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
