"""The lecture page on a phone (a student following the lecture with ?room=, issues 20/21): at
390x844 (an iPhone) the scene's head, its stage (map or chart) and its panel stack without
overlapping, the stage's titles and legend do not overlap each other, and no text is cut off at
the screen's or the chart's edge; before and after the reveal, for several kinds of scene.

Uses the `streamlit_server` and `_browser` fixtures of tests/e2e/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scenes.lecture import SCENES
from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/lecture_shots")
# A map, a map with a data panel (two panel titles), a map with its loss chart, and charts.
PHONE_SCENES = (
    "momentum-valley",
    "gauss-newton",
    "lr-decay-noise",
    "under-overfitting",
    "early-stopping",
    "lm-marquardt",
    "bias-variance",
    "newton-cost",
    "solver-map",
)

# Boxes of what the student sees: the head, the stage, the panel, the stage's titles (chart and map
# titles, annotations) and legends, the panel's question, and every visible text of the page with
# the box of the chart or block that holds it (a text sticking out of it is cut off).
_BOXES = """() => {
  const box = (e) => { const b = e.getBoundingClientRect();
    return { left: b.left, top: b.top, right: b.right, bottom: b.bottom }; };
  const visible = (e) => { const b = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return b.width > 0 && b.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && parseFloat(s.opacity || '1') > 0; };
  const all = (sel) => [...document.querySelectorAll(sel)].filter(visible);
  const one = (sel) => { const e = document.querySelector(sel); return e ? box(e) : null; };
  const stage = '.st-key-lecture_stage';
  const titles = all(`${stage} .gtitle, ${stage} .g-gtitle text, ${stage} .annotation-text,
                      ${stage} .g-xtitle text`)
    .map((e) => ({ text: e.textContent, ...box(e) }));
  const legends = all(`${stage} .legend`).map((e) => ({ text: 'legend', ...box(e) }));
  const texts = [];
  for (const e of all(`${stage} svg text`)) {
    const holder = e.closest('svg.main-svg') || e.ownerSVGElement;
    texts.push({ text: e.textContent, ...box(e), within: box(holder) });
  }
  for (const sel of ['.lecture-head span', '.st-key-lecture_panel h3', '.st-key-lecture_panel p',
                     '.st-key-lecture_panel button', `${stage} .pg-map-controls > *`]) {
    for (const e of all(sel)) {
      texts.push({ text: e.textContent.trim().slice(0, 40), ...box(e),
                   within: { left: 0, right: window.innerWidth, top: -1e9, bottom: 1e9 },
                   overflows: e.scrollWidth > e.clientWidth + 1
                     && getComputedStyle(e).overflowX === 'hidden' });
    }
  }
  return { head: one('.lecture-head'), stage: one(stage), panel: one('.st-key-lecture_panel'),
           question: one('.st-key-lecture_panel h3'), titles, legends, texts,
           pageWidth: document.documentElement.scrollWidth };
}"""


def _overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def _check_layout(page, sid: str, when: str) -> None:
    b = page.evaluate(_BOXES)
    where = f"{sid} ({when})"
    assert b["pageWidth"] <= PHONE["width"], f"{where}: the page scrolls sideways ({b['pageWidth']} px)"
    head, stage, panel = b["head"], b["stage"], b["panel"]
    assert head["bottom"] <= stage["top"] + 1, f"{where}: the stage starts inside the head {head} {stage}"
    assert stage["bottom"] <= panel["top"] + 1, f"{where}: the panel starts inside the stage {stage} {panel}"
    # nothing drawn by the stage reaches up into the head or down into the panel's question
    for item in b["titles"] + b["legends"]:
        assert not _overlap(item, head), f"{where}: {item['text']!r} overlaps the scene's title {item} {head}"
        assert not _overlap(item, b["question"]), f"{where}: {item['text']!r} overlaps the question"
    # the stage's titles and legends do not overlap each other
    marks = b["titles"] + b["legends"]
    for i, first in enumerate(marks):
        for second in marks[i + 1 :]:
            assert not _overlap(first, second), f"{where}: {first['text']!r} overlaps {second['text']!r}"
    # no text is cut off at the screen's edge or its chart's
    for t in b["texts"]:
        if not t["text"].strip():
            continue
        w = t["within"]
        assert t["left"] >= max(0, w["left"]) - 1 and t["right"] <= min(PHONE["width"], w["right"]) + 1, (
            f"{where}: {t['text']!r} is cut off at the side: {t}"
        )
        assert t["top"] >= w["top"] - 1 and t["bottom"] <= w["bottom"] + 1, f"{where}: {t['text']!r} cut: {t}"
        assert not t.get("overflows"), f"{where}: {t['text']!r} overflows its box"


@pytest.mark.parametrize("sid", PHONE_SCENES)
def test_a_scene_on_a_phone_stacks_without_overlaps_or_cut_text(streamlit_server, _browser, sid):
    assert sid in {s.id for s in SCENES}
    context = _browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{streamlit_server}/lecture?scene={sid}")
        wait_for_app(page, 60_000)
        page.locator(".st-key-lecture_stage .main-svg >> visible=true").first.wait_for(state="visible")
        _check_layout(page, sid, "before the reveal")
        page.get_by_role("button", name="Reveal").click()
        page.locator(".st-key-lecture_explanation").wait_for(state="visible")
        wait_for_app(page, 60_000)
        page.wait_for_timeout(500)  # the map's first frame after the reveal
        _check_layout(page, sid, "after the reveal")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"phone_{sid}.png"))
    finally:
        context.close()
