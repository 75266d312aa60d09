"""Which plotly.js our Components v2 charts load: plotly's cartesian bundle when a verified copy is
in static/, the full bundle from the plotly package otherwise.

The map and the loss/learning-rate charts draw only contour and scatter traces, which plotly.js's
official cartesian partial bundle has (1.5 MB instead of 4.8 MB; a fresh browser compiles it about
0.6 s faster). It is not in the plotly Python package, so at app start a background thread fetches
it once from the npm registry into static/ (never committed), and the full bundle serves until it
lands. The tarball must match the integrity npm publishes for it (pinned below) before anything is
extracted from it; only its one file is taken, whose name and size are checked, and written
atomically. Any failure (offline, wrong hash, bad archive) logs one line and keeps the full bundle.
`PLAYGROUND_PLOTLY_BUNDLE=full` forces the full bundle and skips the network.

The 3D surface tab and the search and practice pages draw with `st.plotly_chart` (Streamlit's own
bundle): this module does not concern them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import logging
import os
import tarfile
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

import plotly

log = logging.getLogger(__name__)

STATIC_URL = "app/static/"  # relative to the page, so a proxy's path prefix is kept
FULL_NAME = f"plotly-{plotly.__version__}.min.js"  # copied from the plotly package (ui.map_component)

# plotly.js v4.1.1, the version inside plotly 7.1.0's plotly.min.js.
CARTESIAN_TARBALL_URL = (
    "https://registry.npmjs.org/plotly.js-cartesian-dist-min/-/plotly.js-cartesian-dist-min-4.1.1.tgz"
)
# `npm view plotly.js-cartesian-dist-min@4.1.1 dist.integrity`: the tarball's SHA-512.
CARTESIAN_INTEGRITY = (
    "sha512-o8GrFeusncwBIxbBynRJpY4pkgVB6caM+JLpwrLYbbsO7dZ8FJ+SVN2Fr+L7kiG/Z6w4P5O0Jus/Qr5EefHVeg=="
)
CARTESIAN_MEMBER = "package/plotly-cartesian.min.js"
# SHA-256 of that member in the verified tarball: a copy already in static/ is checked against it.
CARTESIAN_SHA256 = "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a"
CARTESIAN_NAME = "plotly-cartesian-4.1.1.min.js"
# The trace types in that bundle (its README); ours draw contour and scatter only.
CARTESIAN_TRACES = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "image", "pie",
     "scatter", "scatterternary", "violin"}
)  # fmt: skip
MAX_TARBALL_BYTES = 4_000_000  # the tarball is 0.5 MB
MAX_MEMBER_BYTES = 4_000_000  # the member is 1.5 MB
FETCH_TIMEOUT_S = 15.0  # the whole download; it takes well under a second here

ENV_VAR = "PLAYGROUND_PLOTLY_BUNDLE"  # "full" forces the full bundle (no download)


def integrity_ok(data: bytes, integrity: str) -> bool:
    """True when `data` matches an npm/SRI integrity string ``"sha512-<base64 digest>"``."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not expected:
        raise ValueError(f"only sha512 integrity strings are allowed, got {integrity!r}")
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    return hmac.compare_digest(digest, expected)


def extract_member(tarball: bytes, member: str, *, max_bytes: int = MAX_MEMBER_BYTES) -> bytes:
    """The bytes of one regular file, `member`, of a gzipped tarball; nothing is written to disk.

    Raises ValueError when `member` is not a plain relative path, is missing, is not a regular
    file (a link, a folder) or is larger than `max_bytes`, or when the archive cannot be read.
    """
    path = PurePosixPath(member)
    if path.is_absolute() or ".." in path.parts or "\\" in member or str(path) != member:
        raise ValueError(f"the member must be a plain relative path inside the archive, got {member!r}")
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
            for info in tar:
                if info.name != member:
                    continue
                if not info.isreg():
                    raise ValueError(f"{member} in the archive is not a regular file")
                if info.size > max_bytes:
                    raise ValueError(f"{member} is {info.size} bytes, more than the {max_bytes} allowed")
                f = tar.extractfile(info)
                data = f.read(max_bytes + 1) if f is not None else b""
                if len(data) != info.size:
                    raise ValueError(f"{member} in the archive is truncated")
                return data
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ValueError(f"the archive cannot be read: {err}") from err
    raise ValueError(f"{member} is not in the archive")


