"""`python -m export`: a scene as one offline HTML file, the page's refusals, and a caption that
says what the runs did (read off the engine's numbers, not written in advance)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import optimizers
import surfaces
from export import SceneError, build_html
from export import page as export_page
from export.__main__ import main
from export.race import caption, run_race
from export.scene import plain, read_query
from figures import explorer as fx
from figures import js_modules, map_data, plotly_assets
from scenes import lessons

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 3_000_000  # the limit with the cartesian bundle

# Links the page refuses (a warning, a default used instead), with a fragment of the page's words.
HOSTILE = [
    ("surface=custom&custom_formula=__import__('os').system('touch%20{marker}')", "custom_formula="),
    ("surface=custom&custom_formula=__import__", "unknown name '__import__'"),
    ("steps=1e308", "Steps (iterations k)"),
    ("steps=600", "above the slider's maximum"),
    ("sgd_lr=nan", "learning rate α"),
    ("sgd_lr=1e400", "learning rate α"),
    ("noise=inf", "Gradient noise σ"),
    ("adam_lr=abc", "is not a number"),
    ("opts=sgd,evil", "unknown name(s) evil"),
    ("bogus=1", "`bogus=1` is unknown"),
    ("surface=rosenbrock&quadratic_condition=5", "does not apply"),
    ("surface=custom&custom_formula=" + "x" * 1_000_000, "at most 300 characters"),
    ("start_x=1e9", "is not valid"),
    ("preset=__class__", "Lesson preset"),
]


def _data(html: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/json" id="race-data">(.*?)</script>', html, re.S)[1]
    )


class _Text(HTMLParser):
    """The text of each element carrying a data-role, by role (rows of a table as lists of cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.roles: dict[str, list[str]] = {}
        self._stack: list[str | None] = []
        self.links: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if name in attrs:
                (self.links if tag == "a" else self.sources).append(attrs[name])
        role = attrs.get("data-role")
        if role:
            self.roles.setdefault(role, [])
        if tag in ("li", "tr", "p") or role:
            self._stack.append(role or (self._stack[-1] if self._stack else None))
            owner = self._stack[-1]
            if owner and tag in ("li", "tr"):
                self.roles[owner].append("")

    def handle_endtag(self, tag):
        if tag in ("li", "tr", "p", "ul", "table") and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        owner = next((r for r in reversed(self._stack) if r), None)
        if owner is None:
            return
        if not self.roles[owner]:
            self.roles[owner].append("")
        self.roles[owner][-1] += data


def _text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html.split("<script", 1)[0])  # the caption comes before the scripts
    return parser


# --------------------------------------------------------------------------- the command line


