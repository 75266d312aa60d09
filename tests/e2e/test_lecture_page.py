"""The lecture page in a real headless Chromium, keyboard only: every scene in order with PageDown,
each drawn (its chart visible, no error, on screen) and its "k / N" counter advancing; the back
button, a reveal and the lecturer's locked link.

Uses the `streamlit_server` and `_browser` fixtures of tests/e2e/conftest.py.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from scenes.lecture import SCENES
from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

COUNTER = ".lecture-count"
STAGE = ".st-key-lecture_stage"
CHART = f"{STAGE} .main-svg"
SHOTS = Path("/tmp/lecture_shots")
SHOT_EVERY = 6  # a screenshot of every sixth scene, to look at


def _open(context, base_url: str, query: str):
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/lecture{query}")
    wait_for_app(page, 60_000)
    return page


def _drawn(page, k: int) -> None:
    """Scene k (1-based) is drawn: the counter says k / N, a chart is visible, no error, and the
    chart's top and the first answer are on screen."""
    page.wait_for_function(
        "([sel, text]) => { const c = document.querySelector(sel); return c && c.textContent === text; }",
        arg=[COUNTER, f"{k} / {len(SCENES)}"],
    )
    wait_for_app(page, 60_000)
    chart = page.locator(CHART).first
    chart.wait_for(state="visible")
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0, SCENES[k - 1].id
    height = page.viewport_size["height"]
    box = chart.bounding_box()
    assert box is not None and box["height"] > 150 and box["y"] < height
    first = page.locator(".st-key-lecture_panel button").first.bounding_box()
    assert first is not None and first["y"] + first["height"] <= height, SCENES[k - 1].id


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
def test_every_scene_in_order_with_page_down(streamlit_server, _browser, size):
    context = _browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = _open(context, streamlit_server, f"?scene={SCENES[0].id}")
        SHOTS.mkdir(exist_ok=True)
        for k in range(1, len(SCENES) + 1):
            _drawn(page, k)
            assert parse_qs(urlparse(page.url).query)["scene"] == [SCENES[k - 1].id]
            if (k - 1) % SHOT_EVERY == 0:
                page.screenshot(path=str(SHOTS / f"{k:02d}_{SCENES[k - 1].id}_{size[0]}.png"))
            if k < len(SCENES):
                page.evaluate("document.activeElement && document.activeElement.blur()")  # nothing focused
                page.keyboard.press("PageDown")
    finally:
        context.close()


def test_text_is_at_least_20px(streamlit_server, _browser):
    context = _browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = _open(context, streamlit_server, "?scene=rmsprop-valley")
        _drawn(page, [s.id for s in SCENES].index("rmsprop-valley") + 1)
        sizes = page.locator(".st-key-lecture_panel p").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert sizes and min(sizes) >= 20
    finally:
        context.close()


def test_end_home_back_button_and_reveal(streamlit_server, _browser):
    context = _browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = _open(context, streamlit_server, f"?scene={SCENES[1].id}")
        _drawn(page, 2)
        page.keyboard.press("End")
        _drawn(page, len(SCENES))
        page.keyboard.press("Home")
        _drawn(page, 1)
        page.go_back()  # back to the last scene, then to the second
        _drawn(page, len(SCENES))
        page.go_back()
        _drawn(page, 2)
        # predict: pick the first answer; the right one is marked and the explanation shows
        page.locator(".st-key-lecture_panel button").first.click()
        wait_for_app(page, 60_000)
        panel = page.locator(".st-key-lecture_panel").inner_text()
        assert "✔" in panel and "your answer" in panel and "Your answer, A, is" in panel
    finally:
        context.close()


def test_the_lecturer_link_hides_the_sidebar(streamlit_server, _browser):
    context = _browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = _open(context, streamlit_server, f"?scene={SCENES[0].id}&lock=1")
        _drawn(page, 1)
        assert not page.get_by_test_id("stSidebar").is_visible()
        page.keyboard.press("PageDown")
        _drawn(page, 2)
    finally:
        context.close()


