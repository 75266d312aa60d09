"""The custom surface in a real headless Chromium: type a formula, see it read (LaTeX) and raced;
type a malformed one, see the error and the page still drawn.

The map is the explorer's map component (`.st-key-landscape`): a contour layer under a layer of
paths and legend.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.e2e

MAP = ".st-key-landscape"
PATHS = f"{MAP} .scatterlayer"
FORMULA_BOX = ".st-key-custom_formula input"


def _no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0


def _paths(page) -> str:
    """The drawn paths' geometry (trace ids change on every redraw; the lines do not)."""
    lines = (
        page.locator(PATHS)
        .first.locator(".lines path")
        .evaluate_all("ps => ps.map(p => p.getAttribute('d'))")
    )
    return "|".join(lines)


def _latex(page) -> str:
    return " ".join(page.locator("[data-testid='stMain'] .katex-mathml").all_text_contents())


def test_typing_a_formula_draws_its_race_and_its_latex(streamlit_server, browser_page, app_wait):
    page = browser_page
    page.goto(streamlit_server + "/?surface=custom&opts=sgd,adam")
    app_wait.ready(page)
    page.wait_for_selector(f"{PATHS} .trace", timeout=30_000)
    _no_exception(page)
    before = _paths(page)
    assert before.count("|") >= 1  # the two paths are drawn
    assert "100" in _latex(page)  # the default formula: Rosenbrock's valley

    box = page.locator(FORMULA_BOX)
    box.fill("x^2 + 3*y^2 + sin(3*x)")
    box.press("Enter")
    app_wait.rerun(page)
    page.wait_for_function("() => window.location.search.includes('custom_formula=')", timeout=20_000)
    assert parse_qs(urlparse(page.url).query)["custom_formula"] == ["x^2 + 3*y^2 + sin(3*x)"]
    page.wait_for_function(
        """([sel, old]) => [...document.querySelectorAll(sel + ' .lines path')]
            .map(p => p.getAttribute('d')).join('|') !== old""",
        arg=[PATHS, before],
        timeout=20_000,
    )
    _no_exception(page)
    latex = _latex(page)
    assert "sin" in latex and "100" not in latex
    legend = " ".join(page.locator(f"{MAP} .legendtext").all_text_contents())
    assert "SGD" in legend and "Adam" in legend  # both raced on the new formula
    assert page.locator(f"{PATHS} .trace").count() >= 2

    # A malformed formula: the error names the column, the page keeps the last good race.
    drawn = _paths(page)
    assert drawn and drawn != before
    box.fill("x + 2y")
    box.press("Enter")
    app_wait.rerun(page)
    alert = page.get_by_test_id("stAlert").filter(has_text="column 5")
    alert.wait_for(timeout=20_000)
    assert "write 2*y" in alert.inner_text()
    _no_exception(page)
    assert _paths(page) == drawn
    assert "sin" in _latex(page)