def test_cli_writes_the_file_and_exits_0(tmp_path, capsys):
    out = tmp_path / "race.html"
    assert main(["surface=rosenbrock&opts=sgd,adam&steps=80", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert [p["name"] for p in _data(html)["paths"]["paths"]] == ["sgd", "adam"]


@pytest.mark.parametrize(("query", "fragment"), HOSTILE, ids=[q[:30] for q, _ in HOSTILE])
def test_a_refused_link_exits_2_with_the_page_words_and_writes_nothing(tmp_path, capsys, query, fragment):
    marker = tmp_path / "pwned"
    out = tmp_path / "race.html"
    assert main([query.format(marker=marker), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err, err[:500]
    assert not out.exists()
    assert not marker.exists()  # nothing in the link was executed


def test_a_refused_link_leaves_an_existing_file_alone(tmp_path):
    out = tmp_path / "race.html"
    out.write_text("before")
    assert main(["steps=-1", "-o", str(out)]) == 2
    assert out.read_text() == "before"


def test_the_command_runs_as_a_module(tmp_path):
    """`python -m export` itself: exit 2 and the message on stderr, nothing on stdout."""
    out = tmp_path / "race.html"
    done = subprocess.run(
        [sys.executable, "-m", "export", "sgd_lr=-1", "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "sgd_lr=-1" in done.stderr and "learning rate α" in done.stderr
    assert done.stdout == "" and not out.exists()


def test_no_optimizer_is_refused_with_the_page_words():
    with pytest.raises(SceneError) as err:
        build_html("opts=")
    assert err.value.messages == ["Choose at least one optimizer in the sidebar to start the race."]


def test_a_link_with_too_many_settings_is_refused_before_reading_them():
    with pytest.raises(SceneError, match="more than 1000 settings"):
        read_query("&".join(f"k{i}=1" for i in range(5000)))


def test_a_whole_link_is_read_like_its_query():
    assert read_query("https://example.org/?surface=beale&opts=adam").choices == (
        read_query("surface=beale&opts=adam").choices
    )


# --------------------------------------------------------------------------- the same words as the page


@pytest.mark.parametrize(
    "query",
    [
        {"steps": "600", "adam_lr": "x", "bogus": "1"},
        {"surface": "custom", "custom_formula": "__import__('os')", "custom_x_range": "3,1"},
        {"opts": "sgd,lm", "surface": "himmelblau", "lm_damping": "-1", "noise": "9", "tol": "5"},
    ],
)
def test_the_page_and_the_export_refuse_a_link_with_the_same_words(query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    page = [w.value for w in at.warning if w.value.startswith("The link")]
    with pytest.raises(SceneError) as err:
        read_query("&".join(f"{k}={v}" for k, v in query.items()))
    assert page, "the page warned about nothing"
    assert sorted(err.value.messages) == sorted(page)


# --------------------------------------------------------------------------- what the file holds


def test_the_caption_says_how_each_run_ended_from_its_numbers():
    query = "surface=quadratic&opts=sgd,adam,sgd~2&sgd_lr=0.15&sgd~2_lr=0.05&steps=80"
    html = build_html(query)
    text = _text(html)
    surface = surfaces.get_surface("quadratic")
    start = np.asarray(surfaces.SURFACES["quadratic"].default_start, dtype=float)
    runs = {
        "SGD, α 0.15": optimizers.run("sgd", surface, start, 80, lr=0.15),
        "Adam": optimizers.run("adam", surface, start, 80, lr=0.1),
        "SGD, α 0.05": optimizers.run("sgd", surface, start, 80, lr=0.05),
    }
    rows = text.roles["endings"][1:]  # the header first
    assert len(rows) == 3
    for row, (label, traj) in zip(rows, runs.items(), strict=True):
        assert row.startswith(label)
        assert fx._why(traj.ending) in row
        assert str(traj.n_steps) in row
    assert runs["SGD, α 0.15"].status == "diverged" and "diverged" in rows[0]
    assert "learning rate α = 0.15" in text.roles["runs"][0]
    assert text.roles["surface"][0].startswith("Elongated valley")
    assert text.roles["headline"][0].startswith(
        "Elongated valley (quadratic): SGD, α 0.15, Adam and SGD, α 0.05"
    )
    # The map's paths are the runs' own points.
    paths = {p["label"]: p for p in _data(html)["paths"]["paths"]}
    for label, traj in runs.items():
        m = fx.finite_length(traj)
        np.testing.assert_allclose(
            map_data.decode_f32(paths[label]["x"]), traj.points[:m, 0].astype(np.float32)
        )


def test_the_live_link_holds_the_scene():
    html = build_html("surface=beale&opts=adam&adam_lr=0.05", app_url="https://play.example/")
    assert _text(html).links == ["https://play.example/?surface=beale&opts=adam&adam_lr=0.05"]


@pytest.mark.parametrize("name", list(lessons.PRESETS))
def test_a_lesson_shows_its_note_decided_on_its_runs(name):
    """Every lesson's note holds on its own scene: the export shows it, and every claim."""
    text = _text(build_html(f"preset={name}"))
    preset = lessons.PRESETS[name]
    assert "lesson-note" in text.roles and "lesson-fails" not in text.roles
    assert len(text.roles["claims"]) == len(preset.claims)


def test_a_lesson_whose_claim_fails_shows_only_the_true_sentences(monkeypatch):
    preset = lessons.PRESETS["too_large_lr"]
    false = lessons.Claim("Adam diverges too", "adam", status="diverged")
    with_false = lessons.Preset(preset.title, preset.note, preset.settings, (*preset.claims, false))
    monkeypatch.setitem(lessons.PRESETS, "too_large_lr", with_false)
    text = _text(build_html("preset=too_large_lr"))
    assert len(text.roles["claims"]) == len(preset.claims)  # the true ones only, numbers filled in
    assert "SGD at α = 0.15 diverges" in text.roles["claims"]
    assert not any("Adam diverges" in c for c in text.roles["claims"])
    assert "lesson-note" not in text.roles
    said = text.roles["lesson-fails"][0]
    assert "does not hold" in said and "Adam diverges too" in said


def test_a_changed_lesson_is_no_longer_a_lesson():
    race = run_race(read_query("preset=too_large_lr&surface=quadratic&opts=sgd,adam&sgd_lr=0.05"))
    assert race.scene.preset == "none"
    assert "Lesson" not in build_html("preset=too_large_lr&surface=quadratic&opts=sgd,adam&sgd_lr=0.05")
    assert caption(race).lesson_title is None


def test_lm_brings_its_damping_panel():
    assert _data(build_html("preset=lm_rejects"))["damping"] is not None
    assert _data(build_html("opts=sgd"))["damping"] is None


def test_the_file_asks_no_host_for_anything():
    html = build_html("preset=decay")
    text = _text(html)
    assert text.sources == []  # no <script src>, <img src>, <link href>
    assert re.search(r"""<meta http-equiv="Content-Security-Policy" content="default-src 'none';""", html)
    assert _data(html)["paths"]["offline"] is True  # the map's own words about clicking stay off


def test_the_file_inlines_every_module_of_the_map():
    script = export_page.map_module()
    files = js_modules.module_files(export_page.MAP_MODULE)
    assert {p.name for p in files} >= {"landscape_map.js", "map_base.js", "map_slide.js", "plotly_loader.js"}
    for path in files:
        assert f"// ---- ui/{path.name}\n" in script
    assert not re.search(r"^\s*(import|export)\b", script, re.M)  # one script, nothing fetched
    assert "function mountMap(" in script and "function downloadSlide(" in script


def test_size_with_the_cartesian_bundle():
    if not plotly_assets.copy_verified(export_page.STATIC_DIR / plotly_assets.CARTESIAN_NAME):
        pytest.skip("no verified cartesian bundle in static/ (the app fetches it at start)")
    name, _ = export_page.plotly_js({})
    assert name == plotly_assets.CARTESIAN_NAME
    sizes = [
        len(build_html(q, env={}).encode())
        for q in ("preset=decay", "preset=lm_blend", "opts=" + ",".join(optimizers.OPTIMIZERS))
    ]
    assert max(sizes) <= MAX_BYTES, sizes


def test_the_full_bundle_when_the_environment_asks():
    name, source = export_page.plotly_js({plotly_assets.ENV_VAR: "full"})
    assert name == plotly_assets.FULL_NAME and source == export_page.FULL_BUNDLE.read_text(encoding="utf-8")


def test_plain_reads_the_page_markdown():
    assert (
        plain(r"**Steps** is not valid \(must be in \[1, 2\]\)") == "Steps is not valid (must be in [1, 2])"
    )


def test_pins_travel_with_the_export():
    """A link's pins are drawn (dashed, faded, in their run's colour), charted and listed."""
    html = build_html("opts=sgd,adam&adam_lr=0.3&pins=adam:lr=0.05,sgd:lr=0.02")
    data = _data(html)
    paths = {p["label"]: p for p in data["paths"]["paths"]}
    pinned = paths["Adam, α 0.05 (pinned)"]
    assert pinned["dash"] == "dash" and pinned["opacity"] < 1 and pinned["color"] == paths["Adam"]["color"]
    live = read_query("opts=adam&adam_lr=0.05").choices.spec("adam").run()
    np.testing.assert_allclose(map_data.decode_f32(pinned["y"]), live.points[:, 1].astype(np.float32))
    dashed = [t["name"] for t in data["loss"]["data"] if t.get("line", {}).get("dash") == "dash"]
    assert dashed == ["Adam, α 0.05 (pinned)", "SGD, α 0.02 (pinned)"]
    text = _text(html)
    assert any(item.startswith("Adam, α 0.05 (pinned)") for item in text.roles["runs"])
    assert sum("(pinned)" in row for row in text.roles["endings"]) == 2
