"""The hyperparameter-search page in Streamlit's AppTest: it renders, its controls work, big
requests are clipped visibly, and bad input shows st.error instead of a traceback."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 120


def _search_page():
    import streamlit as st

    from ui import search

    st.set_page_config(layout="wide")
    search.render()


@pytest.fixture
def at():
    return AppTest.from_function(_search_page, default_timeout=TIMEOUT).run()


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def titles(at) -> list[str]:
    return [c["layout"].get("title", {}).get("text", "") for c in charts(at)]


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_page_renders_search_paths_comparison_and_map(at):
    assert_clean(at)
    assert at.title[0].value == "Hyperparameter search"
    t = titles(at)
    assert any(s.startswith("Grid search: 30 × 30 = 900 settings") for s in t)
    assert any("best setting" in s for s in t)
    assert any("Which minimum each start reaches" in s for s in t)
    assert len(t) == 4  # search, paths, grid vs random, many-start map
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["settings run"] == "900"
    assert any("Best setting" in s.value for s in at.success)


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

    for name in surfaces.SURFACES:
        at.selectbox(key="tune_surface").set_value(name).run()
        options = at.selectbox(key="tune_optimizer").options
        if not surfaces.SURFACES[name].least_squares:
            assert "Levenberg-Marquardt" not in options  # needs residuals
        for label in options:
            at.selectbox(key="tune_optimizer").set_value(label).run()
            assert_clean(at)
            assert len(at.get("plotly_chart")) >= 3, (name, label)
