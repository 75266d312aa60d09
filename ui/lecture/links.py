"""Links of a lecture scene: `?scene=<id>` on the lecture page, the lecturer's locked link
(`&lock=1`, no sidebar controls), and the same scene unlocked on its own page for homework (the
page's query string, in that page's URL keys)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from scenes.lecture import LectureScene
from scenes.settings import fmt

LECTURE_PATH = "lecture"
PAGE_PATHS = {"explorer": "", "training": "training", "search": "search"}  # relative to the app's root
PAGE_PREFIX = {"training": "tr_"}  # the training-practice page's keys carry its prefix
SCENE_KEY = "scene"
LOCK_KEY = "lock"


def _text(value: Any) -> str:
    """A value as the pages' URLs write it (a list: comma-separated names)."""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return fmt(value)


def page_query(scene: LectureScene) -> dict[str, str]:
    """The scene's settings as its page's URL query (empty for a figure scene)."""
    if scene.page not in PAGE_PATHS:
        return {}
    prefix = PAGE_PREFIX.get(scene.page, "")
    return {prefix + key: _text(value) for key, value in scene.settings.items()}


def homework_url(scene: LectureScene) -> str | None:
    """The scene, unlocked, on its own page (relative to the lecture page), or None."""
    if scene.page not in PAGE_PATHS:
        return None
    return "./" + PAGE_PATHS[scene.page] + "?" + urllib.parse.urlencode(page_query(scene))


def lecture_url(scene: LectureScene, lock: bool = False) -> str:
    query: Mapping[str, str] = {SCENE_KEY: scene.id, **({LOCK_KEY: "1"} if lock else {})}
    return "./" + LECTURE_PATH + "?" + urllib.parse.urlencode(query)
