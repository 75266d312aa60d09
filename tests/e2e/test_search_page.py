"""The hyperparameter-search page in a real headless Chromium: it loads at /search, draws its
charts, survives a control change and a tab switch, and never shows a Streamlit exception."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def _charts(page):
    return page.get_by_test_id("stPlotlyChart")


def _no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


def test_search_page_draws_and_reacts(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(f"{streamlit_server}/search")
    app_wait.ready(page)
    page.get_by_role("heading", name="Hyperparameter search").wait_for()
    _charts(page).first.wait_for()
    _no_exception(page)
    assert _charts(page).count() >= 2  # search picture and paths on the first tab
    page.get_by_text("Best setting:").wait_for()

    # Switch to random search: the heatmap becomes a scatter titled "Random search".
    page.locator(".st-key-tune_method").get_by_text("Random search").click()
    app_wait.rerun(page)
    page.locator(".st-key-tune_search_chart").get_by_text("Random search: 300 settings").wait_for()
    _no_exception(page)

    # A request over the bound is clipped, and the page says so.
    steps = page.locator(".st-key-tune_steps input")
    steps.fill("5000")
    steps.press("Enter")
    app_wait.rerun(page)
    page.get_by_text("one request is limited to").first.wait_for()
    _no_exception(page)


def test_many_start_map_tab(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(f"{streamlit_server}/search")
    app_wait.ready(page)
    page.get_by_role("tab", name="Many-start map").click()
    chart = page.locator(".st-key-tune_map_chart")
    chart.get_by_text("Which minimum each start reaches").wait_for()
    page.locator(".st-key-tune_map_color").get_by_text("steps to converge").click()
    app_wait.rerun(page)
    chart.get_by_text("Steps to converge (L − L* ≤ 0.001)").wait_for()
    _no_exception(page)


def test_clicking_a_heatmap_cell_picks_that_setting(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(f"{streamlit_server}/search")
    app_wait.ready(page)
    link = page.locator(".st-key-tune_explorer_link a").first
    link.wait_for()
    assert link.inner_text().startswith("Open rank 1 (")
    plot_area = page.locator(".st-key-tune_search_chart .nsewdrag").first
    plot_area.scroll_into_view_if_needed()
    box = plot_area.bounding_box()
    x, y = box["x"] + 0.3 * box["width"], box["y"] + 0.5 * box["height"]  # small lr: a poor setting
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    app_wait.rerun(page)
    page.locator(".st-key-tune_search_chart").get_by_text("picked:").wait_for()
    assert not link.inner_text().startswith("Open rank 1 (")
    _no_exception(page)


def test_explorer_link_carries_the_setting(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(f"{streamlit_server}/search")
    app_wait.ready(page)
    link = page.locator(".st-key-tune_explorer_link a").first
    link.wait_for()
    href = link.get_attribute("href")
    assert "opts=adam" in href and "adam_lr=" in href and "surface=rosenbrock" in href
    # Open it as a new session, as a click would (new tab): the explorer takes the settings.
    page.goto(f"{streamlit_server}/{href.lstrip('./')}")
    app_wait.ready(page)
    page.locator(".st-key-loss_chart .js-plotly-plot .scatterlayer .trace").first.wait_for()  # the explorer's
    _no_exception(page)
    assert page.locator("[data-testid='stAlertContentWarning']").count() == 0


def _watch_reruns(page) -> list[list[str]]:
    """Collects, for every script run the server starts, the fragments it reruns ([] = the whole
    page), read from Streamlit's own NewSession messages on the websocket."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs: list[list[str]] = []

    def on_frame(payload):
        if isinstance(payload, bytes | bytearray):
            msg = ForwardMsg()
            msg.ParseFromString(bytes(payload))
            if msg.WhichOneof("type") == "new_session":
                runs.append(list(msg.metadata.run.fragment_ids))

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return runs


def test_a_search_control_and_a_cell_click_rerun_only_the_search(streamlit_server, browser_page, app_wait):
    page = browser_page
    runs = _watch_reruns(page)
    page.goto(f"{streamlit_server}/search")
    app_wait.ready(page)
    page.locator(".st-key-tune_explorer_link a").first.wait_for()
    assert runs and runs[0] == []  # the first run draws the whole page
    seen = len(runs)

    plot_area = page.locator(".st-key-tune_search_chart .nsewdrag").first
    plot_area.scroll_into_view_if_needed()
    box = plot_area.bounding_box()
    x, y = box["x"] + 0.3 * box["width"], box["y"] + 0.5 * box["height"]
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    app_wait.rerun(page)
    chart = page.locator(".st-key-tune_search_chart")
    chart.get_by_text("picked:").wait_for()
    page.get_by_text("The best setting (bold), the picked one (dashed)").wait_for()
    assert runs[seen:] and all(fragments for fragments in runs[seen:]), runs
    seen = len(runs)

    grid_n = page.locator(".st-key-tune_grid_n input")
    grid_n.fill("10")
    grid_n.press("Enter")
    app_wait.rerun(page)
    chart.get_by_text("Grid search: 10 × 30 = 300 settings").wait_for()
    assert runs[seen:] and all(fragments for fragments in runs[seen:]), runs  # fragment reruns only
    assert "tune_grid_n=10" in page.url  # the fragment wrote the URL itself

    # The rest of the page is still there, untouched: the sidebar and the other tabs.
    page.get_by_role("tab", name="Many-start map").click()
    page.locator(".st-key-tune_map_chart").get_by_text("Which minimum each start reaches").wait_for()
    assert page.locator("[data-testid='stSidebar']").get_by_text("Problem").count() >= 1
    _no_exception(page)


def test_a_big_search_shows_progress_and_can_be_cancelled(streamlit_server, browser_page, app_wait):
    """L-BFGS, 40,000 runs x 1,000 steps runs in the worker process: a progress bar, then Cancel
    stops it (the page says so, no exception), and "Run it again" starts it anew."""
    page = browser_page
    page.goto(
        f"{streamlit_server}/search?tune_optimizer=lbfgs&tune_method=random&tune_k=40000&tune_steps=1000"
    )
    page.get_by_text("runs done").first.wait_for(timeout=90_000)  # progress reported by the worker
    page.locator(".st-key-tune_cancel_search button").first.click()
    page.get_by_text("The search was cancelled").wait_for(timeout=60_000)
    _no_exception(page)
    page.locator(".st-key-tune_again_search button").first.click()
    page.get_by_text("runs done").first.wait_for(timeout=90_000)
    page.locator(".st-key-tune_cancel_search button").first.click()  # leave the worker free
    page.get_by_text("The search was cancelled").wait_for(timeout=60_000)