def fetch_url(url: str, *, timeout: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_TARBALL_BYTES) -> bytes:
    """GET `url`: at most `max_bytes`, within `timeout` seconds in all (a trickling server is cut off)."""
    deadline = time.monotonic() + timeout
    chunks, size = [], 0
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        while chunk := resp.read(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"{url} sent more than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} took more than {timeout:g} s")
    return b"".join(chunks)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename: a browser never loads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


_verified: dict[tuple[Path, str], tuple[int, int]] = {}  # (path, sha256) -> (size, mtime_ns) when it matched


def copy_verified(path: Path, sha256: str | None = None) -> bool:
    """True when `path` holds the bytes with this SHA-256 (default: the cartesian bundle's). Hashed
    once per change of the file (its size and mtime), so calling it on every rerun costs one stat."""
    sha256 = CARTESIAN_SHA256 if sha256 is None else sha256
    try:
        st = path.stat()
    except OSError:
        return False
    stamp = (st.st_size, st.st_mtime_ns)
    if _verified.get((path, sha256)) == stamp:
        return True
    try:
        ok = hmac.compare_digest(hashlib.sha256(path.read_bytes()).hexdigest(), sha256)
    except OSError:
        return False
    if ok:
        _verified[path, sha256] = stamp
    else:
        _verified.pop((path, sha256), None)
    return ok


def wants_cartesian(env: Mapping[str, str]) -> bool:
    """False when the environment forces the full bundle (`PLAYGROUND_PLOTLY_BUNDLE=full`)."""
    return env.get(ENV_VAR, "").strip().lower() != "full"


def plotly_url(static_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """The page-relative URL of the plotly.js to load now: the cartesian bundle when a verified copy
    is in `static_dir` and the environment does not force the full one, the full bundle otherwise."""
    env = os.environ if env is None else env
    if wants_cartesian(env) and copy_verified(static_dir / CARTESIAN_NAME):
        return STATIC_URL + CARTESIAN_NAME
    return STATIC_URL + FULL_NAME


def install_cartesian(static_dir: Path, fetch: Callable[[str], bytes] = fetch_url) -> Path:
    """Download the cartesian bundle's tarball with `fetch`, check its integrity, then extract the
    bundle into `static_dir`; returns its path. Raises (ValueError, OSError, ...) on any failure,
    leaving `static_dir` as it was."""
    tarball = fetch(CARTESIAN_TARBALL_URL)
    if not integrity_ok(tarball, CARTESIAN_INTEGRITY):
        raise ValueError("the downloaded tarball does not match its pinned sha512 integrity")
    data = extract_member(tarball, CARTESIAN_MEMBER)
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), CARTESIAN_SHA256):
        raise ValueError(f"{CARTESIAN_MEMBER} does not match its pinned sha256")
    path = static_dir / CARTESIAN_NAME
    write_atomically(path, data)
    return path


_lock = threading.Lock()
_threads: dict[Path, threading.Thread] = {}  # static folder -> its download, so that two callers start one


def _install_quietly(static_dir: Path, fetch: Callable[[str], bytes]) -> None:
    try:
        install_cartesian(static_dir, fetch)
    except Exception as err:  # any failure keeps the full bundle: one line, no traceback
        log.warning("plotly.js cartesian bundle not installed (the full bundle stays in use): %s", err)


def start_install(
    static_dir: Path, env: Mapping[str, str] | None = None, fetch: Callable[[str], bytes] = fetch_url
) -> threading.Thread | None:
    """Fetch the cartesian bundle into `static_dir` in a daemon thread (never blocking the caller),
    unless a verified copy is there, the environment forces the full bundle or a download already
    runs; returns the thread started, or None."""
    env = os.environ if env is None else env
    if not wants_cartesian(env) or copy_verified(static_dir / CARTESIAN_NAME):
        return None
    with _lock:
        running = _threads.get(static_dir)
        if running is not None and running.is_alive():
            return None
        thread = threading.Thread(
            target=_install_quietly, args=(static_dir, fetch), name="plotly-cartesian", daemon=True
        )
        _threads[static_dir] = thread
        thread.start()
        return thread
