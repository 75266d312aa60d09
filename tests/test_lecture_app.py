"""The lecture page in Streamlit's AppTest: a scene from its link, predict then reveal, the
student's answer judged by the scene's claims, the lecturer's locked link, a bad scene id."""

from __future__ import annotations

from scenes.lecture import BY_ID, SCENES, decide
from tests import apptest


def _render() -> None:
    import ui.lecture

    ui.lecture.render()


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_scene_opens_from_its_link_with_its_question_first():
    scene = BY_ID["rmsprop-valley"]
    at = apptest.page(_render, {"scene": scene.id})
    k = [s.id for s in SCENES].index(scene.id) + 1
    assert f"{k} / {len(SCENES)}" in _text(at)
    labels = [b.label for b in at.button]
    assert labels[-1] == "Reveal" and labels[0].startswith("A. ")
    assert "Try this" not in _text(at)  # nothing is revealed before an answer


def test_an_answer_is_judged_by_the_claims():
    scene = BY_ID["newton-quadratic"]
    right = decide(scene).right[0]
    wrong = (right + 1) % len(scene.answers)
    at = apptest.page(_render, {"scene": scene.id})
    at.button(key=f"lecture_answer_{scene.id}_{wrong}").click().run()
    text = _text(at)
    assert f"Your answer, {chr(65 + wrong)}, is not right: the answer is {chr(65 + right)}" in text
    assert "Try this" in text and "{" not in text


def test_reveal_without_an_answer_marks_the_right_one():
    scene = BY_ID["bias-variance"]
    right = decide(scene).right[0]
    at = apptest.page(_render, {"scene": scene.id})
    at.button(key=f"lecture_reveal_{scene.id}").click().run()
    assert f":green[✔ **{chr(65 + right)}.**" in _text(at)


def test_the_lecturer_link_draws_no_sidebar_controls():
    at = apptest.page(_render, {"scene": SCENES[0].id, "lock": "1"})
    assert len(at.sidebar.selectbox) == 0
    at = apptest.page(_render, {"scene": SCENES[0].id})
    assert len(at.sidebar.selectbox) == 1


def test_an_unknown_scene_warns_and_opens_the_first():
    at = apptest.page(_render, {"scene": "no-such-scene"})
    assert any("no-such-scene" in w.value for w in at.warning)
    assert f"1 / {len(SCENES)}" in _text(at)


def test_a_hostile_scene_id_stays_inside_its_code_span():
    at = apptest.page(_render, {"scene": "x`[click](http://evil.example)" + "y" * 300})
    warning = at.warning[0].value
    assert warning.count("`") == 2 and len(warning) < 200
