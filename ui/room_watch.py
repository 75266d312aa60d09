"""How a student's page notices that the lecturer moved on, without a script run per check.

A student's page waits for the lecturer to open, reveal or restart a question. Checking that with
a Streamlit fragment every 2 s cost about 5 ms of server CPU a check (a whole script-run cycle for
one SELECT): 300 students kept a core a quarter busy, and a tap burst queued behind the checks.
Here each process keeps one watcher thread that reads the rooms its students wait in from the
store twice a second and writes each room's state token, atomically and only when it changed, to
``static/classroom/<CODE>.txt`` (the static folder beside the main script, which Streamlit serves
at ``app/static/``). The browser fetches that small file every second (a static file: no script
run) and reruns the page once the token differs from the one it was drawn with.
Every process writes the file from the shared store, so a student on any process, or on another
host with PostgreSQL, sees the same token. Without static serving (or a writable static folder),
`follow` falls back to the fragment check.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.file_util import get_app_static_dir
from streamlit.runtime.scriptrunner import get_script_run_ctx

from classroom import Question, StoreUnavailableError, rules
from figures.plotly_assets import STATIC_URL, write_atomically

log = logging.getLogger(__name__)

ROOM_FOLDER = "classroom"  # inside the static folder that Streamlit serves at app/static/
WATCH_EVERY_S = 0.5  # the watcher's read of the store (one query per room and process)
BROWSER_EVERY_MS = 1000  # a student's browser fetches the token file this often
FORGET_AFTER_S = 6 * 3600  # a room nobody opened a page for in this long is no longer watched


def state_token(question: Question | None) -> str:
    """A short fingerprint of where the room stands: its current question, round and state (or
    'none' before the first question). Hashed, so the file says nothing but 'something changed'."""
    if question is None:
        return "none"
    raw = f"{question.question_id}\x00{question.round}\x00{question.state}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


class RoomWatcher:
    """One thread per process: the token of every room a page here waits in, written to its file."""

    def __init__(self, read: Callable[[str], Question | None], room_dir: Path) -> None:
        self._read = read
        self._room_dir = room_dir
        self._rooms: dict[str, float] = {}  # code -> when a page last asked to watch it
        self._written: dict[str, str] = {}  # code -> the token last written
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, code: str, token: str) -> None:
        """Keep `code`'s file current from now on. A room new to this watcher gets `token` (read
        by the page just now) at once, so the browser never waits for the thread's first round; a
        known room's file is the thread's alone (a page that read the store just before a reveal
        must not set the file back: every other page would rerun)."""
        with self._lock:
            self._rooms[code] = time.monotonic()
            new = code not in self._written
        if new:
            self._write(code, token)

    def start(self) -> None:
        """Run `check_once` every WATCH_EVERY_S in a daemon thread (once; again if it ever died)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="room-watcher", daemon=True)
                self._thread.start()

    def check_once(self) -> None:
        """Read every watched room and write the tokens that changed (the thread's one round)."""
        now = time.monotonic()
        with self._lock:
            forgotten = [c for c, seen in self._rooms.items() if now - seen > FORGET_AFTER_S]
            for code in forgotten:
                del self._rooms[code]
            codes = list(self._rooms)
        for code in forgotten:  # the folder does not grow with every lecture held
            (self._room_dir / f"{code}.txt").unlink(missing_ok=True)
            self._written.pop(code, None)
        for code in codes:
            try:
                token = state_token(self._read(code))
            except ValueError:  # the room expired or is unknown: its pages show why on their rerun
                token = "gone"
            except StoreUnavailableError:
                continue  # try again next round; the file keeps the last known state
            self._write(code, token)

    def _write(self, code: str, token: str) -> None:
        if self._written.get(code) == token:
            return
        self._room_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(self._room_dir / f"{code}.txt", token.encode("ascii"))
        self._written[code] = token

    def _loop(self) -> None:
        last_error = ""
        while True:
            try:
                self.check_once()
                last_error = ""
            except Exception as error:  # a full disk, a closed database: log it once, keep watching
                if repr(error) != last_error:
                    log.exception("room watcher")
                    last_error = repr(error)
            time.sleep(WATCH_EVERY_S)


_watchers: dict[Path, RoomWatcher] = {}  # one per static folder: one in a served app
_watchers_lock = threading.Lock()


def watcher(read: Callable[[str], Question | None], room_dir: Path) -> RoomWatcher:
    """This process's watcher of `room_dir` (made on first use)."""
    with _watchers_lock:
        if room_dir not in _watchers:
            _watchers[room_dir] = RoomWatcher(read, room_dir)
        _watchers[room_dir].start()
        return _watchers[room_dir]


def room_dir() -> Path | None:
    """Where the token files go: `classroom/` in the static folder Streamlit serves for this app
    (`static/` beside the main script), or None when the browser could not fetch them (static
    serving off, or the folder not writable)."""
    ctx = get_script_run_ctx()
    if ctx is None or not st.get_option("server.enableStaticServing"):
        return None
    folder = Path(get_app_static_dir(ctx.main_script_path)) / ROOM_FOLDER
    if folder not in _ready:  # once per process: not a probe file per student's rerun
        _ready[folder] = _writable(folder)
    return folder if _ready[folder] else None


_ready: dict[Path, bool] = {}  # static folder -> whether token files can be written there


def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


# The browser half: fetch the room's token file every `every_ms`; once it differs from the token
# the page was drawn with, trigger one rerun and stop (the rerun draws a new watcher). A missing
# file or a failed fetch is retried. One loop per element, whatever Streamlit calls again.
_JS = """
const loops = new WeakMap();
export default function ({ data, parentElement, setTriggerValue }) {
  let loop = loops.get(parentElement);
  if (!loop) {
    loop = { timer: null, done: false };
    loops.set(parentElement, loop);
  }
  loop.data = data;
  loop.setTriggerValue = setTriggerValue;
  loop.done = false;
  const check = async () => {
    loop.timer = null;
    const { url, seen, every_ms } = loop.data;
    try {
      const href = new URL(url, document.baseURI);
      href.searchParams.set("t", String(Date.now()));
      const response = await fetch(href.href, { cache: "no-store" });
      const token = response.ok ? (await response.text()).trim() : "";
      if (token && token !== seen && !loop.done) {
        loop.done = true;
        loop.setTriggerValue("changed", token);
        return;
      }
    } catch (err) {
      // offline for a moment: the next round tries again
    }
    if (!loop.done) loop.timer = setTimeout(check, every_ms);
  };
  if (loop.timer === null) loop.timer = setTimeout(check, data.every_ms);
  return () => {
    loop.done = true;
    if (loop.timer !== null) clearTimeout(loop.timer);
    loop.timer = null;
    loops.delete(parentElement);
  };
}
"""

_element = st.components.v2.component("playground.room_watch", js=_JS)


def follow_room(
    code: str, current: Question | None, read: Callable[[str], Question | None], folder: Path
) -> None:
    """Rerun this page once room `code` no longer stands at `current` (its question, round and
    state as this run read them): the watcher keeps the room's token file in `folder`
    (`room_dir()`), the browser polls it."""
    code = rules.check_code(code)  # the file's name: five letters of an allowlist, nothing else
    token = state_token(current)
    watcher(read, folder).watch(code, token)
    _element(
        key=f"classroom_watch_{code}",
        data={"url": f"{STATIC_URL}{ROOM_FOLDER}/{code}.txt", "seen": token, "every_ms": BROWSER_EVERY_MS},
        height="content",  # nothing to show: the element only polls
        on_changed_change=lambda: None,  # the trigger reruns the page; nothing else to do
    )
