"""The explorer page under Streamlit's AppTest: render, widgets, URL state, warnings.

`app.py` routes with `st.navigation`; AppTest runs its default page, the explorer.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from figures import explorer as fx
from figures import map_data
from scenes import lesson_runs, lessons
from tests import apptest
from tests.markdown_tables import summary_table

TIMEOUT = 60


def _app(query: dict[str, str] | None = None) -> AppTest:
    return apptest.app(query, timeout=TIMEOUT)


def _open(at: AppTest, *runs: str) -> AppTest:
    """Open the sidebar expanders of `runs` (closed ones draw no widgets) and rerun."""
    for run in runs:
        at.session_state[f"{run}_open"] = True
    return at.run()


def _summary(at: AppTest):
    return summary_table(at)


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def _map_payloads(at: AppTest) -> dict[str, dict]:
    """The map component's two payloads of the last run: {"base": ..., "paths": ...}."""
    out = {}
    for c in at.get("bidi_component"):
        name = c.proto.component_name
        if name.startswith("playground.landscape"):
            out["base" if name.endswith("_base") else "paths"] = json.loads(c.proto.json)[0]
    assert set(out) == {"base", "paths"}, out.keys()
    return out


def test_the_map_component_gets_the_contour_once_and_new_paths_on_each_rerun():
    at = _app()
    first = _map_payloads(at)
    assert [p["label"] for p in first["paths"]["paths"]] == ["SGD", "Momentum", "RMSProp", "Adam"]
    assert first["paths"]["base"] == first["base"]["key"]
    assert first["paths"]["plotly_url"].startswith("app/static/plotly")
    at.slider(key="steps").set_value(61).run()
    assert not at.exception
    second = _map_payloads(at)
    # Same surface: the base payload is byte for byte the same (Streamlit's message cache then
    # sends a reference), the paths are new.
    assert second["base"] == first["base"]
    assert second["paths"]["n_steps"] == 61 and second["paths"] != first["paths"]
    at.selectbox(key="surface").set_value("rosenbrock").run()
    third = _map_payloads(at)
    assert third["base"]["key"] != first["base"]["key"] == first["paths"]["base"]
    assert third["paths"]["base"] == third["base"]["key"]


def _plots(at: AppTest) -> dict[str, dict]:
    """The in-place Plotly charts (ui.plot_component) of the last run: element key -> figure."""
    out = {}
    for c in at.get("bidi_component"):
        if c.proto.component_name == "playground.plot":
            out[c.proto.id.rsplit("-", 1)[-1]] = json.loads(c.proto.json)[0]["figure"]
    return out


def test_default_render():
    at = _app()
    assert at.selectbox(key="surface").value == "quadratic"
    assert at.multiselect(key="opts").value == ["sgd", "momentum", "rmsprop", "adam"]
    assert len(_plots(at)["loss_chart"]["data"]) == 4  # the loss curves, one per optimizer
    assert _map_payloads(at)["paths"]["n_steps"] == 60  # the map component
    table = _summary(at)
    assert list(table["optimizer"]) == ["SGD", "Momentum", "RMSProp", "Adam"]
    assert (table["final loss"].str.replace("−", "-").astype(float) < 1.0).all()
    assert list(table["steps to tolerance"]) == ["25", "not reached", "50", "not reached"]
    assert not _warnings(at)
    assert dict(at.query_params) == {}  # the default view has a clean URL


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_switching_surface(name):
    at = _app()
    at.selectbox(key="surface").set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]
    start = surfaces.SURFACES[name].default_start
    assert at.number_input(key="start_x").value == pytest.approx(start[0])
    expected = None if name == "quadratic" else name  # the default is left out of the URL
    assert at.query_params.get("surface") in (expected, [expected])