# The first line box of the first text in `sel` (or of the first text containing `needle`): its
# top and bottom, with the visible part of the lecture panel (which may scroll inside the window).
_FIRST_LINE = """([sel, needle]) => {
  const root = document.querySelector(sel);
  if (!root) return null;
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const at = needle ? n.data.indexOf(needle) : n.data.search(/\\S/);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(n, at);
    range.setEnd(n, at + 1);
    const r = range.getBoundingClientRect();
    const p = document.querySelector('.st-key-lecture_panel').getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right,
      clipTop: p.top, clipBottom: p.bottom };
  }
  return null;
}"""
# Every text of the scene's head and panel, with its font size in px (an exponent aside).
_TEXT_SIZES = """() => {
  const out = [];
  for (const sel of ['.lecture-head', '.st-key-lecture_panel']) {
    const walk = document.createTreeWalker(document.querySelector(sel), NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.data.trim() || !n.parentElement.getClientRects().length) continue;
      if (n.parentElement.style.fontSize === '70%') continue; // a power of ten's exponent (plotly)
      out.push([n.data.trim().slice(0, 40), parseFloat(getComputedStyle(n.parentElement).fontSize)]);
    }
  }
  return out;
}"""


def _on_screen(page, sel: str, needle: str | None, what: str, sid: str) -> None:
    """The first line of `sel`'s text (or the text `needle` in it) is inside the viewport and the
    panel's visible part."""
    box = page.evaluate(_FIRST_LINE, [sel, needle])
    assert box is not None, f"{sid}: no {what}"
    view = page.viewport_size
    assert box["top"] >= max(0, box["clipTop"]) - 1, f"{sid}: the {what} is above the view: {box}"
    assert box["bottom"] <= min(view["height"], box["clipBottom"]) + 1, f"{sid}: the {what} is below: {box}"
    assert box["left"] >= 0 and box["right"] <= view["width"], f"{sid}: the {what} is off to a side: {box}"


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)], ids=["1280x720", "1366x768"])
def test_every_scene_fits_on_screen_after_the_reveal(streamlit_server, _browser, size):
    """Presentation sizing: for every scene after the reveal, the question, every answer, the
    marked right answer, ▶ (a map's) and the explanation's first line are inside the window, and
    every text of the scene's head and panel is at least 20 px."""
    context = _browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = _open(context, streamlit_server, f"?scene={SCENES[0].id}")
        SHOTS.mkdir(exist_ok=True)
        for k, scene in enumerate(SCENES, start=1):
            if k > 1:
                page.evaluate("document.activeElement && document.activeElement.blur()")
                page.keyboard.press("PageDown")
            _drawn(page, k)
            page.get_by_role("button", name="Reveal").click()
            page.locator(".st-key-lecture_explanation").wait_for(state="visible")
            wait_for_app(page, 60_000)
            assert page.evaluate("document.scrollingElement.scrollTop") == 0, scene.id
            _on_screen(page, ".st-key-lecture_panel h3", None, "question", scene.id)
            for i in range(len(scene.answers)):
                _on_screen(
                    page, ".st-key-lecture_answers", f"{chr(65 + i)}.", f"answer {chr(65 + i)}", scene.id
                )
            _on_screen(page, ".st-key-lecture_answers", "✔", "marked right answer", scene.id)
            _on_screen(page, ".st-key-lecture_explanation", None, "explanation's first line", scene.id)
            if scene.page == "explorer":
                play = page.locator(f"{STAGE} .pg-map-play").bounding_box()
                assert play is not None, scene.id
                assert play["y"] >= 0 and play["y"] + play["height"] <= size[1], f"{scene.id}: ▶ {play}"
                # the map's controls end before the panel begins
                controls = page.locator(f"{STAGE} .pg-map-controls > :visible").last.bounding_box()
                panel = page.locator(".st-key-lecture_panel").bounding_box()
                assert controls["x"] + controls["width"] <= panel["x"], f"{scene.id}: controls over the panel"
            small = [(text, px) for text, px in page.evaluate(_TEXT_SIZES) if px < 20]
            assert not small, f"{scene.id}: text under 20 px: {small}"
            if k % 5 == 1:
                page.screenshot(path=str(SHOTS / f"revealed_{k:02d}_{scene.id}_{size[0]}.png"))
    finally:
        context.close()
