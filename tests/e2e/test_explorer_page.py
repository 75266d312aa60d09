"""The explorer page in a real headless Chromium: draw, move a slider, click the map.

Uses the `streamlit_server`, `browser_page` and `app_wait` fixtures of tests/e2e/conftest.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.e2e

MAP = ".st-key-landscape"
MAP_PATHS = f"{MAP} .scatterlayer .trace"


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0


def _map_svg(page) -> str:
    return page.locator(f"{MAP} .scatterlayer").first.inner_html()


def test_explorer_draws_reacts_to_a_slider_and_to_a_click(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    _no_exception(page)
    assert page.get_by_test_id("stPlotlyChart").count() >= 2
    assert page.locator(f"{MAP} .contourlayer").count() == 1
    before = _map_svg(page)

    # Move the steps slider one notch with the keyboard: the URL and the paths change.
    thumb = page.locator(".st-key-steps input[type='range']")
    thumb.focus()
    thumb.press("ArrowRight")
    app_wait.rerun(page)
    page.wait_for_function("() => window.location.search.includes('steps=61')", timeout=20_000)
    assert page.locator(".st-key-steps input[type='range']").input_value() == "61"
    page.wait_for_function(
        '(old) => document.querySelector(".st-key-landscape .scatterlayer").innerHTML !== old',
        arg=before,
        timeout=20_000,
    )
    _no_exception(page)

    # Click the map (lower right of the plot area): the start point moves there.
    area = page.locator(f"{MAP} .nsewdrag").first.bounding_box()
    assert area is not None
    start_before = page.locator(".st-key-start_x input").input_value()
    page.mouse.move(area["x"] + 0.8 * area["width"], area["y"] + 0.75 * area["height"])
    page.wait_for_timeout(300)  # let plotly pick the hovered point
    page.mouse.click(area["x"] + 0.8 * area["width"], area["y"] + 0.75 * area["height"])
    app_wait.rerun(page)
    page.wait_for_function("() => window.location.search.includes('start_x=')", timeout=20_000)
    start_after = page.locator(".st-key-start_x input").input_value()
    assert float(start_after) > 0 > float(start_before)
    query = _query(page)
    assert float(query["start_x"][0]) == pytest.approx(float(start_after), abs=1e-3)
    assert query["steps"] == ["61"]
    _no_exception(page)


def test_a_shared_link_restores_the_view(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/?surface=rosenbrock&opts=adam&adam_lr=0.07&steps=80")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    _no_exception(page)
    shown = page.locator(".st-key-surface").evaluate(
        "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')"
    )
    assert "Rosenbrock" in shown
    assert page.locator(".st-key-steps input[type='range']").input_value() == "80"
    assert _query(page)["adam_lr"] == ["0.07"]


def test_a_tampered_link_warns_instead_of_failing(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/?surface=nowhere&steps=abc")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    _no_exception(page)
    alerts = page.get_by_test_id("stAlert").all_inner_texts()
    assert any("surface=nowhere" in a for a in alerts)
    assert any("steps=abc" in a for a in alerts)