@pytest.mark.parametrize("surface", ["linear_regression", "saddle"])
def test_every_optimizer_at_once(surface):
    at = _app({"surface": surface})
    at.multiselect(key="opts").set_value(list(optimizers.OPTIMIZERS)).run()
    assert not at.exception, [e.value for e in at.exception]
    rows = list(_summary(at)["optimizer"])
    if surface == "saddle":
        # Gauss-Newton and LM need residuals; they are explained, not run.
        assert "Gauss-Newton" not in rows and "Levenberg-Marquardt" not in rows
        infos = " ".join(i.value for i in at.info)
        assert "sum of squared residuals" in infos and "saddle" in infos.lower()
    else:
        assert len(rows) == len(optimizers.OPTIMIZERS)


def test_changing_a_hyperparameter_updates_table_and_url():
    at = _open(_app(), "adam")
    before = _summary(at)["final loss"].iloc[3]
    at.select_slider(key="adam_lr").set_value(0.3).run()
    assert not at.exception
    assert _summary(at)["final loss"].iloc[3] != before
    assert at.query_params["adam_lr"] in ("0.3", ["0.3"])


def test_closed_expanders_draw_no_widgets_but_their_settings_count():
    default = _app()
    at = _app({"adam_lr": "0.3", "momentum_momentum": "oops"})
    drawn = {w.key for w in [*at.select_slider, *at.slider]}
    assert not {k for k in drawn if k.startswith(("sgd_", "momentum_", "rmsprop_", "adam_"))}  # 4 closed
    assert _summary(at)["final loss"].iloc[3] != _summary(default)["final loss"].iloc[3]  # Adam's α counts
    assert any("momentum_momentum=oops" in w for w in _warnings(at))  # a bad link value still says so
    at.slider(key="steps").set_value(61).run()
    assert at.query_params["adam_lr"] in ("0.3", ["0.3"])  # kept in the link while hidden
    assert _open(at, "adam").select_slider(key="adam_lr").value == pytest.approx(0.3)
    at.select_slider(key="adam_lr").set_value(0.07).run()
    at.session_state["adam_open"] = False
    at.run()
    assert "adam_lr" not in {w.key for w in at.select_slider}
    assert at.query_params["adam_lr"] in ("0.07", ["0.07"])  # closing keeps the value
    assert _open(at, "adam").select_slider(key="adam_lr").value == pytest.approx(0.07)


def test_url_round_trip():
    query = {
        "surface": "rosenbrock",
        "rosenbrock_b": "50",
        "opts": "momentum,adam",
        "adam_lr": "0.07",
        "momentum_lr": "0.002",
        "momentum_momentum": "0.8",
        "steps": "120",
        "start_x": "-1",
        "start_y": "2.5",
        "sched": "step",
        "sched_step_size": "20",
        "noise": "0.5",
        "seed": "7",
    }
    at = _app(query)
    assert not _warnings(at)
    assert at.selectbox(key="surface").value == "rosenbrock"
    assert at.select_slider(key="rosenbrock_b").value == 50
    assert at.multiselect(key="opts").value == ["momentum", "adam"]
    assert at.select_slider(key="adam_lr").value == pytest.approx(0.07)
    assert at.slider(key="momentum_momentum").value == pytest.approx(0.8)
    assert at.slider(key="steps").value == 120
    assert at.number_input(key="start_x").value == pytest.approx(-1.0)
    assert at.selectbox(key="sched").value == "step"
    assert at.slider(key="sched_step_size").value == 20
    # The URL written back holds the same settings.
    written = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    for key, value in query.items():
        assert float(written[key]) == float(value) if _is_number(value) else written[key] == value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_tampered_url_falls_back_to_defaults_with_warnings():
    query = {
        "surface": "mountain",
        "adam_lr": "fast",
        "steps": "-5",
        "start_x": "1e9",
        "opts": "sgd,warp_drive",
        "bogus": "1",
    }
    at = _app(query)
    warnings = " ".join(_warnings(at))
    for key in query:
        assert key in warnings, key
    assert at.selectbox(key="surface").value == "quadratic"
    assert at.slider(key="steps").value == 60
    assert at.multiselect(key="opts").value == ["sgd", "momentum", "rmsprop", "adam"]
    assert "bogus" not in at.query_params


