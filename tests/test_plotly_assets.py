"""Which plotly.js our charts load (figures/plotly_assets.py): the integrity check, the one-member
extraction, the chooser and the background install. No network: every download is injected."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import tarfile
import urllib.error
from pathlib import Path

import pytest

import optimizers
import surfaces
from figures import explorer as fx
from figures import plotly_assets as pa

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = b"/* plotly.js (cartesian - minified), a stand-in */ window.Plotly = {};\n"


def _tarball(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    """A gzipped tarball with these regular files (name -> bytes) and symbolic links (name -> target)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buf.getvalue()


def _sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


GOOD = _tarball({"package/package.json": b"{}", pa.CARTESIAN_MEMBER: BUNDLE, "package/LICENSE": b"MIT"})


@pytest.fixture
def pinned(monkeypatch):
    """Pin the integrity and the member's hash to those of the stand-in tarball built here."""
    monkeypatch.setattr(pa, "CARTESIAN_INTEGRITY", _sri(GOOD))
    monkeypatch.setattr(pa, "CARTESIAN_SHA256", hashlib.sha256(BUNDLE).hexdigest())


def _fetcher(data: bytes, calls: list[str]):
    def fetch(url: str) -> bytes:
        calls.append(url)
        return data

    return fetch


def test_integrity_accepts_the_right_bytes_and_rejects_altered_ones():
    # The SRI of the empty string, a published constant (not derived by the code under test).
    empty = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    assert pa.integrity_ok(b"", empty)
    assert not pa.integrity_ok(b" ", empty)
    assert pa.integrity_ok(GOOD, _sri(GOOD))
    altered = bytearray(GOOD)
    altered[len(altered) // 2] ^= 0x01  # one bit
    assert not pa.integrity_ok(bytes(altered), _sri(GOOD))
    assert not pa.integrity_ok(GOOD[:-1], _sri(GOOD))
    with pytest.raises(ValueError, match="sha512"):
        pa.integrity_ok(GOOD, "sha1-" + base64.b64encode(hashlib.sha1(GOOD).digest()).decode())
    # The pinned value is a well-formed SHA-512 SRI string (64 bytes of digest).
    algorithm, _, digest = pa.CARTESIAN_INTEGRITY.partition("-")
    assert algorithm == "sha512" and len(base64.b64decode(digest, validate=True)) == 64


def test_extraction_takes_exactly_the_named_member():
    assert pa.extract_member(GOOD, pa.CARTESIAN_MEMBER) == BUNDLE
    assert pa.extract_member(GOOD, "package/LICENSE") == b"MIT"
    with pytest.raises(ValueError, match="not in the archive"):
        pa.extract_member(GOOD, "package/missing.js")


@pytest.mark.parametrize(
    "member", ["../plotly-cartesian.min.js", "/etc/passwd", "package/../../x.js", "./package/x.js", "a\\b"]
)
def test_extraction_refuses_a_member_path_that_could_leave_the_archive(member):
    tarball = _tarball({member.lstrip("/"): b"x"})
    with pytest.raises(ValueError, match="plain relative path"):
        pa.extract_member(tarball, member)


def test_extraction_refuses_links_traversal_entries_oversized_members_and_bad_archives():
    # A symbolic link under the bundle's name (it would expose another file) is refused.
    linked = _tarball({}, links={pa.CARTESIAN_MEMBER: "/etc/passwd"})
    with pytest.raises(ValueError, match="not a regular file"):
        pa.extract_member(linked, pa.CARTESIAN_MEMBER)
    # An entry that climbs out of the folder is never matched to the member's name.
    climbing = _tarball({"../" + pa.CARTESIAN_MEMBER: b"evil", "package/../plotly-cartesian.min.js": b"evil"})
    with pytest.raises(ValueError, match="not in the archive"):
        pa.extract_member(climbing, pa.CARTESIAN_MEMBER)
    with pytest.raises(ValueError, match="more than the 16 allowed"):
        pa.extract_member(GOOD, pa.CARTESIAN_MEMBER, max_bytes=16)
    assert pa.extract_member(GOOD, pa.CARTESIAN_MEMBER, max_bytes=len(BUNDLE)) == BUNDLE
    for bad in (b"not a tarball", GOOD[: len(GOOD) // 2]):
        with pytest.raises(ValueError):
            pa.extract_member(bad, pa.CARTESIAN_MEMBER)


def test_a_download_is_bounded_in_size(tmp_path):
    big = tmp_path / "big.tgz"
    big.write_bytes(b"x" * 100)
    assert pa.fetch_url(big.as_uri(), max_bytes=100) == b"x" * 100  # file:// : no network
    with pytest.raises(ValueError, match="more than 99 bytes"):
        pa.fetch_url(big.as_uri(), max_bytes=99)


def test_the_chooser_serves_the_cartesian_bundle_only_when_a_verified_copy_is_there(tmp_path, pinned):
    full, cartesian = pa.STATIC_URL + pa.FULL_NAME, pa.STATIC_URL + pa.CARTESIAN_NAME
    assert pa.plotly_url(tmp_path, env={}) == full  # nothing there yet
    copy = tmp_path / pa.CARTESIAN_NAME
    copy.write_bytes(BUNDLE)
    assert pa.plotly_url(tmp_path, env={}) == cartesian
    assert pa.plotly_url(tmp_path, env={pa.ENV_VAR: "cartesian"}) == cartesian
    assert pa.plotly_url(tmp_path, env={pa.ENV_VAR: "full"}) == full
    assert pa.plotly_url(tmp_path, env={pa.ENV_VAR: " FULL "}) == full
    copy.write_bytes(BUNDLE + b"// altered")  # a changed file is hashed again, and refused
    assert pa.plotly_url(tmp_path, env={}) == full
    copy.write_bytes(BUNDLE)
    assert pa.plotly_url(tmp_path, env={}) == cartesian
    copy.unlink()
    assert pa.plotly_url(tmp_path, env={}) == full


def test_the_install_verifies_extracts_and_writes_the_bundle_atomically(tmp_path, pinned):
    calls: list[str] = []
    thread = pa.start_install(tmp_path, env={}, fetch=_fetcher(GOOD, calls))
    assert thread is not None
    thread.join(timeout=10)
    assert calls == [pa.CARTESIAN_TARBALL_URL]
    assert (tmp_path / pa.CARTESIAN_NAME).read_bytes() == BUNDLE
    assert sorted(p.name for p in tmp_path.iterdir()) == [pa.CARTESIAN_NAME]  # no tarball, no tmp file
    assert pa.plotly_url(tmp_path, env={}) == pa.STATIC_URL + pa.CARTESIAN_NAME
    # With a verified copy there, nothing is fetched again.
    assert pa.start_install(tmp_path, env={}, fetch=_fetcher(GOOD, calls)) is None and len(calls) == 1


def test_the_environment_can_force_the_full_bundle_without_any_download(tmp_path, pinned):
    calls: list[str] = []
    assert pa.start_install(tmp_path, env={pa.ENV_VAR: "full"}, fetch=_fetcher(GOOD, calls)) is None
    assert calls == [] and list(tmp_path.iterdir()) == []


def _offline(url: str) -> bytes:
    raise urllib.error.URLError("no route to host")


@pytest.mark.parametrize(
    ("fetch", "said"),
    [
        (_offline, "no route to host"),
        (lambda url: GOOD + b"\0", "integrity"),  # one byte more: the hash no longer matches
        (lambda url: b"<html>not found</html>", "integrity"),
    ],
)
def test_a_failed_download_leaves_the_full_bundle_and_logs_one_line(tmp_path, pinned, caplog, fetch, said):
    with caplog.at_level(logging.WARNING, logger=pa.__name__):
        thread = pa.start_install(tmp_path, env={}, fetch=fetch)
        thread.join(timeout=10)
    assert pa.plotly_url(tmp_path, env={}) == pa.STATIC_URL + pa.FULL_NAME
    assert list(tmp_path.iterdir()) == []
    [record] = caplog.records
    assert said in record.getMessage() and "full bundle stays in use" in record.getMessage()
    assert record.exc_info is None  # one line, no traceback


def test_a_tarball_that_matches_its_hash_but_lacks_the_bundle_is_not_installed(tmp_path, monkeypatch, caplog):
    wrong = _tarball({"package/README.md": b"no bundle here"})
    monkeypatch.setattr(pa, "CARTESIAN_INTEGRITY", _sri(wrong))
    with caplog.at_level(logging.WARNING, logger=pa.__name__):
        pa.start_install(tmp_path, env={}, fetch=lambda url: wrong).join(timeout=10)
    assert list(tmp_path.iterdir()) == [] and "not in the archive" in caplog.text


AXIS_TYPES = {"linear", "log", "date", "category", "-"}


def test_our_charts_draw_only_traces_the_cartesian_bundle_has():
    s = surfaces.get_surface("curve_fit")
    start = surfaces.SURFACES["curve_fit"].default_start
    opts = {"sgd": {"lr": 0.05}, "adam": {"lr": 0.1}, "lm": {}}
    trajs = {o: optimizers.run(o, s, start, 10, **h) for o, h in opts.items()}
    for fig in (fx.loss_figure(trajs, min_value=s.min_value, smoothing=0.5), fx.lr_figure(trajs)):
        assert {t.get("type", "scatter") for t in fig["data"]} <= pa.CARTESIAN_TRACES
    # The map builds its traces in the browser: every trace type its modules name (all of ui/*.js).
    modules = sorted((ROOT / "ui").glob("*.js"))
    assert {"landscape_map.js", "map_base.js", "map_overlays.js", "plot_chart.js"} <= {
        m.name for m in modules
    }
    for module in modules:
        named = set(re.findall(r'\btype:\s*"(\w+)"', module.read_text())) - AXIS_TYPES
        assert named <= pa.CARTESIAN_TRACES, module.name
