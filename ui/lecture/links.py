"""Links of a lecture scene: `?scene=<id>` on the lecture page, the lecturer's locked link
(`&lock=1`, no sidebar controls), and the same scene unlocked on its own page for homework (the
page's query string, in that page's URL keys)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from scenes import explorer
from scenes.lecture import LectureScene
from scenes.settings import fmt

LECTURE_PATH = "lecture"
PAGE_PATHS = {"explorer": "", "training": "training", "search": "search"}  # relative to the app's root
PAGE_PREFIX = {"training": "tr_"}  # the training-practice page's keys carry its prefix
EXPLORER_VIEW_KEYS = ("view", "ema", "tol", "theory", "inspect")  # ways of looking, not the scene
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
    """The scene, unlocked, on its own page (relative to the lecture page), or None. The
    explorer's query is its own (`scenes.explorer.to_query`: what differs from its defaults)."""
    if scene.page not in PAGE_PATHS:
        return None
    if scene.page == "explorer":
        view = {k: v for k, v in scene.settings.items() if k in EXPLORER_VIEW_KEYS}
        query = explorer.to_query(scene.settings, **view)
    else:
        query = urllib.parse.urlencode(page_query(scene))
    return "./" + PAGE_PATHS[scene.page] + "?" + query


def lecture_url(scene: LectureScene, lock: bool = False) -> str:
    query: Mapping[str, str] = {SCENE_KEY: scene.id, **({LOCK_KEY: "1"} if lock else {})}
    return "./" + LECTURE_PATH + "?" + urllib.parse.urlencode(query)