def test_divergence_warning_names_optimizer_and_step():
    at = _app({"opts": "sgd,adam", "sgd_lr": "0.5"})
    warnings = [w for w in _warnings(at) if "diverged" in w]
    assert len(warnings) == 1 and "SGD diverged at step" in warnings[0]
    table = _summary(at)
    assert table.loc[table["optimizer"] == "SGD", "stopped at"].item() == "diverged"


def test_lesson_preset_sets_up_the_scene():
    at = _app()
    at.selectbox(key="preset").set_value("newton_linreg").run()
    assert not at.exception
    assert at.selectbox(key="surface").value == "linear_regression"
    table = _summary(at)
    assert list(table["optimizer"]) == ["SGD", "Newton"]
    assert (
        float(table.loc[1, "distance to nearest minimum"].replace("−", "-")) < 1e-6
    )  # one Newton step lands on θ*
    assert any("Lesson" in i.value for i in at.info)


def test_lazy_views_render_when_opened():
    at = _app({"view": "3D surface"})
    assert any('"type":"surface"' in c.proto.spec for c in at.get("plotly_chart"))
    at = _app({"view": "Learning rate", "surface": "curve_fit", "opts": "lm"})
    assert not at.exception
    assert "loss_chart" in _plots(at) and "lr_chart" not in _plots(at)  # LM has no learning rate α
    assert any("damping" in c.proto.spec for c in at.get("plotly_chart"))  # λ_k, in a panel of its own
    at = _app({"view": "Learning rate", "surface": "curve_fit", "opts": "sgd,lm"})
    assert {"loss_chart", "lr_chart"} <= set(_plots(at))  # loss and SGD's α_k (in-place charts)


def test_optimizer_explanations_are_shown():
    at = _app()
    rules = [m.value for m in at.markdown if "$$" in m.value]
    assert len(rules) == 1  # one element for every chosen optimizer's rule
    for opt in at.multiselect(key="opts").value:
        info = optimizers.OPTIMIZERS[opt]
        assert f"<b>{info.label}</b>" in rules[0] and info.formula.strip() in rules[0]


@pytest.mark.parametrize(
    ("query", "key", "kind", "expected"),
    [
        ({"opts": "adam", "adam_beta1": "0.9995"}, "adam_beta1", "slider", 0.9995),
        ({"opts": "adam", "adam_lr": "5"}, "adam_lr", "select_slider", 5.0),
        ({"opts": "newton", "newton_lr": "2"}, "newton_lr", "slider", 2.0),
        ({"quadratic_angle": "200"}, "quadratic_angle", "slider", 200.0),
        ({"quadratic_condition": "1000"}, "quadratic_condition", "select_slider", 1000.0),
        (
            {"surface": "linear_regression", "linear_regression_n_samples": "1000"},
            "linear_regression_n_samples",
            "slider",
            1000,
        ),
    ],
)
def test_valid_link_value_outside_a_slider_widens_it(query, key, kind, expected):
    at = _app(query)
    widget = getattr(at, kind)(key=key)
    assert widget.value == pytest.approx(expected)
    notes = " ".join(i.value for i in at.info)
    assert "widened" in notes and common_fmt(expected) in notes
    assert at.query_params[key] in (query[key], [query[key]])  # the link round-trips exactly


def common_fmt(value) -> str:
    from ui.settings import fmt

    return fmt(value)


@pytest.mark.parametrize(("key", "raw", "used"), [("steps", "800", 500), ("noise", "7", 5.0)])
def test_valid_link_value_above_a_page_slider_is_clamped_with_a_warning(key, raw, used):
    at = _app({key: raw})
    assert at.slider(key=key).value == used
    warnings = " ".join(_warnings(at))
    assert f"{key}={raw}" in warnings and f"using {common_fmt(used)}" in warnings


def test_log_slider_takes_a_link_value_between_its_stops_exactly():
    at = _app({"opts": "adam", "adam_lr": "0.0123"})
    assert at.select_slider(key="adam_lr").value == pytest.approx(0.0123)
    assert not at.info and not _warnings(at)


