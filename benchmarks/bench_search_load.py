"""What the largest search does to the other students: explorer rerun latency on one server while
another session runs 40,000 runs x 1,000 steps on the search page, with the search in the page's
process (PLAYGROUND_SEARCH_WORKERS=0, as before) and in a worker process (the default).

    python3 benchmarks/bench_search_load.py [--sessions 3] [--duration 30] [--repeat 1]

For each mode it starts `streamlit run app.py` (its own process group, stopped at the end), then
per scenario runs ../shared/tools/load.py --url against the explorer (N students moving the
Steps slider, think time 1 s) for --duration seconds, while a second client (Streamlit's own
websocket protocol, no browser) opens /search with a link that asks for the largest search and,
as soon as one finishes, the next one (another seed, so nothing comes from the cache):

- idle:  no search running;
- adam:  Adam on Rosenbrock, random search k = 40,000, 1,000 steps (about 3 s of work);
- lbfgs: L-BFGS on Rosenbrock, random search k = 40,000, 1,000 steps (about 30 s of work).

Prints one table: explorer p50 / p95 / max rerun latency and reruns, and how long each search
took for the searching client. Server-side figures (no browser); the machine is shared and
noisy, so repeat and read ranges.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = ROOT.parent / "shared" / "tools" / "load.py"
if not LOAD.exists():
    LOAD = Path("/work/shared/tools/load.py")
SEARCHES = {
    "adam": "tune_optimizer=adam&tune_method=random&tune_k=40000&tune_steps=1000",
    "lbfgs": "tune_optimizer=lbfgs&tune_method=random&tune_k=40000&tune_steps=1000",
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(workers: int, log_path: Path):
    port = free_port()
    env = {**os.environ, "PLAYGROUND_SEARCH_WORKERS": str(workers)}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                health = f"http://127.0.0.1:{port}/_stcore/health"
                with contextlib.suppress(Exception), urllib.request.urlopen(health, timeout=2) as r:
                    if r.status == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log_path}")
                time.sleep(0.25)
            yield port, proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its worker process, started here
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def search_client(port: int, query: str, stop: threading.Event, times: list[float]) -> None:
    """Opens /search?<query>&tune_seed=i, waits for the run to finish, then the next seed."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    seed = 0
    while not stop.is_set():
        seed += 1
        with connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            max_size=None,
            open_timeout=30,
        ) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = f"{query}&tune_seed={seed}"
            msg.rerun_script.page_name = "search"
            msg.rerun_script.widget_states.SetInParent()
            t0 = time.monotonic()
            ws.send(msg.SerializeToString())
            while True:
                raw = ws.recv(timeout=300)
                if isinstance(raw, str):
                    continue
                fwd = ForwardMsg()
                fwd.ParseFromString(raw)
                if fwd.WhichOneof("type") == "script_finished":
                    break
            if not stop.is_set():
                times.append(time.monotonic() - t0)


def explorer_load(port: int, pid: int, sessions: int, duration: float, out: Path) -> dict:
    cmd = [
        sys.executable, str(LOAD), "--url", f"http://127.0.0.1:{port}/", "--server-pids", str(pid),
        "--widget-label", "Steps", "--sessions", str(sessions), "--duration", str(duration),
        "--think-s", "1", "--stagger-s", "2", "--out", str(out), "--quiet", "--no-state-check",
    ]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads((out / "result.json").read_text())


def latency(result: dict) -> tuple[float, float, float, int, int]:
    """(p50, p95, max) ms, reruns and errors of the steady window, from load.py's result.json."""
    level = result["levels"][-1]
    lat = level["rerun_ms"]
    return lat["p50"], lat["p95"], lat["max"], level["reruns_completed"], level["errors"]["total"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=3)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--modes", default="in-process,worker")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_search_load_"))
    rows = []
    for _ in range(args.repeat):
        for mode in args.modes.split(","):
            with server(0 if mode == "in-process" else 1, tmp / f"streamlit_{mode}.log") as (port, pid):
                for scenario in ("idle", *SEARCHES):
                    stop, times = threading.Event(), []
                    searcher = None
                    if scenario != "idle":
                        searcher = threading.Thread(
                            target=search_client, args=(port, SEARCHES[scenario], stop, times), daemon=True
                        )
                        searcher.start()
                        time.sleep(1.0)  # the first search is under way
                    out = tmp / f"{mode}_{scenario}_{len(rows)}"
                    result = explorer_load(port, pid, args.sessions, args.duration, out)
                    stop.set()
                    if searcher is not None:
                        searcher.join(timeout=300)
                    rows.append((mode, scenario, *latency(result), times))
                    print(f"{mode:10} {scenario:6} {latency(result)} searches {[round(t, 1) for t in times]}",
                          file=sys.stderr, flush=True)  # fmt: skip
    print(
        f"\nExplorer rerun latency, {args.sessions} students moving Steps (think 1 s), {args.duration:g} s "
        "per row, while another session runs the largest search (random search, 40,000 runs x 1,000 steps)"
    )
    print(f"{'search runs':12} {'other session':14} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'reruns':>7} "
          f"{'errors':>6}  search took (s)")  # fmt: skip
    for mode, scenario, p50, p95, mx, n, errors, times in rows:
        took = ", ".join(f"{t:.1f}" for t in times) or "-"
        print(f"{mode:12} {scenario:14} {p50:8.0f} {p95:8.0f} {mx:8.0f} {n:7d} {errors:6d}  {took}")
    print(f"(raw results in {tmp})")


if __name__ == "__main__":
    main()
