"""The class vote in Debian's Chromium: a lecturer and three students in separate browser contexts,
on two `streamlit run` processes that share one SQLite store, students on both processes.

The page is a tiny test page around `ui/classroom.py` (the lecture page calls the same pieces):
without `?room=` it is the lecturer's panel, with it a student's. Marked e2e (slow, a browser).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.browser import ROOT, chromium_path, streamlit_server

pytestmark = pytest.mark.e2e

KEY = "a-long-lecturer-key"
PAGE = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from ui import classroom as class_vote

if "room" in st.query_params:
    question = class_vote.joined_question()
    if question is not None:
        st.markdown(f"Question {{question.question_id}}, round {{question.round}}: {{question.state}}")
        class_vote.student_panel(question)
else:
    question = class_vote.lecturer_panel("q1", ["Adam", "SGD", "Momentum"])
"""
WAIT_MS = 10_000  # generous for a loaded machine; the refresh itself is every 1-2 s


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Base URLs of two Streamlit processes running the test page on one SQLite store."""
    if chromium_path() is None:
        pytest.skip("chromium not found (apt-get install chromium, or set CHROMIUM_PATH)")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    tmp = tmp_path_factory.mktemp("classroom-e2e")
    page = tmp / "class_vote_page.py"
    page.write_text(PAGE)
    mp = pytest.MonkeyPatch()
    mp.setenv("PLAYGROUND_CLASSROOM_DB", str(tmp / "class.db"))
    mp.delenv("PLAYGROUND_LECTURER_KEY", raising=False)
    mp.delenv("PLAYGROUND_PUBLIC_URL", raising=False)
    try:
        with (
            streamlit_server(page, tmp / "a.log") as first,
            streamlit_server(page, tmp / "b.log") as second,
        ):
            yield first, second
    finally:
        mp.undo()


@pytest.fixture
def browser(two_processes, _browser) -> object:
    """The session's Chromium (tests/e2e/conftest.py): a second sync_playwright() in one process
    fails while the first is running ("Sync API inside the asyncio loop")."""
    return _browser


def new_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    return page


def test_a_lecturer_and_three_students_on_two_processes(two_processes, browser) -> None:
    first, second = two_processes
    lecturer = new_page(browser, first)
    lecturer.get_by_text("Class vote: every student answers").click()  # unfold the key field
    lecturer.get_by_label("Lecturer key", exact=True).fill(KEY)
    lecturer.get_by_role("button", name="Start a class vote").click()
    link = lecturer.get_by_text(re.compile(r"\?room=[A-Z2-9]{5}$")).inner_text(timeout=WAIT_MS)
    code = link.rsplit("=", 1)[1]
    qr = lecturer.locator("[data-testid='stImage'] img")
    qr.wait_for(timeout=WAIT_MS)
    assert qr.evaluate("img => img.naturalWidth") >= 280  # scannable from the back of a hall
    assert KEY not in lecturer.content()  # the key is nowhere in the lecturer's page
    lecturer.get_by_text("0 votes in round 1 (open)").wait_for(timeout=WAIT_MS)

    students = [new_page(browser, f"{base}/?room={code}") for base in (second, first, second)]
    picks = ["Adam", "SGD", "Adam"]
    for student, pick in zip(students, picks, strict=True):
        student.get_by_text("Question q1, round 1: open").wait_for(timeout=WAIT_MS)
        student.get_by_role("button", name=pick, exact=True).click()
        student.get_by_role("button", name=f"✓ {pick}").wait_for(timeout=WAIT_MS)
        assert f"Your vote: {pick}" in student.inner_text("body")

    # The histogram refreshes by itself (a fragment), without touching the lecturer's page.
    lecturer.get_by_text("3 votes in round 1 (open)").wait_for(timeout=WAIT_MS)

    lecturer.get_by_role("button", name="Reveal").click()
    for student in students:  # the reveal reaches every student, on both processes
        student.get_by_text("Question q1, round 1: revealed").wait_for(timeout=WAIT_MS)
        answers = student.get_by_role("button", name=re.compile(r"^(✓ )?(Adam|SGD|Momentum)$")).all()
        assert len(answers) == 3 and all(button.is_disabled() for button in answers)

    lecturer.get_by_role("button", name="New round").click()
    lecturer.get_by_text("0 votes in round 2 (open)").wait_for(timeout=WAIT_MS)
    students[0].get_by_text("Question q1, round 2: open").wait_for(timeout=WAIT_MS)
    students[0].get_by_role("button", name="SGD", exact=True).click()
    lecturer.get_by_text("1 vote in round 2 (open)").wait_for(timeout=WAIT_MS)
    for page in [lecturer, *students]:
        page.context.close()


def test_a_hostile_room_in_the_url_is_a_message(two_processes, browser) -> None:
    page = new_page(browser, f"{two_processes[0]}/?room=%27%3B%20DROP%20TABLE%20x%3B%20--{'x' * 5000}")
    page.get_by_text("This link's room code is not valid").wait_for(timeout=WAIT_MS)
    assert "Traceback" not in page.inner_text("body")
    page.context.close()