def test_switching_surface_moves_lr_and_steps_to_its_suggestions():
    at = _app()
    at.selectbox(key="surface").set_value("rosenbrock").run()
    assert not at.exception
    _open(at, *at.multiselect(key="opts").value)
    info = surfaces.SURFACES["rosenbrock"]
    assert at.slider(key="steps").value == info.suggested_steps == 500
    for opt in at.multiselect(key="opts").value:  # the race on screen (suggestions cover more)
        assert at.select_slider(key=f"{opt}_lr").value == pytest.approx(info.suggested_lr[opt])
    assert not [w for w in _warnings(at) if "diverged" in w]
    assert set(_summary(at)["stopped at"]) <= {"a minimum", "out of steps"}
    assert dict(at.query_params) == {"surface": "rosenbrock"}  # suggestions are that surface's defaults


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_every_surface_starts_with_a_race_that_does_not_diverge(name):
    at = _app({"surface": name})
    assert not [w for w in _warnings(at) if "diverged" in w]


def test_a_link_or_preset_keeps_its_explicit_values():
    at = _open(_app({"surface": "rosenbrock", "adam_lr": "0.1", "steps": "120"}), "adam")
    assert at.select_slider(key="adam_lr").value == pytest.approx(0.1)
    assert at.slider(key="steps").value == 120
    at.selectbox(key="preset").set_value("adam_rosenbrock").run()
    assert at.slider(key="steps").value == 300
    _open(at, "momentum")
    assert at.select_slider(key="momentum_lr").value == pytest.approx(0.0015)


def test_second_order_methods_run_full_batch_with_one_caption():
    at = _app({"surface": "linear_regression", "opts": "sgd,newton,gauss_newton,lm", "batch": "10"})
    assert list(_summary(at)["optimizer"]) == ["SGD", "Newton", "Gauss-Newton", "Levenberg-Marquardt"]
    captions = [c.value for c in at.caption if "full batch" in c.value]
    assert len(captions) == 1
    assert "Newton, Gauss-Newton and Levenberg-Marquardt use the full batch" in captions[0]
    table = _summary(at)
    assert (
        float(table.loc[1, "distance to nearest minimum"].replace("−", "-")) < 1e-6
    )  # Newton: the exact full-batch step
    at = _app({"surface": "linear_regression", "opts": "sgd,newton"})  # full batch: no caption
    assert not [c for c in at.caption if "full batch" in c.value]


def test_hyperparameters_survive_deselecting_and_reselecting_an_optimizer():
    at = _open(_app(), "adam")
    at.select_slider(key="adam_lr").set_value(0.3)
    at.slider(key="adam_beta1").set_value(0.8).run()
    at.multiselect(key="opts").unselect("adam").run()
    assert "adam_lr" not in at.query_params  # a hidden optimizer's settings leave the link
    at.multiselect(key="opts").select("adam").run()
    assert not at.exception, [e.value for e in at.exception]
    _open(at, "adam")
    assert at.select_slider(key="adam_lr").value == pytest.approx(0.3)
    assert at.slider(key="adam_beta1").value == pytest.approx(0.8)
    assert at.query_params["adam_lr"] in ("0.3", ["0.3"])  # and come back with it


def test_a_preset_or_surface_switch_still_resets_a_hidden_optimizers_values():
    at = _open(_app(), "adam")
    at.select_slider(key="adam_lr").set_value(0.3).run()
    at.multiselect(key="opts").unselect("adam").run()
    at.selectbox(key="surface").set_value("rosenbrock").run()
    at.slider(key="steps").set_value(100).run()  # one more run: Streamlit drops the hidden slider's α
    at.multiselect(key="opts").select("adam")
    _open(at, "adam")
    lr = surfaces.SURFACES["rosenbrock"].suggested_lr["adam"]
    assert at.select_slider(key="adam_lr").value == pytest.approx(lr)  # the new surface's suggestion
    at.select_slider(key="adam_lr").set_value(0.3).run()
    at.multiselect(key="opts").unselect("adam").run()
    at.selectbox(key="preset").set_value("too_large_lr").run()  # races SGD and Adam, sets only SGD's α
    _open(at, "adam")
    assert at.select_slider(key="adam_lr").value == pytest.approx(
        surfaces.SURFACES["quadratic"].suggested_lr["adam"]
    )


