"""The explorer page in a real headless Chromium: draw, move a slider, click the map.

Uses the `streamlit_server`, `browser_page` and `app_wait` fixtures of tests/e2e/conftest.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.e2e

MAP = ".st-key-landscape"
MAP_PATHS = f"{MAP} .scatterlayer .trace"
LOSS = ".st-key-loss_chart"  # the loss curves: an in-place Plotly chart (ui/plot_component.py)


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0


def _map_svg(page) -> str:
    return page.locator(f"{MAP} .scatterlayer").first.inner_html()


def _contour_paths(page) -> int:
    """SVG paths of the contour layer actually drawn in the map (0 once the layer is erased)."""
    return page.locator(f"{MAP} .contourlayer path").count()


def _step_label(page):
    return page.locator(f"{MAP} .pg-map-step")


def _wait_step(page, k: int) -> None:
    """Wait until the map has drawn step k (the component marks the plot with the step drawn)."""
    page.wait_for_function(
        "(k) => document.querySelector('.st-key-landscape .pg-map-plot').dataset.step === String(k)", arg=k
    )


def _dots(page) -> int:
    """Step dots the map drew on its canvas (the count it records after drawing them)."""
    return int(page.locator(f"{MAP} .pg-map-plot").evaluate("gd => gd.dataset.dots"))


def _dot_pixels(page, step: int) -> list:
    """For each path: its point at `step` in canvas pixels and the canvas colour there, when it is
    the path's own colour (None otherwise)."""
    return page.locator(f"{MAP} .pg-map").evaluate(
        """(root, k) => {
          const gd = root.querySelector('.pg-map-plot'), canvas = root.querySelector('.pg-map-dots');
          const fl = gd._fullLayout, ctx = canvas.getContext('2d'), r = window.devicePixelRatio || 1;
          return gd.data.filter(t => String(t.meta).startsWith('path:')).map(t => {
            const x = fl.xaxis._offset + fl.xaxis.l2p(t.x[k]), y = fl.yaxis._offset + fl.yaxis.l2p(t.y[k]);
            const [pr, pg, pb, pa] = ctx.getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data;
            const hex = t.line.color.replace('#', '');
            const want = [0, 2, 4].map(i => parseInt(hex.slice(i, i + 2), 16));
            const off = Math.abs(pr - want[0]) + Math.abs(pg - want[1]) + Math.abs(pb - want[2]);
            const same = pa > 200 && off < 30;
            return [x, y, same ? [pr, pg, pb] : null];
          });
        }""",
        step,
    )


def _scrub(page, k: int) -> None:
    """Drag the step slider under the map to k (as a drag does: set the value, fire `input`)."""
    page.locator(f"{MAP} .pg-map-slider").evaluate(
        "(e, k) => { e.value = String(k); e.dispatchEvent(new Event('input', {bubbles: true})); }", k
    )


