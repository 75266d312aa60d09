"""The one way the tests open a page in Streamlit's AppTest: `app` (the whole app, routed by
`app.py`; AppTest runs its default page, the explorer) or `page` (one page's `render`, in a wide
layout), with a link's query, run once and checked to have raised nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60


def _run(at: AppTest, query: dict[str, str] | None, check: bool) -> AppTest:
    if query:
        at.query_params.update(query)
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def app(query: dict[str, str] | None = None, *, timeout: float = TIMEOUT, check: bool = True) -> AppTest:
    """The app at its default page (the explorer) opened with `query`, after its first run."""
    return _run(AppTest.from_file(APP, default_timeout=timeout), query, check)


def page(
    render: Callable[[], None],
    query: dict[str, str] | None = None,
    *,
    timeout: float = TIMEOUT,
    check: bool = True,
) -> AppTest:
    """A function page (e.g. one that calls `ui.search.render()`) opened with `query`, run once."""
    return _run(AppTest.from_function(render, default_timeout=timeout), query, check)
