"""The lecture's scenes (scenes/lecture.py) decided on the engine's numbers: every scene has
exactly one right answer, its follow-up holds, every text fills from its numbers, its settings
are valid for its page, and the lecture covers the slides and myths issue 20 lists."""

from __future__ import annotations

import dataclasses
import re

import pytest

import optimizers
from scenes import explorer, lecture
from scenes.lecture import BY_ID, SCENES, Claim, decide, fill, right_answers
from scenes.settings import Setting

# What issue 20 asks the lecture to cover: topic -> the scene that covers it.
REQUIRED = {
    "iteration vs epoch with minibatches": "iteration-vs-epoch",
    "SGD noise": "sgd-noise",
    "momentum, beta = 0.9": "momentum-valley",
    "momentum: largest step when gradients agree": "momentum-agree",
    "RMSProp, small x / large y gradients": "rmsprop-valley",
    "RMSProp can increase the learning rate": "rmsprop-larger-lr",
    "Adam with and without bias correction": "adam-first-steps",
    "Newton, one step on a quadratic": "newton-quadratic",
    "Newton on linear regression": "newton-linear-regression",
    "Newton's cost": "newton-cost",
    "Newton at a saddle or maximum": "newton-saddle",
    "Gauss-Newton": "gauss-newton",
    "LM blends GD and GN": "lm-blend",
    "Marquardt's scaling": "lm-marquardt",
    "LM rejected steps": "lm-rejects",
    "L-BFGS": "lbfgs",
    "second order only with full batch": "second-order-full-batch",
    "map of solvers": "solver-map",
    "learning-rate decay values": "lr-decay-values",
    "train / validation / test": "train-val-test",
    "under- and overfitting": "under-overfitting",
    "early stopping": "early-stopping",
    "grid vs random search": "grid-vs-random",
    "k-fold CV": "k-fold",
    "bias / variance 1 % / 5 % / 8 %": "bias-variance",
    "myth: Adam always wins": "myth-adam-always-wins",
    "myth: coordinates (rotated valley)": "myth-rotation",
    "myth: Adam converges on convex problems (AMSGrad)": "myth-adam-converges",
    "myth: local minima": "myth-local-minima",
}
REQUIRED_SLIDES = {10, 11, 16, 23, 24}
CITATIONS = {
    "myth-rotation": "Zhang et al",
    "myth-adam-converges": "Reddi, Kale & Kumar",
    "myth-local-minima": "Dauphin",
}


@pytest.fixture(scope="module", params=[s.id for s in SCENES])
def decided(request):
    scene = BY_ID[request.param]
    return scene, decide(scene)


