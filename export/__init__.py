"""Take a race away: one explorer scene as a self-contained, offline HTML file.

    python -m export "surface=rosenbrock&opts=sgd,adam" -o race.html

`build_html(query)` reads the explorer's query string (`export.scene`: the page's settings and its
messages), runs the scene as the page does (`export.race`) and writes the page (`export.page`):
the map with every path, ▶ and the step slider, the loss chart, and a caption of what the runs
did. A link the page would not show as given raises `SceneError` with the page's words.
"""

from __future__ import annotations

from collections.abc import Mapping

from export.page import DEFAULT_APP_URL, render
from export.race import caption, run_race
from export.scene import SceneError, read_query

__all__ = ["DEFAULT_APP_URL", "SceneError", "build_html"]

NO_RUNS = "Choose at least one optimizer in the sidebar to start the race."


def build_html(query: str, *, app_url: str = DEFAULT_APP_URL, env: Mapping[str, str] | None = None) -> str:
    """The HTML file of the explorer scene `query` (a query string or a whole link)."""
    scene = read_query(query)
    if not scene.choices.optimizers:
        raise SceneError([NO_RUNS])
    race = run_race(scene)
    return render(race, caption(race), app_url=app_url, env=env)
