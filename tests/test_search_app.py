"""The hyperparameter-search page in Streamlit's AppTest: it renders, its controls work, big
requests are clipped visibly, and bad input shows st.error instead of a traceback."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest

from tests import apptest

TIMEOUT = 120


def _search_page():
    import streamlit as st

    from ui import search

    st.set_page_config(layout="wide")
    search.render()


@pytest.fixture
def at():
    return apptest.page(_search_page, timeout=TIMEOUT, check=False)


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def titles(at) -> list[str]:
    return [c["layout"].get("title", {}).get("text", "") for c in charts(at)]


def open_tab(at, label: str):
    """Open the tab `label`, as a click does (the page reruns)."""
    from ui.search.page import TAB, TABS

    assert label in TABS
    at.session_state[TAB] = label
    return at.run()


COMPARE, MAP = "Grid vs random on the same budget", "Many-start map"


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_page_renders_search_paths_comparison_and_map(at):
    assert_clean(at)
    assert at.title[0].value == "Hyperparameter search"
    t = titles(at)
    assert any(s.startswith("Grid search: 30 × 30 = 900 settings") for s in t)
    assert any("best setting" in s for s in t)
    assert len(t) == 2  # search, paths: the closed tabs draw their controls only
    assert at.number_input(key="tune_cmp_n") and at.number_input(key="tune_map_n")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["settings run"] == "900"
    assert any("Best setting" in s.value for s in at.success)
    open_tab(at, COMPARE)
    assert_clean(at)
    assert any(
        a["text"].startswith("Grid search: ") for c in charts(at) for a in c["layout"].get("annotations", [])
    )
    assert len(titles(at)) == 3  # search, paths, grid vs random
    open_tab(at, MAP)
    assert_clean(at)
    t = titles(at)
    assert any("Which minimum each start reaches" in s for s in t)
    assert len(t) == 3  # search, paths, many-start map


def test_table_csv_and_explorer_link(at):
    assert at.dataframe, "top-settings table"
    assert at.get("download_button")
    link = at.get("link_button")[0].proto
    assert link.label.startswith("Open rank 1 (lr=")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link.url).query))
    assert query["surface"] == "rosenbrock" and query["opts"] == "adam"
    assert {"adam_lr", "adam_beta1", "start_x", "start_y", "steps"} <= set(query)


def test_random_search_draws_a_scatter(at):
    at.radio(key="tune_method").set_value("random").run()
    assert_clean(at)
    assert any(s.startswith("Random search: 300 settings") for s in titles(at))


def test_one_hyperparameter_draws_a_line(at):
    at.selectbox(key="tune_second_adam").set_value("(none)").run()
    assert_clean(at)
    assert any(s.startswith("Grid search over lr") for s in titles(at))


def test_switching_optimizer_surface_and_score(at):
    at.selectbox(key="tune_optimizer").set_value("momentum").run()
    assert_clean(at)
    assert at.selectbox(key="tune_second_momentum").value == "momentum"
    at.radio(key="tune_score").set_value("steps").run()
    assert_clean(at)
    at.selectbox(key="tune_surface").set_value("himmelblau").run()
    assert_clean(at)
    open_tab(at, MAP)
    caption = " ".join(c.value for c in at.caption)
    assert "minimum 4" in caption


def test_a_request_over_the_bound_is_clipped_and_says_so(at):
    at.number_input(key="tune_grid_n").set_value(400)
    at.number_input(key="tune_grid_m").set_value(400)
    at.number_input(key="tune_steps").set_value(5).run()
    assert_clean(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "160,000" in warnings and "200 × 200 = 40,000" in warnings


def test_bad_range_shows_an_error_not_a_traceback(at):
    at.number_input(key="tune_lo_adam_lr").set_value(0.5)
    at.number_input(key="tune_hi_adam_lr").set_value(0.01).run()
    assert not at.exception
    assert any("lr" in e.value for e in at.error)


def test_comparison_has_its_own_pair_defaulting_to_a_less_important_one(at):
    assert at.selectbox(key="tune_cmp_second_adam").value == "beta2"
    assert not any("random search found" in m.value for m in at.markdown)  # its tab is closed
    open_tab(at, COMPARE)
    assert any("random search found a **better** setting" in m.value for m in at.markdown)
    at.selectbox(key="tune_cmp_second_adam").set_value("(none)").run()
    assert_clean(at)
    assert any("Choose two hyperparameters" in i.value for i in at.info)
    at.selectbox(key="tune_cmp_second_adam").set_value("eps").run()
    at.number_input(key="tune_cmp_n").set_value(3).run()
    assert_clean(at)
    assert any(
        "Grid search: 9 runs, 3 distinct lr" in a["text"]
        for c in charts(at)
        for a in c["layout"].get("annotations", [])
    )


def test_many_start_map_can_take_the_best_setting_of_the_search(at):
    at.button(key="tune_map_use_best").click().run()
    assert_clean(at)
    best = at.session_state["tune_best_setting"][1]
    assert at.number_input(key="tune_map_adam_lr").value == pytest.approx(best["lr"])


def test_many_start_map_controls(at):
    open_tab(at, MAP)
    at.radio(key="tune_map_color").set_value("steps").run()
    assert_clean(at)
    assert any("Steps to converge" in s for s in titles(at))
    at.number_input(key="tune_map_n").set_value(12).run()
    assert_clean(at)


def test_every_surface_and_optimizer_renders_cleanly(at):
    """Small requests, then every surface with every optimizer it offers (LM's scaling choice,
    the saddle without a minimum, data surfaces): no traceback and no error."""
    for key, value in [("tune_grid_n", 6), ("tune_grid_m", 6), ("tune_steps", 40), ("tune_map_n", 8),
                       ("tune_map_steps", 40), ("tune_cmp_steps", 40), ("tune_cmp_seeds", 3)]:  # fmt: skip
        at.number_input(key=key).set_value(value)
    at.run()
    import surfaces

    for name in list(surfaces.SURFACES):
        at.selectbox(key="tune_surface").set_value(name).run()
        options = at.selectbox(key="tune_optimizer").options
        if not surfaces.SURFACES[name].least_squares:
            assert "Levenberg-Marquardt" not in options  # needs residuals
        for label in options:
            at.selectbox(key="tune_optimizer").set_value(label).run()
            assert_clean(at)
            assert len(at.get("plotly_chart")) >= 2, (name, label)  # search and paths
            open_tab(at, COMPARE)  # a chart, or "needs two hyperparameters"
            assert_clean(at)
            open_tab(at, MAP)
            assert_clean(at)
            assert len(at.get("plotly_chart")) >= 3, (name, label)  # and the map
            open_tab(at, "Grid or random search")


# ---- the search runs in a worker process when big, with the same result (issue 9) ----


def test_a_search_in_the_worker_process_equals_the_in_process_one(monkeypatch):
    import numpy as np

    import surfaces
    import sweeps
    from sweeps import background
    from ui import jobs

    submitted = []
    real_submit = background.submit

    def counting_submit(kind, *args, **kwargs):
        submitted.append(kind)
        return real_submit(kind, *args, **kwargs)

    monkeypatch.setattr(jobs, "WORKER_MIN_SECONDS", 0)  # every sweep goes to the worker
    monkeypatch.setattr(jobs, "_results", jobs.OrderedDict())
    monkeypatch.setattr(background, "submit", counting_submit)
    at = AppTest.from_function(_search_page, default_timeout=TIMEOUT)
    at.query_params.update({"tune_grid_n": "12", "tune_grid_m": "10"})
    at.run()
    assert_clean(at)
    assert submitted == ["search"]  # the closed tabs compute nothing
    open_tab(at, MAP)
    assert_clean(at)
    assert submitted == ["search", "map"]
    worker_result = next(v for k, v in jobs._results.items() if k[0] == "search")
    assert len(worker_result) == 120
    here = sweeps.search(
        "adam", surfaces.get_surface("rosenbrock"), (-1.5, 2.0), worker_result.ranges, grid=(12, 10),
        steps=300, fixed=worker_result.fixed,
    )  # fmt: skip
    np.testing.assert_array_equal(worker_result.score, here.score)
    np.testing.assert_array_equal(worker_result.outcome, here.outcome)
    assert at.metric[0].value == "120"
    background.shutdown()


def test_a_broken_worker_pool_falls_back_with_a_message(monkeypatch):
    from sweeps import background
    from ui import jobs

    def broken(*args, **kwargs):
        raise background.WorkerFailedError("The background worker could not start (test).")

    monkeypatch.setattr(jobs, "WORKER_MIN_SECONDS", 0)
    monkeypatch.setattr(jobs, "_results", jobs.OrderedDict())
    monkeypatch.setattr(background, "submit", broken)
    at = AppTest.from_function(_search_page, default_timeout=TIMEOUT)
    at.query_params["tune_grid_n"] = "5"
    at.run()
    assert not at.exception and not at.error
    assert any("could not start (test)" in w.value and "page's own process" in w.value for w in at.warning)
    assert at.metric[0].value == "150"  # 5 x 30 settings, computed here instead


# ---- the picked setting's path next to the best, and scores in words (issue 10) ----


def test_the_picked_setting_is_drawn_next_to_the_best_with_its_score_in_words(at):
    best_words = next(s.value for s in at.success if "Best setting" in s.value)
    assert "is log10 of L − L*" in best_words and "means the final loss is within" in best_words
    request = at.session_state["tune_request"]
    at.session_state["tune_picked"] = (request, 0)  # as a click on the first cell does
    at.run()
    assert_clean(at)
    picked_info = next(i.value for i in at.info if i.value.startswith("Picked:"))
    assert "rank" in picked_info
    paths = next(c for c in charts(at) if "picked one (dashed)" in c["layout"]["title"]["text"])
    names = [t.get("name", "") for t in paths["data"]]
    lines = [n for n in names if n.startswith(("rank", "picked"))]
    assert lines[0].startswith("rank 1:") and lines[1].startswith("picked, rank")
    picked_line = next(t for t in paths["data"] if t.get("name", "").startswith("picked"))
    assert picked_line["line"]["dash"] == "dash"
    search = next(c for c in charts(at) if c["layout"]["title"]["text"].startswith("Grid search"))
    assert any(t.get("name", "").startswith("picked: lr=") for t in search["data"])


def test_score_words_say_what_the_number_means():
    import dataclasses

    import numpy as np

    from tests.test_search_figures import BETA, LR, fake_result
    from ui.search.words import score_words

    res = fake_result([LR, BETA], {"lr": [0.1, 0.2, 0.3], "beta1": [0.5] * 3}, [-2.4, np.nan, -10.0],
                      np.array(["ok", "diverged", "ok"]))  # fmt: skip
    assert score_words(res, 0) == (
        "Its score -2.4 is log10 of L − L*: -2.4 means the final loss is within 0.004 of the minimum L* "
        "after 100 steps."
    )
    assert "diverged" in score_words(res, 1)
    assert score_words(res, 2) == (
        "Its score -10 is log10 of L − L*, floored at 1e-10: the run reached the minimum "
        "(L − L* = 1.0e-10); smaller differences only say where it stopped."
    )
    steps = dataclasses.replace(res, score_kind="steps", score=np.array([57.0, np.nan, 3.0]))
    assert score_words(steps, 0).startswith(
        "Its score 57 is the first step at which the loss came within 0.001"
    )
    saddle = dataclasses.replace(res, min_value=None)
    assert "final loss L itself" in score_words(saddle, 0)


def test_tie_words_name_the_rule_and_the_number_that_decided():
    import dataclasses

    import numpy as np

    import sweeps
    from tests.test_search_figures import BETA, LR, fake_result
    from ui.search.words import tie_words

    floor = np.log10(sweeps.SCORE_FLOOR)
    res = fake_result([LR, BETA], {"lr": [0.1, 0.2, 0.3], "beta1": [0.5] * 3}, [floor, floor, -3.0],
                      np.array(["ok"] * 3))  # fmt: skip
    res = dataclasses.replace(res, steps_to_tol=np.array([159.0, 31.0, np.nan]))
    assert tie_words(res) == (
        " 2 settings tie at this score; they are ranked by fewer steps to get within the tolerance of "
        "L*, then fewer steps run, and this one comes first: it got within 0.001 of L* after 31 steps."
    )
    alone = dataclasses.replace(res, score=np.array([floor, -5.0, -3.0]))
    assert tie_words(alone) == ""


# ---- the step-size limit on the search page (issue 12) ----


def test_the_valley_with_momentum_shows_the_exact_limit_and_the_optimal_pair(at):
    at.selectbox(key="tune_surface").set_value("quadratic").run()
    at.selectbox(key="tune_optimizer").set_value("momentum").run()
    assert_clean(at)
    caption = " ".join(c.value for c in at.caption)
    assert "step-size limit lr < 2(1+β)/λ_max" in caption and "exact on this surface" in caption
    search = next(c for c in charts(at) if c["layout"]["title"]["text"].startswith("Grid search"))
    names = [t.get("name", "") for t in search["data"]]
    assert any(n.startswith("step-size limit") and "exact" in n for n in names)
    at.selectbox(key="tune_optimizer").set_value("adam").run()
    assert not any("step-size limit" in c.value for c in at.caption)


def test_the_search_settings_round_trip_through_the_url():
    at = AppTest.from_function(_search_page, default_timeout=TIMEOUT)
    at.query_params.update({"tune_grid_n": "8", "tune_steps": "120", "tune_score": "steps"})
    at.run()
    assert_clean(at)
    assert at.number_input(key="tune_grid_n").value == 8
    assert at.radio(key="tune_score").value == "steps"
    assert dict(at.query_params) == {"tune_grid_n": "8", "tune_steps": "120", "tune_score": "steps"}
    at.number_input(key="tune_grid_m").set_value(7).run()
    assert dict(at.query_params)["tune_grid_m"] == "7"
    at.radio(key="tune_method").set_value("random").run()  # the grid's counts are not shown any more
    assert "tune_grid_n" not in dict(at.query_params) and dict(at.query_params)["tune_method"] == "random"
