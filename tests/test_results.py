"""The one word table (issue 18 item 4): endings and point kinds are worded once, in
optimizers/results.py, and the engine's messages, the summary table and the browser's overlay all
read them from there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from figures import map_data
from figures.explorer import summary_table
from optimizers import Ending, run, theory
from optimizers.results import ENDINGS, POINT_KINDS, UNKNOWN_POINT, curvature_words
from surfaces import get_surface

ROOT = Path(__file__).resolve().parent.parent


def _row(ending: Ending) -> dict:
    row = {"optimizer": "SGD", "final loss": 1.0, "distance to nearest minimum": 0.5}
    return row | {"steps to tolerance": None, "steps run": ending.step, "ending": ending}


@pytest.mark.parametrize("reason", list(ENDINGS))
def test_message_and_summary_read_the_table(reason):
    words = ENDINGS[reason]
    ending = Ending(reason, 7, 1234.5, 1e-6 if reason in ("converged", "max_steps") else 1e10)
    assert ending.status == words.status in ("converged", "diverged", "max_steps")
    at = 8 if reason == "overflow" else 7
    headline = words.headline.format(step=7, at=at, value=ending.value, limit=ending.limit)
    assert ending.message == headline + words.separator + ending.detail
    (shown,) = summary_table([_row(ending)])
    assert shown["stopped at"] == (words.stopped or UNKNOWN_POINT)
    assert shown["why it stopped"].startswith(words.why.split("{")[0])


@pytest.mark.parametrize("kind", list(POINT_KINDS))
def test_a_converged_run_says_where_it_stopped_in_the_table_words(kind):
    ending = Ending("converged", 3, 1e-8, 1e-6, point=kind)
    (shown,) = summary_table([_row(ending)])
    assert shown["stopped at"] == POINT_KINDS[kind].short
    assert f"({POINT_KINDS[kind].headline})" in ending.headline
    assert shown["why it stopped"].endswith(POINT_KINDS[kind].why)


def test_point_kinds_follow_the_curvature_codes_and_reach_the_browser():
    assert list(POINT_KINDS) == list(theory.STATIONARY_KINDS)
    surface = get_surface("saddle")
    overlay = map_data.theory_overlay(surface, run("sgd", surface, (0.5, 0.5), 3, lr=0.01).points)
    assert overlay["kind_words"] == curvature_words() == [w.curvature for w in POINT_KINDS.values()]
    assert curvature_words()[theory.INDEFINITE] == "indefinite: a saddle"


# Known repetitions in pages other sessions are restructuring (to fix there, then drop from here).
ELSEWHERE = {
    # The training page's own divergence message (epochs, not steps): a different sentence.
    ("ui/practice/training_views.py", ": the learning rate is too large"),
}


def _phrases() -> set[str]:
    """The table's literal fragments long enough to be distinctive (templates cut at their fields);
    the curvature kinds' names (theory.CURVATURE_KINDS) are identifiers, not wording."""
    texts = [t for w in ENDINGS.values() for t in (w.headline, w.detail, w.why)]
    texts += [t for w in POINT_KINDS.values() for t in (w.headline, w.why, w.curvature)]
    fragments = {frag.strip() for t in texts for frag in re.split(r"\{[^}]*\}", t)}
    return {f for f in fragments if len(f) >= 16} - set(theory.CURVATURE_KINDS)


def test_every_phrase_is_written_once():
    """No other module (nor the browser code) spells out an ending or a point kind again."""
    phrases = _phrases()
    assert len(phrases) >= 10
    sources = [p for p in ROOT.glob("*/*.py") if p.parts[-2] not in ("tests", "benchmarks")]
    sources += list(ROOT.glob("ui/*.js"))
    copies = [
        f"{p.relative_to(ROOT)}: {phrase!r}"
        for p in sources
        if p.name != "results.py"
        for phrase in phrases
        if phrase in p.read_text(encoding="utf-8")
        and (p.relative_to(ROOT).as_posix(), phrase) not in ELSEWHERE
    ]
    assert not copies, copies