def _click_map(page, fx: float, fy: float) -> None:
    """Click the parameter-space plot area at fractions (fx, fy) of its width and height."""
    area = page.locator(f"{MAP} .nsewdrag").first.bounding_box()
    assert area is not None
    x, y = area["x"] + fx * area["width"], area["y"] + fy * area["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)  # let plotly pick the hovered point
    page.mouse.click(x, y)


def _visible_colour(page, locator) -> str:
    """The computed text colour of `locator`, asserted visible: not transparent, alpha 1."""
    colour = locator.evaluate("e => getComputedStyle(e).color")
    assert locator.is_visible()
    assert "rgba" not in colour or colour.replace(" ", "").endswith(",1)"), colour
    assert colour not in ("transparent", "rgba(0, 0, 0, 0)"), colour
    return colour


def test_explorer_draws_reacts_to_a_slider_and_to_a_click(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    _no_exception(page)
    page.wait_for_selector(f"{LOSS} .scatterlayer .trace", timeout=30_000)  # the loss curves
    assert _contour_paths(page) > 0
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
    start_before = page.locator(".st-key-start_x input").input_value()
    _click_map(page, 0.8, 0.75)
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


def test_opening_a_closed_optimizer_shows_its_settings_with_the_links_values(
    streamlit_server, browser_page, app_wait
):
    page = browser_page
    page.goto(streamlit_server + "/?adam_lr=0.07")  # four optimizers: their expanders start closed
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    assert page.locator(".st-key-adam_lr").count() == 0  # a closed expander's widgets are not drawn
    page.get_by_test_id("stExpander").locator("summary").filter(has_text="Adam").click()
    slider = page.locator(".st-key-adam_lr")
    slider.wait_for(timeout=20_000)
    assert slider.get_by_text("0.07").first.is_visible()  # the slider's value label
    assert _query(page)["adam_lr"] == ["0.07"]
    _no_exception(page)


def test_a_tampered_link_warns_instead_of_failing(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/?surface=nowhere&steps=abc")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    _no_exception(page)
    alerts = page.get_by_test_id("stAlert").all_inner_texts()
    assert any("surface=nowhere" in a for a in alerts)
    assert any("steps=abc" in a for a in alerts)


def test_play_and_scrub_keep_the_map_the_step_number_and_the_click(streamlit_server, browser_page, app_wait):
    """Issue 10, defect 1: play and the step slider used to erase the contour for good, break the
    click-to-start, and hide the step number in a transparent font."""
    page = browser_page
    page.goto(streamlit_server + "/")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    drawn = _contour_paths(page)
    assert drawn > 0
    assert _step_label(page).inner_text() == "step k = 60"  # the race opens complete

    # Play: the paths restart from step 0 and advance, in the browser (no rerun), to the end.
    page.locator(f"{MAP} .pg-map-play").click()
    page.wait_for_function(
        "() => { const t = document.querySelector('.st-key-landscape .pg-map-step').textContent;"
        " const k = Number(t.split('=')[1]); return k > 0 && k < 60; }",
        timeout=10_000,
    )
    page.wait_for_function(
        "() => document.querySelector('.st-key-landscape .pg-map-step').textContent === 'step k = 60'",
        timeout=20_000,
    )
    _wait_step(page, 60)
    assert _contour_paths(page) == drawn  # the contour is still drawn, every level of it
    _visible_colour(page, _step_label(page))
    assert page.locator(".st-key-steps input[type='range']").input_value() == "60"  # no rerun moved it

    # Scrub: the step slider under the map to step 20; each path ends at step 20 with its head dot.
    _scrub(page, 20)
    _wait_step(page, 20)
    assert _step_label(page).inner_text() == "step k = 20"
    heads = page.locator(f"{MAP} .pg-map-plot").evaluate(
        "gd => gd.data.filter(t => t.meta === 'heads').map(t => t.customdata.map(c => c[0]))"
    )
    assert heads == [[20, 20, 20, 20]]
    lengths = page.locator(f"{MAP} .pg-map-plot").evaluate(
        "gd => gd.data.filter(t => String(t.meta).startsWith('path:')).map(t => t.x.length)"
    )
    assert lengths == [21, 21, 21, 21]
    assert _contour_paths(page) == drawn
    # A dot per step on the canvas under the paths: 4 paths x steps 0..20, each in its path's colour.
    assert _dots(page) == 4 * 21
    for x, y, rgb in _dot_pixels(page, step=20):
        assert rgb is not None, (x, y)

    # The keyboard on the focused map: arrows step, space plays.
    page.locator(f"{MAP} .pg-map").focus()
    page.keyboard.press("ArrowLeft")
    _wait_step(page, 19)
    assert _step_label(page).inner_text() == "step k = 19"

    # A click on the map after play still sets the start point (and the URL).
    start_before = float(page.locator(".st-key-start_x input").input_value())
    _click_map(page, 0.8, 0.75)
    app_wait.rerun(page)
    page.wait_for_function("() => window.location.search.includes('start_x=')", timeout=20_000)
    start_after = float(page.locator(".st-key-start_x input").input_value())
    assert start_after > 0 > start_before
    page.wait_for_selector(MAP_PATHS)
    assert _contour_paths(page) == drawn  # same surface: the contour stays
    _no_exception(page)


def test_the_data_panel_moves_with_the_step_slider(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/?surface=linear_regression&opts=sgd,newton&steps=30")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    gd = page.locator(f"{MAP} .pg-map-plot")
    fit_end = gd.evaluate("gd => Array.from(gd.data.find(t => t.meta === 'fit:sgd').y)")
    _scrub(page, 0)
    _wait_step(page, 0)
    fit_start = gd.evaluate("gd => Array.from(gd.data.find(t => t.meta === 'fit:sgd').y)")
    assert fit_start != fit_end  # the fitted line at step 0 is the start's, not the end's
    assert page.locator(f"{MAP} .x2y2 .scatterlayer .trace").count() >= 3  # data, best fit, fits
    assert _contour_paths(page) > 0
    _no_exception(page)


def _loss_points(page) -> list[int]:
    """Points per curve that the loss chart has drawn (plotly's decoded data)."""
    return page.locator(f"{LOSS} .js-plotly-plot").evaluate("gd => gd._fullData.map((t) => t._length)")


def test_the_loss_chart_is_redrawn_in_place_with_the_new_run(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/")
    app_wait.ready(page)
    page.wait_for_selector(f"{LOSS} .scatterlayer .trace", timeout=30_000)
    _no_exception(page)
    assert _loss_points(page) == [61, 61, 61, 61]  # 60 steps: θ_0 .. θ_60, one curve per optimizer
    # Mark the chart's DOM node: a remount would replace it with a node without the mark.
    page.locator(f"{LOSS} .js-plotly-plot").evaluate("gd => { gd.__pgMark = 'kept'; }")
    thumb = page.locator(".st-key-steps input[type='range']")
    thumb.focus()
    thumb.press("ArrowRight")
    app_wait.rerun(page)
    page.wait_for_function(
        f"() => {{ const gd = document.querySelector('{LOSS} .js-plotly-plot');"
        " return gd && gd._fullData && gd._fullData.every((t) => t._length === 62); }",
        timeout=20_000,
    )
    assert page.locator(f"{LOSS} .js-plotly-plot").evaluate("gd => gd.__pgMark") == "kept"
    assert page.locator(f"{LOSS} .js-plotly-plot").count() == 1
    # The EMA slider reruns only the loss view: the same node shows raw and smoothed curves.
    ema = page.locator(".st-key-ema input[type='range']")
    ema.focus()
    ema.press("ArrowRight")
    page.wait_for_function(
        f"() => document.querySelector('{LOSS} .js-plotly-plot')._fullData.length === 8", timeout=20_000
    )
    assert page.locator(f"{LOSS} .js-plotly-plot").evaluate("gd => gd.__pgMark") == "kept"
    _no_exception(page)


def _surface_shown(page) -> str:
    return page.locator(".st-key-surface").evaluate(
        "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')"
    )


def _nav(page, app_wait, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    app_wait.rerun(page)
    app_wait.ready(page)


def test_the_scene_survives_the_search_page_and_the_back_button(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/?surface=himmelblau&opts=sgd,sgd~2&sgd~2_lr=0.02")
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    scene = _query(page)
    assert scene == {"surface": ["himmelblau"], "opts": ["sgd,sgd~2"], "sgd~2_lr": ["0.02"]}
    _nav(page, app_wait, "Hyperparameter search")
    assert "/search" in page.url
    _nav(page, app_wait, "Explorer")
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    _no_exception(page)
    assert _query(page) == scene  # the nav link: the scene it left
    assert "Himmelblau" in _surface_shown(page)
    _nav(page, app_wait, "Hyperparameter search")
    page.go_back()
    app_wait.rerun(page)
    app_wait.ready(page)
    page.wait_for_selector(MAP_PATHS, timeout=30_000)
    _no_exception(page)
    assert _query(page) == scene  # the back button: the same scene
    assert "Himmelblau" in _surface_shown(page)
    legend = page.locator(f"{MAP} .legendtext").evaluate_all("es => es.map(e => e.textContent)")
    assert "SGD, α 0.02" in legend and "SGD, α 0.01" in legend  # copies, told apart
    assert page.get_by_test_id("stAlert").filter(has_text="unknown").count() == 0


@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080)])
def test_presentation_mode_shows_the_colour_bars_title_whole(streamlit_server, _browser, app_wait, size):
    """On a projector the colour bar's title ("loss L (log)" at 22 px) stays inside the map's
    picture: its right end is left of the SVG's right edge (it was cut at 1920x1080)."""
    context = _browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{streamlit_server}/?present=true&surface=rosenbrock")
        app_wait.ready(page)
        title = page.locator(f"{MAP} .cbtitle").first
        title.wait_for(state="attached")
        assert "loss L" in title.text_content()
        svg = title.locator("xpath=ancestor::*[local-name()='svg'][1]")
        box, picture = title.bounding_box(), svg.bounding_box()
        assert box["width"] > 50  # the title is drawn at its size
        assert box["x"] >= picture["x"] and box["x"] + box["width"] <= picture["x"] + picture["width"]
    finally:
        context.close()
