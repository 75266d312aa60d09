"""An exported race opened from disk in Chromium with every network request blocked: the map is
drawn, ▶ moves the paths, the loss chart (and LM's λ panel) are drawn, and nothing errs."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from export import build_html
from scenes import lessons

SCENES = {
    **{f"lesson {name}": f"preset={name}" for name in lessons.PRESETS},
    "custom formula": "surface=custom&custom_formula=sin(x)*cos(y)%2B0.1*(x^2%2By^2)&custom_x_range=-3,3"
    "&custom_y_range=-3,3&start_x=2&start_y=1.5&opts=sgd,adam&steps=120",
    "copies": "surface=rosenbrock&opts=sgd,adam,sgd~2,sgd~3&sgd~2_lr=0.0005&sgd~3_lr=0.001"
    "&sgd~3_sched=step&steps=200",
    "pins": "surface=rosenbrock&opts=sgd,adam&adam_lr=0.3&pins=adam:lr=0.05,sgd:lr=0.001",
    "residuals with LM": "surface=custom&custom_formula=1-x;10*(y-x^2)&opts=gauss_newton,lm&lm_damping=10"
    "&steps=40",
}


@pytest.fixture
def offline_page(_browser) -> Iterator[tuple[object, list[str], list[str]]]:
    """A page whose every request but the file itself is aborted; yields (page, errors, blocked)."""
    context = _browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    blocked: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(("file://", "data:", "blob:")):  # the file, and images it makes
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page, errors, blocked
    finally:
        context.close()


def _heads(page) -> list[list[float]]:
    return page.evaluate(
        "() => { const t = document.querySelector('.pg-map-plot').data.find((d) => d.meta === 'heads');"
        " return [Array.from(t.x), Array.from(t.y)]; }"
    )


def _path_lengths(page) -> list[int]:
    return page.evaluate(
        "() => document.querySelector('.pg-map-plot').data"
        ".filter((d) => String(d.meta).startsWith('path:')).map((d) => d.x.length)"
    )


@pytest.mark.parametrize("query", list(SCENES.values()), ids=list(SCENES))
def test_an_export_plays_offline(offline_page, tmp_path: Path, query: str):
    page, errors, blocked = offline_page
    path = tmp_path / "race.html"
    path.write_text(build_html(query), encoding="utf-8")
    page.goto(path.as_uri())
    plot = page.locator(".pg-map-plot")
    page.wait_for_selector(".pg-map-plot[data-step]")
    page.wait_for_selector(".pg-map-bg .main-svg")  # the contour layer
    n = int(page.locator(".pg-map-slider").get_attribute("max"))
    assert int(plot.get_attribute("data-step")) == n  # opens on the finished race
    end_heads, end_lengths = _heads(page), _path_lengths(page)
    assert end_lengths and max(end_lengths) == n + 1
    page.wait_for_selector("#loss .main-svg")
    # A click sets θ₀ in the app only: the file's map never invites one.
    assert "▶ plays the race" in page.locator(".pg-map-hint").inner_text()
    page.locator(".pg-map-plot").hover()
    page.wait_for_function("() => document.querySelector('.pg-map-readout').textContent.includes('L ≈')")
    assert "click" not in page.locator(".pg-map-hint").inner_text()
    page.mouse.move(0, 0)
    assert "click" not in page.locator(".pg-map-hint").inner_text()

    page.locator(".pg-map-play").click()  # from the end, ▶ starts over
    step = "+document.querySelector('.pg-map-plot').dataset.step"
    page.wait_for_function(f"() => {step} <= {n // 3}")  # restarted
    early_heads, early_lengths = _heads(page), _path_lengths(page)
    page.wait_for_function(f"() => {step} === {n}")  # played to the end
    assert page.locator(".pg-map-play").inner_text() == "▶"  # and paused there
    assert _heads(page) != early_heads  # the heads moved (an LM run may stand still while it rejects)
    assert max(_path_lengths(page)) > max(early_lengths)  # the paths grew
    assert early_heads != end_heads
    if "lm" in query:
        page.wait_for_selector("#damping .main-svg")  # LM's λ panel
    assert blocked == []
    assert errors == []


def test_a_screenshot_of_an_export(offline_page, tmp_path: Path):
    """For a person to look at: tests/e2e/screenshots/export_decay.png (not compared)."""
    page, errors, _ = offline_page
    path = tmp_path / "race.html"
    path.write_text(build_html("preset=decay"), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(".pg-map-plot[data-step]")
    page.wait_for_selector("#loss .main-svg")
    out = Path("/tmp/export_decay.png")
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 10_000
    assert errors == []


def test_the_explorer_downloads_its_race_and_the_file_plays_offline(
    streamlit_server, browser_page, app_wait, offline_page, tmp_path: Path
):
    """The page's "Download this race (HTML)" gives the scene of its URL, which then plays offline."""
    page = browser_page
    page.goto(streamlit_server + "/?surface=rosenbrock&opts=sgd,adam&adam_lr=0.07&steps=80")
    app_wait.ready(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this race (HTML)").click()
    path = tmp_path / "race.html"
    download.value.save_as(path)
    offline, errors, blocked = offline_page
    offline.goto(path.as_uri())
    offline.wait_for_selector(".pg-map-plot[data-step='80']")
    headline = offline.locator("[data-role=headline]").inner_text()
    assert headline.startswith("Rosenbrock's banana valley: SGD and Adam")
    assert "learning rate α = 0.07" in offline.locator("[data-role=runs]").inner_text()
    live = offline.locator("[data-role=live]").get_attribute("href")
    assert live.startswith(streamlit_server) and "adam_lr=0.07" in live
    assert errors == [] and blocked == []
    width, height, _ = _slide(page, "1920x1080+loss", tmp_path)  # the same slide from the live page
    assert (width, height) == (1920, 1080)


def _slide(page, choice: str, tmp_path: Path) -> tuple[int, int, bytes]:
    """Download the map's slide PNG for `choice`; its (width, height) from the PNG header, and its bytes."""
    page.select_option(".pg-map-slide", choice)
    with page.expect_download() as download:
        page.locator(".pg-map-png").click()
    out = tmp_path / download.value.suggested_filename
    download.value.save_as(out)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height, data


@pytest.mark.parametrize(
    ("query", "choice", "size"),
    [("preset=rmsprop_valley", "1920x1080", (1920, 1080)), ("preset=lm_blend", "1280x720+loss", (1280, 720))],
)
def test_a_slide_png_from_an_export(offline_page, tmp_path: Path, query, choice, size):
    """plotly.js's own image export, in the browser, offline: the slide's size, and a picture."""
    page, errors, blocked = offline_page
    path = tmp_path / "race.html"
    path.write_text(build_html(query), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(".pg-map-plot[data-step]")
    width, height, data = _slide(page, choice, tmp_path)
    assert (width, height) == size
    assert len(data) > 50_000  # a picture, not an empty frame
    assert page.locator(".pg-map").get_attribute("data-slide") == choice
    assert errors == [] and blocked == []
