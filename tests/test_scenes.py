"""The explorer's scene as data (scenes/explorer/): values -> ExplorerChoices -> query and back,
the same defaults, checks and messages as the page, one RunSpec per run, and the URL keys declared
once (the page writes exactly `to_query` of its scene)."""

from __future__ import annotations

import urllib.parse

import pytest

from scenes import explorer, lessons
from scenes.explorer import RunSpec
from tests import apptest


def _url(at) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


@pytest.mark.parametrize("name", list(lessons.PRESETS))
def test_a_lessons_scene_round_trips_through_its_query(name):
    choices = explorer.scene(lessons.PRESETS[name].settings)
    assert not choices.warnings
    assert explorer.from_query(explorer.to_query(choices)) == choices


def test_the_default_scene_has_an_empty_query_and_the_pages_defaults():
    choices = explorer.scene({})
    assert explorer.to_query(choices) == ""
    assert choices.optimizers == ("sgd", "momentum", "rmsprop", "adam")
    assert dict(choices.hyper_of("sgd"))["lr"] == 0.09  # the valley's suggested α
    assert choices.steps == 60 and choices.start == (-3.5, 1.5)


def test_a_bad_link_gives_the_pages_fallbacks_and_its_words():
    query = {"sgd_lr": "abc", "steps": "900", "noise": "-1"}
    choices = explorer.scene(query)
    assert dict(choices.hyper_of("sgd"))["lr"] == 0.09 and choices.steps == 500 and choices.noise == 0.0
    at = apptest.app(query)
    page = {w.value for w in at.warning}
    assert set(choices.warnings) <= page, (choices.warnings, page)
    assert len(choices.warnings) == 3


@pytest.mark.parametrize(
    "query",
    [
        {"preset": "decay"},
        {"opts": "sgd,sgd~2,adam", "sgd~2_lr": "0.02", "sgd~2_sched": "step", "quadratic_angle": "30"},
        {"surface": "curve_fit", "opts": "sgd,lm", "batch": "8", "sched": "exponential", "seed": "4"},
        {"surface": "rosenbrock", "opts": "momentum", "momentum_momentum": "0.8", "start_x": "0.5"},
    ],
)
def test_the_page_writes_exactly_the_scenes_query(query):
    """The explorer's URL keys are declared once: the page's URL after a run is `to_query` of the
    scene it shows (plus the preset's name)."""
    at = apptest.app(query)
    url = _url(at)
    assert all(explorer.owns(key) for key in url)
    url.pop("preset", None)
    for key in ("ema", "tol", "view", "theory", "inspect", "present"):  # ways of looking, not the scene
        url.pop(key, None)
    choices = explorer.from_query(urllib.parse.urlencode(url))
    assert dict(urllib.parse.parse_qsl(explorer.to_query(choices))) == url


def test_a_run_is_keyed_by_one_hashable_spec():
    choices = explorer.scene({"opts": ["sgd", "lm"], "surface": "curve_fit", "batch": 8})
    sgd, lm = choices.spec("sgd"), choices.spec("lm")
    assert isinstance(sgd, RunSpec) and hash(sgd) != hash(lm)
    assert sgd.batch_size == 8 and lm.batch_size is None  # LM needs the full batch
    assert choices.spec("sgd", seed=3) == RunSpec(**{**sgd.__dict__, "seed": 3})
    traj = sgd.run()
    assert traj.n_steps == choices.steps


def test_the_search_pages_link_goes_through_the_scene():
    from scenes.problem import Problem

    query, notes = explorer.link_query(Problem("rosenbrock", (), (-1.5, 2.0)), "adam", {"lr": 5.0}, 2000)
    assert query["steps"] == str(explorer.MAX_STEPS) and query["adam_lr"] == "1"
    assert len(notes) == 2
    choices = explorer.scene(query)
    assert not choices.warnings and choices.optimizers == ("adam",)


def test_scenes_are_pure():
    """No streamlit and no plotly under scenes/: not in its own source (every module, the lecture's
    too), and not through what it imports (importing the explorer's, the lessons' and the
    lecture's scenes leaves both out of sys.modules)."""
    import pathlib
    import subprocess
    import sys

    root = pathlib.Path(lessons.__file__).parent  # scenes/
    sources = list(root.rglob("*.py"))
    assert len(sources) > 5
    for path in sources:
        text = path.read_text()
        assert "import streamlit" not in text and "import plotly" not in text, path
    code = (
        "import sys, scenes.explorer, scenes.lessons, scenes.lecture, scenes.search; "
        "print(sorted(m for m in ('plotly', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root.parent
    )
    assert out.stdout.strip() == "[]"
