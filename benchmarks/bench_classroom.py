"""Benchmark of the class-vote store: 300 students voting at once into the SQLite store (issue 21).

4 processes, 75 voters each, every voter votes once as soon as all processes are ready (the worst
moment of a lecture: everybody taps at once). Reported: the latency of `vote` (from the call until it
returned, i.e. committed) as median, p95 and max over the 300 votes (target p95 <= 25 ms), and the
time from the start until a lecturer polling `tally` every 10 ms sees all 300 votes.

Then the lecture hall (`measure_hall`): `scripts/serve.sh --processes 2` behind nginx, a lecturer
and 300 students on the lecture page played `load.py`-style (../shared/tools/load.py's protocol and
protobuf classes: each tab speaks Streamlit's websocket protocol, no browser), the students spread
over both processes by nginx's route cookie. Every tab does what the browser does: the lecturer's
histogram fragment reruns every second, each student's browser fetches the room's token file every
second through nginx and reruns the page once it changed (`ui/room_watch.py`), a tap is a button
click in its fragment. Round 1:
the 300 taps spread over 15 s; New round; round 2: all 300 tap at once. A vote's "tap to the
lecturer's screen" is measured from the tap's send until the end of the lecturer's first tally
run sent after the tap returned (the vote was committed by then, so that run counts it): an
upper bound of when the lecturer sees it (target: within 2 s).

Run it with ``python benchmarks/bench.py classroom`` or ``python benchmarks/bench_classroom.py``
(``--store`` or ``--hall`` for one half). The store half uses a fresh SQLite file in a temp dir;
the hall half needs nginx and load.py ($LOAD_PY or ../shared/tools/load.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import multiprocessing as mp
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_engine import print_rows
from classroom import open_store

VOTERS = 300
PROCESSES = 4
P95_TARGET_MS = 25.0
KEY = "bench-lecturer-key"
CHOICES = ["Adam", "SGD", "Momentum", "Newton"]
HEADER = ("classroom case", "measured", "target", "met")


def _voter(url: str, code: str, first: int, count: int, start, results) -> None:
    """One process: open the store, wait for the start, vote for `count` voters; send latencies."""
    store = open_store(url)
    results.put("ready")
    start.wait()
    latencies = []
    for voter in range(first, first + count):
        began = time.perf_counter()
        store.vote(code, "q1", f"student-{voter}", CHOICES[voter % len(CHOICES)])
        latencies.append(time.perf_counter() - began)
    store.close()
    results.put(latencies)


def measure(voters: int = VOTERS, processes: int = PROCESSES) -> dict[str, float]:
    """One run: vote latencies (s) and the time until every vote is visible in a tally (s)."""
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'class.db'}"
        lecturer = open_store(url)
        code = lecturer.create_room(KEY)
        lecturer.open_question(code, "q1", CHOICES, KEY)
        start, results = ctx.Event(), ctx.Queue()
        share = voters // processes
        workers = [
            ctx.Process(target=_voter, args=(url, code, p * share, share, start, results))
            for p in range(processes)
        ]
        for worker in workers:
            worker.start()
        for _ in workers:  # every process has imported and opened the store
            assert results.get(timeout=120) == "ready"
        began = time.perf_counter()
        start.set()
        while sum(lecturer.tally(code, "q1").values()) < share * processes:
            time.sleep(0.01)
        visible_s = time.perf_counter() - began
        latencies = sorted(t for _ in workers for t in results.get(timeout=120))
        for worker in workers:
            worker.join(timeout=60)
        lecturer.close()
    return {
        "median": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)],
        "max": latencies[-1],
        "visible": visible_s,
        "votes": float(len(latencies)),
    }


def store_rows() -> list[tuple[str, str, str, str]]:
    figures = measure()
    ms = {name: f"{1000 * figures[name]:.1f} ms" for name in ("median", "p95", "max", "visible")}
    label = f"{int(figures['votes'])} voters from {PROCESSES} processes, SQLite"
    return [
        (f"{label}: vote latency, median", ms["median"], "", ""),
        (
            f"{label}: vote latency, p95",
            ms["p95"],
            f"<= {P95_TARGET_MS:.0f} ms",
            "yes" if 1000 * figures["p95"] <= P95_TARGET_MS else "no",
        ),
        (f"{label}: vote latency, max", ms["max"], "", ""),
        (f"{label}: start until all visible in a tally", ms["visible"], "", ""),
    ]


# -- the lecture hall: a lecturer and 300 students on the lecture page, load.py-style -----------

STUDENTS = 300
HALL_PROCESSES = 2
VISIBLE_TARGET_S = 2.0
SPREAD_S = 15.0  # round 1: the taps spread over this long
STAGGER_S = 60.0  # the students open the join link over this long
RUN_TIMEOUT_S = 120.0
HALL_KEY = "bench-hall-lecturer-key"
TALLY_RE = re.compile(r"(\d+) votes? in round (\d+)")
CODE_RE = re.compile(r'data-testid="classroom-code"[^>]*>([A-Z0-9]{5})<')


def load_module() -> ModuleType:
    """../shared/tools/load.py (or $LOAD_PY) as a module: its protocol helpers and protobuf classes."""
    from benchmarks.bench_class import load_tool

    spec = importlib.util.spec_from_file_location("playground_load_tool", load_tool())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class RunTimes:
    sent: float
    done: float | None = None
    seen: dict[str, float] = field(default_factory=dict)  # e.g. the tally a lecturer's run showed


class Tab:
    """One browser tab on the lecture page, speaking Streamlit's websocket protocol as load.py does:
    the page's query string as the server last set it, the fragments' auto-reruns, button clicks
    as trigger values (in the button's fragment). One run at a time, as a tab waits for its run."""

    def __init__(self, load: ModuleType, protos, netloc: str, query: str) -> None:
        self.load, self.P, self.netloc, self.query = load, protos, netloc, query
        self.page_hash = ""
        self.buttons: dict[str, tuple[str, str]] = {}  # label -> (widget id, fragment id)
        self.texts: list[str] = []  # markdown of the run in progress
        self.auto: dict[str, float] = {}  # fragment id -> interval (s)
        self.exceptions = 0
        self.disconnects = 0
        self.full_runs: list[float] = []  # when each full run finished
        self.run: RunTimes | None = None
        self._done: asyncio.Future | None = None
        self._lock = asyncio.Lock()
        self._closing = False
        self.watch: tuple[str, str] | None = None  # the room-watch element's (file URL, token seen)
        self.fetches = 0  # token-file requests made

    async def connect(self) -> None:
        import websockets

        health = f"http://{self.netloc}/_stcore/health"
        cookie = await asyncio.to_thread(self.load.http_cookie, health, None)
        await asyncio.to_thread(self.load.http_cookie, f"http://{self.netloc}/_stcore/host-config", cookie)
        self.ws = await websockets.connect(
            f"ws://{self.netloc}/_stcore/stream",
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            origin=f"http://{self.netloc}",
            max_size=None,
            ping_interval=None,
            open_timeout=RUN_TIMEOUT_S,
            proxy=None,
            additional_headers={"Cookie": cookie} if cookie else None,
        )
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        self._closing = True
        await self.ws.close()

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for data in self.ws:
                if not isinstance(data, str):
                    self._on_message(data)
        except ConnectionClosed:  # counted below, not raised
            pass
        if not self._closing:
            self.disconnects += 1
        if self._done is not None and not self._done.done():
            self._done.set_result("DISCONNECTED")

    def _on_message(self, data: bytes) -> None:
        msg = self.P.ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if not self._fragment_run(msg):
                self.auto.clear()  # a full run announces its fragments' timers afresh
            self.texts = []
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.auto[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                self.auto.pop(fragment, None)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "button":
                self.buttons[element.button.label] = (element.button.id, msg.delta.fragment_id)
            elif which == "markdown":
                self.texts.append(element.markdown.body)
            elif which == "exception":
                self.exceptions += 1
            elif which == "bidi_component" and element.bidi_component.component_name.endswith("room_watch"):
                data = json.loads(element.bidi_component.json)
                self.watch = (data["url"], data["seen"])
        elif kind == "script_finished":
            status = self.P.finished_name.get(msg.script_finished, "")
            if status == "FINISHED_EARLY_FOR_RERUN":
                return  # a rerun follows (st.rerun, or a newer request): wait for its end
            if status == "FINISHED_SUCCESSFULLY":
                self.full_runs.append(time.monotonic())
            if self._done is not None and not self._done.done():
                self._done.set_result(status)

    @staticmethod
    def _fragment_run(msg) -> bool:
        """Whether the run a message belongs to reruns fragments only (Streamlit 1.67's RunIdentity)."""
        if "run" not in msg.metadata.DESCRIPTOR.fields_by_name:
            return False
        return len(msg.metadata.run.fragment_ids) > 0

    def _request(self, fragment_id: str, trigger: str | None, auto: bool) -> bytes:
        back = self.P.BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        # the page by its URL path at first, as a browser on /lecture asks; then by the hash the
        # server named it by (a page asked for by name anew counts as a page switch: no query)
        state.page_script_hash = self.page_hash
        state.page_name = "" if self.page_hash else "lecture"
        state.widget_states.SetInParent()
        if trigger is not None:
            widget = state.widget_states.widgets.add()
            widget.id, widget.trigger_value = trigger, True
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        if self.P.has_context_info:
            info = state.context_info
            info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
            info.url = f"http://{self.netloc}/lecture" + (f"?{self.query}" if self.query else "")
            info.is_embedded, info.color_scheme = False, "light"
        return back.SerializeToString()

    async def rerun(self, fragment_id: str = "", trigger: str | None = None, auto: bool = False) -> RunTimes:
        """Send one rerun request and wait until its run finished; returns its times."""
        async with self._lock:
            self.run = RunTimes(time.monotonic())
            self._done = asyncio.get_running_loop().create_future()
            await self.ws.send(self._request(fragment_id, trigger, auto))
            with contextlib.suppress(TimeoutError):  # a run that never ends: counted as not done
                await asyncio.wait_for(self._done, RUN_TIMEOUT_S)
            run, self.run = self.run, None
            run.done = time.monotonic() if self._done.done() else None
            return run

    async def click(self, label_start: str) -> RunTimes:
        label = next(label for label in self.buttons if label.startswith(label_start))
        widget, fragment = self.buttons[label]
        return await self.rerun(fragment, trigger=widget)

    async def follow_room(self, every_s: float) -> None:
        """The browser half of `ui/room_watch.py`: fetch the room's token file every `every_s`
        and, once it differs from the token the page was drawn with, rerun the page."""
        while not self._closing:
            await asyncio.sleep(every_s)
            if self.watch is None:
                continue
            url, seen = self.watch
            token = await self._get(f"/{url}?t={time.monotonic_ns()}")
            if token and token != seen:
                self.watch = None  # the rerun draws the element again, with the new token
                await self.rerun()

    async def _get(self, path: str) -> str:
        """A GET of `path` on the hall (HTTP/1.1, a new connection, as a browser's fetch may):
        the body of a 200, else ''."""
        host, port = self.netloc.rsplit(":", 1)
        self.fetches += 1
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.netloc}\r\nConnection: close\r\n\r\n".encode())
            response = await reader.read()
            writer.close()
        except OSError:
            return ""
        head, _, body = response.partition(b"\r\n\r\n")
        return body.decode("ascii", "replace").strip() if head.startswith(b"HTTP/1.1 200") else ""

    async def auto_reruns(self, on_run=None) -> None:
        """The frontend's timers: each fragment with run_every reruns every interval."""
        due: dict[str, float] = {}
        while not self._closing:
            now = time.monotonic()
            for fragment, interval in list(self.auto.items()):
                if now >= due.setdefault(fragment, now + interval):
                    due[fragment] = now + interval
                    run = await self.rerun(fragment, auto=True)
                    if on_run is not None:
                        on_run(run, list(self.texts))
            await asyncio.sleep(0.05)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _on_screen(taps: list[RunTimes], lecturer_runs: list[RunTimes]) -> list[float]:
    """Per tap: from its send to the end of the lecturer's first tally run sent after it returned."""
    out = []
    for tap in taps:
        after = [r.done for r in lecturer_runs if r.sent >= tap.done and r.done is not None]
        if after:
            out.append(min(after) - tap.sent)
    return out


async def _play_hall(load: ModuleType, netloc: str, log) -> dict[str, object]:
    protos = load.Protos.from_python(sys.executable)
    lecturer = Tab(load, protos, netloc, f"lecturer={HALL_KEY}")
    await lecturer.connect()
    await lecturer.rerun()
    assert "lecturer=" not in lecturer.query, "the key stayed in the lecturer's URL"
    await lecturer.click("Start a class vote")
    codes = [m.group(1) for text in lecturer.texts if (m := CODE_RE.search(text))]
    assert codes, f"no join code on the lecturer's page: {lecturer.texts[:5]}"
    code = codes[0]
    runs: list[RunTimes] = []

    def tally_seen(run: RunTimes, texts: list[str]) -> None:
        for text in texts:
            if found := TALLY_RE.search(text):
                run.seen = {"votes": float(found.group(1)), "round": float(found.group(2))}
                runs.append(run)

    watching = asyncio.create_task(lecturer.auto_reruns(tally_seen))
    rng = random.Random(21)
    students = [Tab(load, protos, netloc, f"room={code}") for _ in range(STUDENTS)]
    first_loads: list[float] = []

    async def arrive(tab: Tab, delay: float) -> None:
        await asyncio.sleep(delay)
        await tab.connect()
        run = await tab.rerun()
        if run.done is not None:
            first_loads.append(run.done - run.sent)

    log(f"{STUDENTS} students open the join link over {STAGGER_S:.0f} s")
    await asyncio.gather(*(arrive(tab, i * STAGGER_S / STUDENTS) for i, tab in enumerate(students)))
    polling = [asyncio.create_task(tab.auto_reruns()) for tab in students]  # fragments (fallback)
    from ui.room_watch import BROWSER_EVERY_MS  # streamlit: only for the hall half

    polling += [asyncio.create_task(tab.follow_room(BROWSER_EVERY_MS / 1000)) for tab in students]
    letters = [chr(65 + i % 3) for i in range(STUDENTS)]
    ready = sum(any(label.startswith("A. ") for label in tab.buttons) for tab in students)
    log(f"{ready} students show the answer buttons")

    async def tap(tab: Tab, letter: str, delay: float) -> RunTimes:
        await asyncio.sleep(delay)
        return await tab.click(f"{letter}. ")

    log(f"round 1: taps spread over {SPREAD_S:.0f} s")
    began = time.monotonic()
    round1 = await asyncio.gather(
        *(tap(tab, letter, rng.uniform(0, SPREAD_S)) for tab, letter in zip(students, letters, strict=True))
    )
    await asyncio.sleep(3)
    shown1 = max((r.seen["votes"] for r in runs if r.sent > began and r.seen["round"] == 1), default=0)

    log("new round")
    before = [len(tab.full_runs) for tab in students]
    await lecturer.click("New round")
    followed = time.monotonic()
    while any(len(tab.full_runs) == n for tab, n in zip(students, before, strict=True)):
        if time.monotonic() - followed > RUN_TIMEOUT_S:
            break
        await asyncio.sleep(0.1)
    follow_s = time.monotonic() - followed
    await asyncio.sleep(3)

    log("round 2: every student taps at once")
    began2 = time.monotonic()
    round2 = await asyncio.gather(
        *(tap(tab, letter, 0.0) for tab, letter in zip(students, letters, strict=True))
    )
    all_on_screen = None
    while time.monotonic() - began2 < RUN_TIMEOUT_S:
        full = [r for r in runs if r.sent > began2 and r.seen["round"] == 2 and r.seen["votes"] >= STUDENTS]
        if full:
            all_on_screen = min(r.done for r in full) - began2
            break
        await asyncio.sleep(0.1)
    shown2 = max((r.seen["votes"] for r in runs if r.sent > began2 and r.seen["round"] == 2), default=0)
    await asyncio.sleep(2.5)  # the lecturer's runs after the last tap: each tap's "on screen" needs one

    watching.cancel()
    for task in polling:
        task.cancel()
    for tab in [lecturer, *students]:
        await tab.close()
    return {
        "first_loads": first_loads,
        "round1": [r for r in round1 if r.done is not None],
        "round2": [r for r in round2 if r.done is not None],
        "lecturer_runs": runs,
        "shown1": shown1,
        "shown2": shown2,
        "follow_s": follow_s,
        "fetches": sum(tab.fetches for tab in students),
        "all_on_screen_s": all_on_screen,
        "exceptions": sum(tab.exceptions for tab in [lecturer, *students]),
        "disconnects": sum(tab.disconnects for tab in [lecturer, *students]),
    }


def measure_hall() -> dict[str, object]:
    """Start serve.sh with 2 processes behind nginx and play the lecture hall; its figures."""
    from tests.e2e.hall import lecture_hall

    load = load_module()
    os.environ["PLAYGROUND_LECTURER_KEY"] = HALL_KEY  # serve.sh's key, as its lecturer link brings it
    os.environ.pop("PLAYGROUND_CLASSROOM_DB", None)  # serve.sh's store in its run dir
    with (
        tempfile.TemporaryDirectory(prefix="bench-classroom-") as tmp,
        lecture_hall(Path(tmp), processes=HALL_PROCESSES) as hall,
    ):
        servers = [*hall.backend_pids(), hall.nginx_pid()]

        def cpu_s() -> float:  # user + system time of the servers, from /proc (no psutil needed)
            stats = (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() for pid in servers)
            ticks = (fields[11:13] for fields in stats)  # utime, stime: fields 14 and 15
            return sum(int(user) + int(system) for user, system in ticks) / os.sysconf("SC_CLK_TCK")

        cpu_before, own_before, began = cpu_s(), time.process_time(), time.monotonic()
        figures = asyncio.run(_play_hall(load, hall.base_url.split("//", 1)[1], print))
        seconds = time.monotonic() - began
        figures["server_cpu_pct"] = 100 * (cpu_s() - cpu_before) / seconds
        figures["client_cpu_pct"] = 100 * (time.process_time() - own_before) / seconds
        figures["load_average"] = os.getloadavg()[1]  # the machine's, over the last 5 minutes
    return figures


def hall_rows(figures: dict[str, object]) -> list[tuple[str, str, str, str]]:
    def seconds(values: list[float]) -> str:
        if not values:
            return "-"
        return f"{_pct(values, 50):.2f} / {_pct(values, 95):.2f} / {max(values):.2f} s"

    def met(values: list[float]) -> str:
        return "yes" if values and _pct(values, 95) <= VISIBLE_TARGET_S else "no"

    runs = figures["lecturer_runs"]
    label = f"{STUDENTS} students, {HALL_PROCESSES} processes + nginx"
    rows = [
        (f"{label}: first load of the join link (p50 / p95 / max)", seconds(figures["first_loads"]), "", "")
    ]
    for name, spread in (("round1", f"taps spread over {SPREAD_S:.0f} s"), ("round2", "all tap at once")):
        taps = figures[name]
        on_screen = _on_screen(taps, runs)
        round_trips = [t.done - t.sent for t in taps]
        rows += [
            (f"{label}, {spread}: tap round trip (p50 / p95 / max)", seconds(round_trips), "", ""),
            (
                f"{label}, {spread}: tap to lecturer's screen (p50 / p95 / max)",
                seconds(on_screen),
                f"p95 <= {VISIBLE_TARGET_S:.0f} s",
                met(on_screen),
            ),
        ]
    all_s = figures["all_on_screen_s"]
    load_avg = f"{figures['load_average']:.1f}"
    rows += [
        (
            f"{label}: all tap at once, until all on the lecturer's screen",
            "-" if all_s is None else f"{all_s:.2f} s",
            f"<= {VISIBLE_TARGET_S:.0f} s",
            "yes" if all_s is not None and all_s <= VISIBLE_TARGET_S else "no",
        ),
        (
            f"{label}: votes shown, round 1 / round 2",
            f"{figures['shown1']:.0f} / {figures['shown2']:.0f}",
            "",
            "",
        ),
        (f"{label}: New round, until every student's page followed", f"{figures['follow_s']:.1f} s", "", ""),
        (f"{label}: token-file fetches of the students' browsers", f"{figures['fetches']}", "", ""),
        (f"{label}: server CPU (both processes + nginx)", f"{figures['server_cpu_pct']:.0f} %", "", ""),
        (f"{label}: CPU of this client (the 301 tabs)", f"{figures['client_cpu_pct']:.0f} %", "", ""),
        (f"{label}: machine load average, 5 min ({os.cpu_count()} cores)", load_avg, "", ""),
        (
            f"{label}: exceptions / disconnects",
            f"{figures['exceptions']} / {figures['disconnects']}",
            "0 / 0 (none)",
            "",
        ),
    ]
    return rows


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    rows = []
    if "--hall" not in args:
        rows += store_rows()
    if "--store" not in args:
        from tests.e2e.hall import NGINX

        if NGINX is None:
            print("nginx not found: the lecture-hall figures are skipped (apt-get install nginx)")
        else:
            rows += hall_rows(measure_hall())
    print_rows(HEADER, rows)


if __name__ == "__main__":
    main()
