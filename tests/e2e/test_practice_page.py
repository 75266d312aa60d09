"""The training-practice page in a real headless Chromium: it loads at /training and trains, the
epoch slider under the data scrubs the decision boundary (and the regression curve) in the browser
without a rerun, and the test score appears only when asked for."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

# Counts the app's script runs from now on (Streamlit marks the app "running" during each one).
COUNT_RERUNS = """() => {
    window.__reruns = 0;
    const app = document.querySelector("[data-testid='stApp']");
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__reruns += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""

# The fit trace of the data chart: a fingerprint of its values, and the slider's label.
FIT_STATE = """(key) => {
    const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    const fit = gd.data.find(t => t.meta === 'fit');
    const values = [];
    const walk = (v) => {
        if (v && v._inputArray) v = v._inputArray;  // a typed array as sent: {dtype, bdata, shape}
        if (typeof v === 'number') values.push(v);
        else if (v && v.length !== undefined) for (const x of v) walk(x);
    };
    walk(fit.type === 'contour' ? fit.z : fit.y);
    const label = gd.querySelector('.slider-group > text.slider-label');
    const sum = values.reduce((a, b) => a + b, 0);
    return {sum: sum, n: values.length, label: label ? label.textContent : null};
}"""


def _no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


def _scrub_to_start(page, key: str) -> None:
    """Click the left end of the epoch slider's rail (Plotly's own slider, drawn in SVG)."""
    rail = page.locator(f".st-key-{key} .slider-rail-rect").first
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)


def _open(page, url: str, app_wait) -> None:
    page.goto(url)
    app_wait.ready(page)
    page.get_by_role("heading", name="Training practice").wait_for()
    page.locator(".st-key-tr_data_chart .slider-rail-rect").first.wait_for()
    _no_exception(page)


def test_boundary_scrubs_in_the_browser_and_the_test_score_waits(streamlit_server, browser_page, app_wait):
    page = browser_page
    _open(page, f"{streamlit_server}/training?tr_epochs=60", app_wait)
    page.locator(".st-key-tr_loss_chart").get_by_text("best validation loss: epoch").wait_for()
    before = page.evaluate(FIT_STATE, "tr_data_chart")
    assert before["label"] == "epoch = 60" and before["n"] == 50 * 50

    page.evaluate(COUNT_RERUNS)
    _scrub_to_start(page, "tr_data_chart")
    after = page.evaluate(FIT_STATE, "tr_data_chart")
    assert after["label"] == "epoch = 0"
    assert after["n"] == before["n"] and abs(after["sum"] - before["sum"]) > 1.0  # another boundary
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__reruns") == 0  # scrubbing ran no script

    # The test score: hidden, then shown on request (the test points join the data chart).
    assert page.get_by_text("test error rate", exact=False).count() == 0
    page.get_by_role("button", name="Show the test score").click()
    app_wait.rerun(page)
    page.get_by_text("test error rate (1 − accuracy) (final parameters)").wait_for()
    page.locator(".st-key-tr_data_chart").get_by_text("test (40)").wait_for()
    _no_exception(page)

    assert "tr_test_looks=1" in page.url  # the count of looks survives a reload
    page.reload()
    app_wait.ready(page)
    page.get_by_text("You have looked at this data set's test part 1 time(s)", exact=False).wait_for()

    # New data: the next seed, a new test part: asking is a first look again, not peeking.
    page.get_by_role("button", name="New data").click()
    app_wait.rerun(page)
    assert page.locator(".st-key-tr_seed input").input_value() == "1"
    page.get_by_role("button", name="Show the test score").wait_for()
    assert page.get_by_text("asking again now is", exact=False).count() == 0
    _no_exception(page)


def test_regression_curve_scrubs_and_newton_is_one_step(streamlit_server, browser_page, app_wait):
    page = browser_page
    query = (
        "tr_dataset=sine&tr_n=60&tr_noise=0.3&tr_model=polynomial&tr_degree=4&tr_optimizer=adam&tr_epochs=40"
    )
    _open(page, f"{streamlit_server}/training?{query}", app_wait)
    before = page.evaluate(FIT_STATE, "tr_data_chart")
    page.evaluate(COUNT_RERUNS)
    _scrub_to_start(page, "tr_data_chart")
    after = page.evaluate(FIT_STATE, "tr_data_chart")
    assert after["label"] == "epoch = 0" and after["sum"] == 0.0  # θ₀ = 0: the flat line f = 0
    assert before["sum"] != 0.0
    assert page.evaluate("() => window.__reruns") == 0

    # Newton: the page says it lands in one step.
    page.goto(
        f"{streamlit_server}/training?tr_dataset=sine&tr_model=polynomial&tr_optimizer=newton&tr_epochs=1"
    )
    app_wait.ready(page)
    page.get_by_text("lands on the ridge solution in one step", exact=False).wait_for()
    _no_exception(page)