def _switch_page(at: AppTest, url_path: str) -> AppTest:
    """Open a page of the `st.navigation` router (AppTest.switch_page takes only file pages).

    This uses AppTest's private page registry (Streamlit 1.67); a Streamlit without it skips the
    test with a reason rather than failing CI on a private name.
    """
    if not (hasattr(at, "_registered_pages") and hasattr(at, "_page_hash")):
        pytest.skip("this Streamlit's AppTest has no private page registry to switch pages with")
    pages = {info.get("url_pathname"): h for h, info in at._registered_pages.items()}
    at._page_hash = pages[url_path]
    return at.run()


def test_back_from_the_search_page_the_explorer_has_its_scene():
    at = _app()
    at.selectbox(key="surface").set_value("rosenbrock").run()
    _open(at, "adam").select_slider(key="adam_lr").set_value(0.3).run()
    assert _switch_page(at, "search").title[0].value == "Hyperparameter search"
    _switch_page(at, "")
    assert not at.exception, [e.value for e in at.exception]
    # Streamlit has dropped every explorer widget; the page rebuilds them from the scene it left.
    assert at.selectbox(key="surface").value == "rosenbrock"
    assert _open(at, "adam").select_slider(key="adam_lr").value == pytest.approx(0.3)
    assert not _warnings(at)


@pytest.mark.parametrize(
    ("key", "label", "default"),
    [
        ("adam_lr", "α", "0.1"),  # log slider
        ("momentum_momentum", "β", "0.9"),  # linear slider
        ("steps", "Steps", "60"),  # integer slider
        ("noise", "Gradient noise", "0"),  # float slider
        ("start_x", "x", "-3.5"),  # number input
        ("tol", "Tolerance", "0.001"),  # log choice
    ],
)
def test_a_link_value_that_is_not_a_number_is_named_in_plain_words(key, label, default):
    at = _app({key: "abc"})
    (warning,) = _warnings(at)
    assert f"`{key}=abc`" in warning and label in warning
    assert warning.endswith(f"is not a number; using the default, {default}.")
    assert "convert" not in warning and "float" not in warning  # no Python exception text


def test_page_switches_do_not_leak_one_pages_settings_into_the_others_url():
    at = _app({"surface": "rosenbrock", "adam_lr": "0.3"})
    assert {"surface", "adam_lr"} <= set(at.query_params)
    _switch_page(at, "search")
    assert not at.exception, [e.value for e in at.exception]
    assert dict(at.query_params) == {}  # the search page's defaults, and no explorer key
    at.radio(key="tune_method").set_value("random").run()
    assert at.query_params["tune_method"] in ("random", ["random"])
    assert [k for k in at.query_params if not k.startswith("tune_")] == []
    _switch_page(at, "")
    assert not at.exception, [e.value for e in at.exception]
    assert dict(at.query_params) == {"surface": "rosenbrock", "adam_lr": "0.3"}  # its scene, no search key


# --------------------------------------------------------------------------- issue 10


def _payload_labels(at: AppTest) -> list[str]:
    return [p["label"] for p in _map_payloads(at)["paths"]["paths"]]


@pytest.mark.parametrize("name", list(lessons.PRESETS))
def test_every_preset_shows_the_engines_numbers_that_its_claims_are_checked_on(name):
    """The page runs the very scene `lesson_runs.scene_runs` checks (tests/test_lessons.py)."""
    at = _app()
    at.selectbox(key="preset").set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]
    _, runs = lesson_runs.scene_runs(lessons.PRESETS[name].settings)
    table = _summary(at)
    expected = [
        fx.compact_number(runs[r].losses[fx.finite_length(runs[r]) - 1])
        for r in at.multiselect(key="opts").value
    ]
    assert list(table["final loss"]) == expected
    assert any(f"Lesson: {lessons.PRESETS[name].title}" in i.value for i in at.info)
    assert at.query_params["preset"] in (name, [name])


