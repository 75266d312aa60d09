"""The lecture as data: an ordered sequence of scenes, each tied to its slide, with a question
whose right answer is decided on the engine's numbers (pure: no streamlit, no plotly).

A `LectureScene` names a page and its settings (the explorer's or the search page's URL keys, the
training-practice page's keys without their `tr_` prefix, or a figure's own parameters) and any
options of its study that are no page setting, a question with two to four
`Answer`s, the explanation and a "try this" follow-up. Nothing in a scene is a typed verdict:

- `measure(scene)` runs the scene's study on the engine (`optimizers.run`, `training.studies`,
  `sweeps`) and returns named numbers, e.g. ``{"sgd.hit": 37, "rmsprop.final": 2e-9}``;
- an `Answer` holds when all of its `Claim`s hold on those numbers (`holds`); exactly one answer
  of every scene holds, which `tests/test_lecture_scenes.py` checks;
- the question, answers, explanation and follow-up fill ``{name}`` or ``{name:.3g}`` placeholders
  from the same numbers (`fill`), so no number in them is typed.

Slide numbers: ../shared/LECTURE.md lists the lecture's content in order, without numbers; they
are counted here from its order, anchored where the issue names them (Adam's bias correction on
slides 10-11, Newton's cost on 16, "full batch only" on 23, the map of solvers on 24).
"""

from collections.abc import Callable

from scenes.lecture.claims import (
    OPS,
    PAGES,
    TOL,
    Answer,
    Claim,
    LectureScene,
    TryThis,
    Value,
    fill,
    right_answers,
)
from scenes.lecture.myths import MYTHS
from scenes.lecture.optimization import OPTIMIZATION
from scenes.lecture.practice import PRACTICE
from scenes.lecture.studies import (
    FAMILIES,
    LECTURE_SOLVERS,
    STUDIES,
    Outcome,
    decide,
    estimated_seconds,
    explorer_runs,
    explorer_start,
    explorer_surface,
    family,
    measure,
    newton_cost,
    split_run_id,
)

# The order of the lecture: by first slide, myths right after the slide they belong to.
SCENES: tuple[LectureScene, ...] = tuple(
    sorted((*OPTIMIZATION, *PRACTICE, *MYTHS), key=lambda s: (s.slides[0], s.myth))
)
BY_ID: dict[str, LectureScene] = {s.id: s for s in SCENES}


def decide_job(scene_id: str, *, progress: Callable[[int, int], None] | None = None) -> Outcome:
    """`decide` as a job of the worker pool (`sweeps.background.JOBS["lecture_scene"]`): the scene
    by its id (plain, picklable); ValueError for an unknown id."""
    if scene_id not in BY_ID:
        raise ValueError(f"There is no lecture scene {scene_id!r}.")
    return decide(BY_ID[scene_id], progress)


__all__ = [
    "BY_ID",
    "FAMILIES",
    "LECTURE_SOLVERS",
    "OPS",
    "PAGES",
    "SCENES",
    "STUDIES",
    "TOL",
    "Answer",
    "Claim",
    "LectureScene",
    "Outcome",
    "TryThis",
    "Value",
    "decide",
    "decide_job",
    "estimated_seconds",
    "explorer_runs",
    "explorer_start",
    "explorer_surface",
    "family",
    "fill",
    "measure",
    "newton_cost",
    "right_answers",
    "split_run_id",
]
