"""Classroom figures (issue 9), for `benchmarks/bench.py class` (calls `main()`).

Students are played by the shared load tool (`../shared/tools/load.py`, or `$LOAD_PY`): each
session speaks Streamlit's websocket protocol without a browser, moves the explorer's "Steps"
slider every 2 s (+-50 %) and waits for the result. Measured in one run, one after another:

- 1, 10 and 30 students on one `streamlit run app.py` process (a ramp: a class arriving);
- 60 students on 2 processes behind nginx (`scripts/serve.sh --processes 2`; the server figures sum
  both processes and nginx), then 60 students on one process;
- churn: rounds of two students, each doing about 100 reruns as fast as the server answers, then
  disconnecting; the process's RSS after each round should stay flat, and once Streamlit has
  dropped the closed sessions (`server.disconnectedSessionTTL`, 120 s) it is measured again.

load.py runs on the same 2 cores as the servers, so its own CPU is reported too. Server CPU per
rerun = server CPU time / reruns: the cost that sets how many students one process can serve.

Run: `python benchmarks/bench.py class` or `python -m benchmarks.bench_class [--quick] [--out DIR]`
(DIR keeps load.py's result.json, reruns.csv and logs of each measurement).
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
DISCONNECTED_SESSION_TTL_S = 120  # Streamlit's server.disconnectedSessionTTL default
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


def error_kinds(level: dict) -> str:
    """The kinds of error load.py counted in a level, e.g. "timeouts 3, disconnects 1"."""
    return ", ".join(f"{k} {v}" for k, v in level["errors"].items() if v and k != "total")


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
    """The process's resident memory (MB), from /proc (psutil is not among the requirements)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)  # kB
    raise ValueError(f"no VmRSS for process {pid}")


def churn(tmp: Path, rounds: int, sessions: int, duration: float) -> list[dict]:
    """Rounds of `sessions` students against one process behind nginx, each rerunning with no think
    time for `duration` s, then closing; the process's RSS before the first and after each round,
    and once more when Streamlit has dropped the closed sessions (after its 120 s TTL)."""
    out = []
    with lecture_hall(tmp / "churn", processes=1) as hall:
        pid = hall.backend_pid(0)
        out.append({"after": "start", "reruns/session": 0, "errors": 0, "RSS MB": rss_mb(pid)})
        for i in range(1, rounds + 1):
            args = ["--url", hall.base_url + "/", "--server-pids", str(pid), "--sessions", str(sessions)]
            args += ["--duration", str(duration), "--think-s", "0.05", "--stagger-s", "1"]
            level = run_load(args, tmp / f"churn-{i}")["levels"][0]
            time.sleep(3)  # let the closed sessions' last messages go
            per_session = round(level["reruns_completed"] / sessions)
            errors = level["errors"]["total"]
            out.append({"after": f"round {i}", "reruns/session": per_session, "errors": errors})
            out[-1]["RSS MB"] = rss_mb(pid)
        time.sleep(DISCONNECTED_SESSION_TTL_S + 10)
        out.append({"after": "TTL idle", "reruns/session": 0, "errors": 0, "RSS MB": rss_mb(pid)})
    return out


def main(quick: bool = False, out: Path | None = None) -> None:
    """Print the classroom table and the churn table; load.py's outputs go to `out` (kept) or to
    a temp dir."""
    duration = 15 if quick else 30
    with tempfile.TemporaryDirectory(prefix="bench-class-") as td:
        tmp = out or Path(td)
        tmp.mkdir(parents=True, exist_ok=True)
        rows, notes = [], []

        def add(setup: str, result: dict) -> None:
            for level in result["levels"]:
                rows.append(row(setup, level))
                if error_kinds(level):
                    notes.append(f"{setup}, {level['sessions']} students: {error_kinds(level)}")

        app, seconds = str(ROOT / "app.py"), str(duration)
        add("1 process", run_load(["--app", app, "--ramp", "1,10,30", "--duration", seconds], tmp / "ramp"))
        if NGINX is None:
            print("nginx not found: the 2-process and churn figures are skipped (apt-get install nginx)")
        else:
            with lecture_hall(tmp / "two", processes=2) as hall:
                pids = [*hall.backend_pids(), hall.nginx_pid()]
                args = ["--url", hall.base_url + "/", "--server-pids", ",".join(map(str, pids))]
                two = run_load([*args, "--sessions", "60", "--duration", seconds], tmp / "two-60")
            add("2 processes + nginx", two)
        add("1 process", run_load(["--app", app, "--sessions", "60", "--duration", seconds], tmp / "one-60"))
        print(f"students move the {WIDGET!r} slider every 2 s +-50 %; figures from load.py's steady window;")
        print("srv = the streamlit process(es) and nginx; other = the rest of the machine (2 cores = 200 %)")
        print_table(rows)
        for note in notes:
            print("errors:", note)

        if NGINX is not None:
            print("\nchurn: students connect, rerun without pause, disconnect; RSS of the one process")
            rounds, sessions, seconds = (2, 2, 20) if quick else (4, 2, 60)
            print_table(churn(tmp, rounds, sessions, seconds))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(quick="--quick" in args, out=Path(args[args.index("--out") + 1]) if "--out" in args else None)