def test_the_rmsprop_valley_preset_keeps_sgds_learning_rate_between_the_sliders_stops():
    at = _app()
    at.selectbox(key="preset").set_value("rmsprop_valley").run()
    assert at.select_slider(key="sgd_lr").value == pytest.approx(0.009)
    assert at.query_params["sgd_lr"] in ("0.009", ["0.009"])
    assert list(_summary(at)["stopped at"]) == ["out of steps", "a minimum"]


def test_copies_of_an_optimizer_have_their_own_settings_labels_and_url():
    query = {
        "opts": "sgd,sgd~2",
        "sgd~2_lr": "0.02",
        "sgd~2_sched": "inverse_time",
        "sgd~2_sched_decay_rate": "0.5",
    }
    at = _app(query)
    assert not _warnings(at)
    assert _payload_labels(at) == ["SGD, α 0.09", "SGD, α 0.02, 1/t decay"]
    assert list(_summary(at)["optimizer"]) == ["SGD, α 0.09", "SGD, α 0.02, 1/t decay"]
    colours = [p["color"] for p in _map_payloads(at)["paths"]["paths"]]
    assert len(set(colours)) == 2
    assert {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()} == query
    at.select_slider(key="sgd~2_lr").set_value(0.05).run()
    assert at.query_params["sgd~2_lr"] in ("0.05", ["0.05"])
    assert "sgd_lr" not in at.query_params  # the original is untouched
    assert at.select_slider(key="sgd_lr").value == pytest.approx(0.09)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"opts": "sgd~9"}, "`opts=sgd~9`"),
        ({"opts": "sgd,sgd~2", "sgd~2_sched": "bogus"}, "`sgd~2_sched=bogus`"),
        ({"opts": "sgd", "sgd~2_lr": "0.5"}, "`sgd~2_lr=0.5`"),  # a copy not in the race
        ({"opts": "sgd,sgd~2", "sgd~2_lr": "-1"}, "`sgd~2_lr=-1`"),
    ],
)
def test_tampered_links_to_copies_fall_back_with_a_warning(query, fragment):
    at = _app(query)
    assert any(fragment in w for w in _warnings(at)), _warnings(at)


def test_a_warning_names_a_default_list_in_words_not_as_a_python_list():
    at = _app({"opts": "nope"})
    (warning,) = _warnings(at)
    assert "[" not in warning and warning.endswith("using the default, sgd, momentum, rmsprop, adam.")


def test_a_preset_banner_and_link_go_when_the_scene_no_longer_matches():
    at = _app()
    at.selectbox(key="preset").set_value("rmsprop_valley").run()
    at.selectbox(key="surface").set_value("himmelblau").run()
    assert not at.exception
    assert not any("Lesson" in i.value for i in at.info)
    assert "preset" not in at.query_params
    at.run()
    assert at.selectbox(key="preset").value == "none"
    at.selectbox(key="preset").set_value("lm_blend").run()  # it opens the learning-rate tab
    at.tabs[0].run() if False else at.run()
    assert any("Lesson" in i.value for i in at.info) and at.query_params["preset"] in (
        "lm_blend",
        ["lm_blend"],
    )


def test_the_scene_survives_the_search_page_and_the_url_holds_exactly_it():
    at = _app()
    at.selectbox(key="preset").set_value("rmsprop_valley").run()
    at.selectbox(key="surface").set_value("himmelblau").run()
    before = dict(at.query_params)
    assert "momentum_lr" not in before and "preset" not in before
    _switch_page(at, "search")
    _switch_page(at, "")
    assert not at.exception, [e.value for e in at.exception]
    assert dict(at.query_params) == before
    assert at.selectbox(key="surface").value == "himmelblau"
    assert at.multiselect(key="opts").value == ["sgd", "rmsprop"]