def test_the_lecture_has_enough_scenes_with_unique_url_safe_ids():
    assert len(SCENES) >= 24
    ids = [s.id for s in SCENES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_every_listed_topic_and_slide_is_covered():
    missing = {topic: sid for topic, sid in REQUIRED.items() if sid not in BY_ID}
    assert not missing
    slides = {n for s in SCENES for n in s.slides}
    assert slides >= REQUIRED_SLIDES
    for sid, author in CITATIONS.items():
        assert BY_ID[sid].myth and author in BY_ID[sid].citation


def test_scenes_follow_the_slides():
    firsts = [s.slides[0] for s in SCENES]
    assert firsts == sorted(firsts)


def test_every_scene_has_two_to_four_answers():
    for s in SCENES:
        assert 2 <= len(s.answers) <= 4, s.id
        assert all(a.claims for a in s.answers), s.id
        assert s.try_this.claims, s.id


def test_exactly_one_answer_holds_on_the_engines_numbers(decided):
    scene, outcome = decided
    why = [[c.describe(outcome.numbers) for c in a.claims] for a in scene.answers]
    assert len(outcome.right) == 1, f"{scene.id}: answers holding {outcome.right}; {why}"


def test_the_follow_up_holds_on_the_changed_scene(decided):
    scene, outcome = decided
    why = [c.describe(outcome.try_numbers) for c in scene.try_this.claims]
    assert outcome.try_holds, f"{scene.id}: {why}"


def test_every_text_fills_from_the_numbers(decided):
    scene, outcome = decided
    shown = [
        fill(t, outcome.numbers)
        for t in (scene.question, scene.explanation, *(a.text for a in scene.answers))
    ]
    shown.append(fill(scene.try_this.text, outcome.try_numbers))
    for text in shown:
        assert "{" not in text, (scene.id, text)
        assert not re.search(r"\de[+-]?\d", text), f"{scene.id}: Python's e-notation in {text!r}"


def test_a_changed_number_changes_the_right_answer():
    """The answer is live: the same scene with SGD's α beyond its limit has another right answer."""
    scene = BY_ID["rmsprop-larger-lr"]
    before = right_answers(scene, lecture.measure(scene))
    after = right_answers(scene, lecture.measure(scene, {"sgd_lr": 0.009}))
    assert before != after and len(after) == 1


def test_claims_compare_and_describe():
    numbers = {"a.hit": 3, "b.hit": float("inf"), "a.status": "diverged"}
    assert Claim("a.hit", "<", other="b.hit").holds(numbers)
    assert not Claim("b.hit", "<", other="a.hit").holds(numbers)
    assert Claim("a.hit", "<=", other="a.hit", factor=1.0).holds(numbers)
    assert Claim("a.status", "==", "diverged").holds(numbers)
    assert "a.hit (3) <" in Claim("a.hit", "<", 2).describe(numbers)
    with pytest.raises(ValueError):
        Claim("a.hit", "~", 1)
    with pytest.raises(ValueError):
        Claim("a.hit", "<")


def test_fill_formats_steps_and_refuses_unknown_names():
    numbers = {"n.hit": float("inf"), "m.hit": 4, "k": 1, "x": 0.123456}
    assert fill("{n.hit:when}, {m.hit:when}, {k:steps}, {x}, {x:.1f}", numbers) == (
        "never, at step 4, 1 step, 0.123, 0.1"
    )
    big = {"n": 1e6, "x": 3.7e-7, "y": 3074.2}
    assert fill("{n:.0e}, {x}, {y}, {y:.4g}", big) == "10⁶, 3.7×10⁻⁷, 3.07×10³, 3074"
    with pytest.raises(KeyError):
        fill("{nope}", numbers)


# --------------------------------------------------------------------------- settings per page


def _check_explorer(scene) -> None:
    """The explorer reads the scene without a warning, draws every one of its settings, and takes
    each value as it is (`scenes.explorer.scene`); the same for the scene changed by "try this"."""
    for values in (scene.settings, {**scene.settings, **dict(scene.try_this.change)}):
        choices = explorer.scene(values)
        assert not choices.warnings, (scene.id, choices.warnings)
        drawn = explorer.drawn_settings(choices)
        taken = choices.values()
        for key, value in values.items():
            assert key in drawn, f"{scene.id}: {key} is no setting of the explorer"
            if key in taken:
                same = list(taken[key]) == list(value) if isinstance(value, list) else taken[key] == value
                assert same, (scene.id, key, taken[key], value)


def _practice_setting(key: str) -> Setting | None:
    try:  # the practice page's settings table moves to scenes.practice (branch `practice`)
        from scenes import practice as pr
    except ImportError:
        import ui.practice as pr

    if pr.KEY + key in pr.TABLE:
        return pr.TABLE[pr.KEY + key]
    for name, info in optimizers.OPTIMIZERS.items():
        for p in info.hyper:
            if key == f"{name}_{p.name}":
                return Setting.from_param(p, pr.KEY + key)
    return None


def _search_setting(key: str) -> Setting | None:
    import scenes.search as se

    if key in se.TABLE:
        return se.TABLE[key]
    if key in ("surface", "start_x", "start_y"):
        return {s.key: s for s in (explorer.SURFACE, *explorer.start_settings())}[key]
    for opt, info in optimizers.OPTIMIZERS.items():
        first, second = se.pair_settings(se.KEY + "cmp_", opt)
        if key == first.key:
            return first
        if key == second.key:  # its options are drawn with the first: any other searchable one
            names = [p.name for p in se.searchable(info.hyper)]
            return dataclasses.replace(second, options=(se.NONE, *names))
    return None


def _check_value(setting: Setting, value) -> None:
    raw = setting.text(value)
    parsed = setting.parse(raw)
    if setting.kind == "multi":
        assert list(parsed) == list(value)
    elif setting.kind in ("float", "log", "int"):
        assert float(parsed) == pytest.approx(float(value))
    elif setting.options:
        assert parsed in setting.options or str(parsed) in map(str, setting.options), (setting.key, value)


def _for_scene(setting: Setting | None, settings) -> Setting | None:
    """A setting whose range the page sets from the scene: the minibatch size goes up to the data
    set's size, the search page offers the optimizers that run on the surface."""
    if setting is None:
        return None
    if setting.key == "tune_optimizer":
        surface = lecture.explorer_surface(settings)
        runs = tuple(n for n, info in optimizers.OPTIMIZERS.items() if info.supports(surface).runs)
        return dataclasses.replace(setting, options=runs)
    return setting


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.id)
def test_settings_are_valid_for_the_page(scene):
    assert scene.page in lecture.PAGES
    if scene.page == "figure":
        assert scene.study in lecture.STUDIES
        return
    if scene.page == "explorer":
        _check_explorer(scene)
        return
    pages = {"training": _practice_setting, "search": _search_setting}

    def find(key):
        return _for_scene(pages[scene.page](key), scene.settings)

    for key, value in scene.settings.items():
        setting = find(key)
        assert setting is not None, f"{scene.id}: {key} is no setting of the {scene.page} page"
        _check_value(setting, value)
    for key, value in scene.try_this.change:
        if key in scene.settings:
            setting = find(key)
            assert setting is not None, f"{scene.id}: try-this key {key}"
            _check_value(setting, value)


def test_the_scenes_import_no_streamlit():
    import subprocess
    import sys

    code = "import sys, scenes.lecture; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
