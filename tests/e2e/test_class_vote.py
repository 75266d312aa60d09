"""The class vote on the lecture page in Debian's Chromium, through `scripts/serve.sh` with two
processes behind nginx: a lecturer (serve.sh's lecturer link) and three students in separate
browser contexts, the students on both processes. The votes reach the lecturer's histogram, the
reveal reaches every student with the verdict on their own vote, and a new round shows two rounds.

The waits are generous (a loaded machine); how fast a vote reaches the histogram is measured in
benchmarks/bench_classroom.py, not asserted here. Skipped when chromium, playwright or nginx is
missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from scenes.lecture import SCENES, decide
from tests.e2e.conftest import wait_for_app
from tests.e2e.hall import NGINX, Hall, lecture_hall

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000
MAX_FRESH_CONTEXTS = 16  # fresh browsers get a random process each: 3 all on one is 1 in 4
SCENE = SCENES[0]  # the lecturer link opens the first scene


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    if NGINX is None:
        pytest.skip("nginx not found (apt-get install nginx)")
    mp = pytest.MonkeyPatch()
    for name in ("PLAYGROUND_CLASSROOM_DB", "PLAYGROUND_LECTURER_KEY", "PLAYGROUND_PUBLIC_URL"):
        mp.delenv(name, raising=False)  # serve.sh's own: a store in its run dir, a fresh key
    try:
        with lecture_hall(tmp_path_factory.mktemp("class-vote"), processes=2) as running:
            yield running
    finally:
        mp.undo()


def lecturer_link(hall: Hall) -> str:
    found = re.search(r"lecturer link [^:]*: (\S+)", hall.log())
    assert found, hall.log()
    return found.group(1)


def upstream(response) -> str:
    return response.headers["x-upstream"].split(",")[-1].strip()


def students_on_both_processes(browser, base_url: str, count: int) -> list:
    """`count` fresh phone-sized browser contexts, their route cookies pinning them to both
    processes (one on each, the rest wherever they land); the contexts not needed are closed."""
    by_process: dict[str, list] = {}
    for _ in range(MAX_FRESH_CONTEXTS):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        by_process.setdefault(upstream(context.request.get(base_url + "/_stcore/health")), []).append(context)
        if len(by_process) == 2 and sum(map(len, by_process.values())) >= count:
            break
    assert len(by_process) == 2, f"{MAX_FRESH_CONTEXTS} fresh browsers all landed on {list(by_process)}"
    first, second = by_process.values()
    chosen = [first[0], second[0], *(first[1:] + second[1:])][:count]
    for context in first + second:
        if context not in chosen:
            context.close()
    return chosen


def open_page(context, url: str):
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    response = page.goto(url)
    assert response is not None and response.ok
    wait_for_app(page, 60_000)
    return page


def test_a_lecturer_and_three_students_vote_on_the_lecture_page(hall, _browser) -> None:
    outcome = decide(SCENE)
    assert len(outcome.right) == 1
    right = chr(65 + outcome.right[0])
    link = lecturer_link(hall)
    key = link.rsplit("lecturer=", 1)[1]

    lecturer = open_page(_browser.new_context(viewport={"width": 1920, "height": 1080}), link)
    assert "lecturer=" not in lecturer.url  # the key left the address bar
    lecturer.get_by_role("button", name="Start a class vote").click()
    join = lecturer.get_by_text(re.compile(r"/lecture\?room=[A-Z2-9]{5}$")).inner_text(timeout=WAIT_MS)
    assert join.startswith(hall.base_url)
    lecturer.locator("[data-testid='stImage'] img").first.wait_for()  # the QR code
    lecturer.get_by_text("0 votes in round 1 (open)").first.wait_for()
    assert key not in lecturer.content() and key not in lecturer.url

    contexts = students_on_both_processes(_browser, hall.base_url, 3)
    students = [open_page(context, join) for context in contexts]
    picks = ["A", "B", "A"]
    for student, pick in zip(students, picks, strict=True):
        assert key not in student.url and key not in student.content()
        button = student.get_by_role("button", name=re.compile(f"^{pick}\\. "))
        button.click()
        student.get_by_role("button", name=re.compile(f"^✓ {pick}\\. ")).first.wait_for()
        assert student.get_by_role("button", name="Reveal").count() == 0  # only the lecturer reveals
    students[2].get_by_role("button", name=re.compile(r"^C\. ")).click()  # a changed vote counts once
    students[2].get_by_role("button", name=re.compile(r"^✓ C\. ")).first.wait_for()
    picks[2] = "C"

    # the histogram refreshes by itself (a fragment): the lecturer's page is not touched
    lecturer.get_by_text("3 votes in round 1 (open)").first.wait_for()
    lecturer.get_by_role("button", name="Reveal", exact=True).click()
    lecturer.get_by_text("3 votes in round 1 (revealed, no more votes)").first.wait_for()
    lecturer.get_by_text(re.compile(f"✔ {right}\\. ")).first.wait_for()  # the scene is revealed too

    for student, pick in zip(students, picks, strict=True):  # the reveal reaches every student
        verdict = "right" if pick == right else f"not right: the answer is {right}"
        student.get_by_text(f"Your answer, {pick}, is {verdict}.").first.wait_for()
        student.get_by_text(re.compile(f"✔ {right}\\. ")).first.wait_for()

    lecturer.get_by_role("button", name="New round", exact=True).click()
    lecturer.get_by_text("0 votes in round 2 (open)").first.wait_for()
    students[0].get_by_role("button", name=re.compile(r"^B\. ")).click()
    lecturer.get_by_text("1 vote in round 2 (open)").first.wait_for()
    legend = lecturer.locator("[data-testid='stPlotlyChart'] .legend").last
    legend.get_by_text("Round 1").first.wait_for()
    legend.get_by_text("Round 2").first.wait_for()
    for page in [lecturer, *students]:
        page.context.close()