def test_the_schedule_chart_counts_the_runs_epochs():
    query = {
        "surface": "linear_regression",
        "batch": "5",
        "steps": "200",
        "sched": "step",
        "sched_step_size": "2",
    }
    at = _app(query)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (schedule,) = [s for s in specs if s["layout"].get("xaxis", {}).get("title", {}).get("text") == "epoch"]
    y = schedule["data"][0]["y"]  # plotly sends typed arrays as {"dtype", "bdata"}
    n = len(base64.b64decode(y["bdata"])) // np.dtype(y["dtype"]).itemsize if isinstance(y, dict) else len(y)
    assert n == 20  # 50 samples / 5 = 10 steps per epoch
    assert any("20 epochs" in c.value for c in at.caption)


def test_newton_at_himmelblaus_maximum_reads_as_a_maximum_in_the_table():
    at = _app({"surface": "himmelblau", "opts": "newton,lm", "steps": "50"})
    table = _summary(at)
    assert list(table["stopped at"]) == ["a maximum", "a minimum"]
    assert "maximum, not a minimum" in table.loc[0, "why it stopped"]
    assert "None" not in table.to_string() and "max_steps" not in table.to_string()


def test_the_step_inspector_takes_a_copy_of_an_optimizer():
    at = _app({"opts": "sgd,sgd~2", "sgd~2_lr": "0.02", "inspect": "sgd~2"})
    assert not _warnings(at)
    assert at.selectbox(key="inspect").value == "sgd~2"
    inspector = _map_payloads(at)["paths"]["theory"]["inspector"]
    assert inspector["name"] == "sgd"  # the method; its numbers are the copy's (α = 0.02, not 0.09)
    np.testing.assert_allclose(
        map_data.decode_table(inspector)["lr"][:-1], 0.02, rtol=1e-6
    )  # the last point has none


def test_a_link_naming_only_a_preset_opens_its_scene():
    """`?preset=lm_rejects` (a lecturer's hand-typed link) shows the lesson's scene, not the default
    scene under the lesson's banner; a link that sets the scene too keeps its own values."""
    at = _app({"preset": "lm_rejects", "view": "Learning rate"})
    assert at.selectbox(key="surface").value == "himmelblau"
    assert at.multiselect(key="opts").value == ["lm"]
    assert any("Lesson: LM rejects steps" in i.value for i in at.info)
    assert "himmelblau" in at.query_params["surface"]  # and the URL now holds the whole scene
    own = _app({"preset": "lm_rejects", "surface": "rosenbrock"})
    assert own.selectbox(key="surface").value == "rosenbrock"


def test_paths_drawn_on_top_of_each_other_are_said_to_coincide():
    at = _app({"surface": "quadratic", "opts": "sgd,gauss_newton,lm"})
    said = [c.value for c in at.caption if c.value.startswith("Paths on top of each other")]
    assert len(said) == 1 and "**Gauss-Newton** and **Levenberg-Marquardt**" in said[0]
    apart = _app({"surface": "rosenbrock", "opts": "gauss_newton,lm"})  # GN jumps, LM follows the valley
    assert not [c for c in apart.caption if c.value.startswith("Paths on top of each other")]


def test_the_valley_floor_is_not_drawn_as_a_dashed_line():
    # Rosenbrock's floor is narrower than a cell of an 80 x 80 grid: each row's lowest node sat on
    # the floor or beside it by chance, so the floor's colour jumped from row to row (16% of the
    # colour range) and drew a white dashed line that looked like a path.
    import numpy as np

    import figures
    import surfaces
    from figures import map_data

    assert surfaces.SURFACES["rosenbrock"].log_levels
    _, ys, Z = figures.surface_grid(surfaces.get_surface("rosenbrock"), map_data.GRID_N_LOG)
    colour, _, _ = figures.level_transform(Z.astype(float), log_levels=True, min_value=0.0)
    floor = colour[ys > 1.2].min(axis=1)  # the right branch, row by row
    jumps = np.abs(np.diff(floor, 2)).max() / (np.nanmax(colour) - np.nanmin(colour))
    assert jumps < 0.05
