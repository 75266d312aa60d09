"""The training-practice page in Streamlit's AppTest: every view renders, heavy jobs run on their
buttons, every lesson preset opens cleanly, the test score is hidden until asked for (and asking
again after a change is flagged as peeking), and bad links show warnings, never a traceback."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from scenes.practice import PRESETS, VIEWS

TIMEOUT = 180


def _practice_page():
    import streamlit as st

    from ui import practice

    st.set_page_config(layout="wide")
    practice.render()


def make(query: dict | None = None) -> AppTest:
    at = AppTest.from_function(_practice_page, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


@pytest.fixture
def at():
    return make()


def chart_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def open_view(at, view: str) -> AppTest:
    at.session_state["tr_view"] = view
    return at.run()


def click(at, label: str) -> AppTest:
    buttons = [b for b in at.button if b.label == label]
    assert buttons, f"no button {label!r}; have {[b.label for b in at.button]}"
    return buttons[0].click().run()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_page_trains_and_draws_data_and_curves(at):
    assert_clean(at)
    assert at.title[0].value == "Training practice"
    specs = chart_specs(at)
    assert len(specs) == 2  # the data with its decision boundary, and the loss curves
    data = next(s for s in specs if s.get("frames"))
    assert 2 < len(data["frames"]) <= 31  # epochs scrubbed in the browser
    assert data["layout"]["sliders"][0]["currentvalue"]["prefix"] == "epoch = "
    assert any(t["type"] == "contour" for t in data["data"])
    names = {t.get("meta") for t in data["data"]}
    assert "points:train" in names and "points:validation" in names
    assert "points:test" not in names  # hidden until the test score is asked for
    m = metrics(at)
    assert m["iterations"] == "300"  # 120 training samples // 32 = 3 per epoch x 100 epochs
    assert "best validation epoch" in m
    assert any("3 iterations per epoch × 100 epochs = 300 iterations" in c.value for c in at.caption)


def test_ema_and_accuracy_change_only_the_curves(at):
    at.slider(key="tr_ema").set_value(0.9).run()
    assert_clean(at)
    loss = next(s for s in chart_specs(at) if not s.get("frames"))
    assert any(t.get("name") == "minibatch loss, EMA 0.9" for t in loss["data"])
    at.radio(key="tr_metric").set_value("accuracy").run()
    loss = next(s for s in chart_specs(at) if not s.get("frames"))
    assert {t.get("name") for t in loss["data"]} >= {
        "train accuracy (per epoch)",
        "validation accuracy (per epoch)",
    }
    assert at.query_params["tr_metric"] in ("accuracy", ["accuracy"])


def test_test_score_hidden_until_asked_then_peeking_is_flagged(at):
    assert not any(m.startswith("test ") for m in metrics(at))
    at = click(at, "Show the test score")
    assert_clean(at)
    assert any(m.startswith("test error rate") for m in metrics(at))
    data = next(s for s in chart_specs(at) if s.get("frames"))
    assert "points:test" in {t.get("meta") for t in data["data"]}  # the test points appear too
    assert not at.warning
    assert any("only look" in c.value for c in at.caption)
    at.slider(key="tr_width").set_value(8).run()  # change a setting of the model ...
    assert not any(m.startswith("test ") for m in metrics(at))
    assert any("peeking" in c.value for c in at.caption)
    at = click(at, "Show the test score")  # ... and ask again
    assert any("Peeking" in w.value and "2 times" in w.value for w in at.warning)
    assert any(m.startswith("test error rate") for m in metrics(at))


def test_one_count_of_test_looks_per_data_set_on_every_tab_and_across_a_reload(at):
    """Issue 19, item 11: look A, change, look B, back to A: A is not "your first look"; the
    search tab's evaluation counts on the same count; a reload (the URL) keeps it; another data
    set (seed) has its own test part and count."""
    at = click(at, "Show the test score")  # look 1, model A
    at.slider(key="tr_width").set_value(8).run()
    at = click(at, "Show the test score")  # look 2, model B
    at.slider(key="tr_width").set_value(16).run()  # back to A: shown, but no longer an unbiased first look
    assert any(m.startswith("test error rate") for m in metrics(at))
    assert not any("only look" in c.value for c in at.caption)
    assert any("Peeking" in w.value and "2 times" in w.value for w in at.warning)
    at = open_view(at, VIEWS[3])
    at = click(at, "Run the search")
    at = click(at, "Evaluate the chosen model on test (once)")  # look 3, on another tab
    assert_clean(at)
    assert any("Peeking" in w.value and "3 times" in w.value for w in at.warning)
    assert at.query_params["tr_test_looks"] in ("3", ["3"])
    reloaded = make({"tr_test_looks": "3"})  # a reload: a new session from the same URL
    assert not any(m.startswith("test ") for m in metrics(reloaded))
    assert any("3 time(s)" in c.value for c in reloaded.caption)
    reloaded = click(reloaded, "Show the test score")
    assert any("Peeking" in w.value and "4 times" in w.value for w in reloaded.warning)
    other = make({"tr_test_looks": "3", "tr_seed": "5"})
    other = click(other, "Show the test score")  # with the URL's count: still counted as peeking
    other.number_input(key="tr_seed").set_value(6).run()  # a new data set: a fresh test part
    other = click(other, "Show the test score")
    assert any("only look" in c.value for c in other.caption)


def test_every_view_renders_and_the_heavy_jobs_run_on_their_buttons(at):
    at = open_view(at, VIEWS[1])
    assert_clean(at)
    fits = chart_specs(at)[0]
    titles = [a["text"].split("<br>")[0] for a in fits["layout"]["annotations"]]
    assert [t.split(":")[0] for t in titles] == ["width 1", "width 8", "width 64"]
    assert sum(t.endswith(": about right") for t in titles) == 1  # computed from the errors
    at = open_view(at, VIEWS[2])
    assert not at.get("plotly_chart")  # nothing runs before the buttons
    at = click(at, "Compute the learning curve")
    at = click(at, "Compute the validation curve")
    assert_clean(at)
    specs = chart_specs(at)
    assert specs[0]["layout"]["xaxis"]["title"]["text"] == "training-set size n"
    assert specs[1]["layout"]["xaxis"]["title"]["text"] == "L2 strength λ"
    at = open_view(at, VIEWS[3])
    at = click(at, "Run the search")
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) == 48 and list(table["rank"]) == list(range(1, 49))
    assert table.iloc[:, -2].is_monotonic_increasing  # ranked by validation error (then loss)
    assert at.get("download_button")
    assert not any(m.startswith("test ") for m in metrics(at))
    at = click(at, "Evaluate the chosen model on test (once)")
    assert any(m.startswith("test error rate") and m.endswith("of the chosen model") for m in metrics(at))
    at = open_view(at, VIEWS[4])
    assert_clean(at)
    assert len(chart_specs(at)) == 1  # the fold diagram, before the run
    at = click(at, "Run the cross-validation")
    assert_clean(at)
    cv = chart_specs(at)[1]
    assert any(t.get("meta") == "single" for t in cv["data"])
    assert any("CV picks" in m.value for m in at.markdown)
    at = open_view(at, VIEWS[5])
    assert_clean(at)
    assert len(at.table[0].value) == 5 and len(at.dataframe[0].value) == 3


def test_a_result_stays_while_only_the_view_changes_and_asks_again_after_a_setting_changes(at):
    at = open_view(at, VIEWS[4])
    at = click(at, "Run the cross-validation")
    at.slider(key="tr_cv_k").set_value(3).run()
    assert any("settings changed since the last run" in c.value for c in at.caption)
    assert len(chart_specs(at)) == 1  # the fold diagram only
    assert len(chart_specs(at)[0]["data"][0]["y"]) == 3  # three splits


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_opens_cleanly_with_its_note_and_view(name):
    at = make()
    at.selectbox(key="tr_preset").select(name).run()
    assert_clean(at)
    preset = PRESETS[name]
    assert any(preset.title in i.value for i in at.info)
    assert at.session_state["tr_view"] == preset.settings["view"]
    if name == "overfit15":
        assert any("condition number" in i.value for i in at.info)
        assert [row for row in at.dataframe[0].value["model"]] == [
            "degree 1: underfitting",
            "degree 4: about right",
            "degree 15: overfitting",
        ]
    if name == "early_stopping":
        m = metrics(at)
        best = int(m["best validation epoch"])
        assert best < 50
        # every number is the kept (best) epoch's: the note's "keeps the parameters of the green epoch"
        label = f"validation error rate (1 − accuracy) (epoch {best}, early stopping)"
        assert label in m
        at = click(at, "Show the test score")
        assert f"test error rate (1 − accuracy) (parameters of epoch {best}, early stopping)" in metrics(at)
    if name == "cv_degree":
        at = click(at, "Run the cross-validation")
        assert_clean(at)
        assert any("CV picks degree d = 4" in m.value for m in at.markdown)
        m = metrics(at)
        assert float(m["your model (degree d = 4): CV estimate"]) > 0
        assert "single validation split" in m
    if name == "bias_variance":
        assert any(w.value.startswith("**High bias.**") for w in at.warning)


def test_newton_says_it_lands_in_one_step():
    at = make({"tr_dataset": "sine", "tr_model": "polynomial", "tr_optimizer": "newton", "tr_epochs": "1"})
    assert_clean(at)
    assert any("lands on the ridge solution in one step" in i.value for i in at.info)
    assert metrics(at)["iterations"] == "1"


def test_second_order_methods_are_offered_for_the_polynomial_only(at):
    assert "newton" not in at.selectbox(key="tr_optimizer").options
    at.selectbox(key="tr_dataset").select("sine").run()
    at.selectbox(key="tr_model").select("polynomial").run()
    assert "Newton" in at.selectbox(key="tr_optimizer").options


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"tr_n": "abc"}, "is not a number"),
        ({"tr_dataset": "nope"}, "choose one of"),
        ({"tr_degree": "99", "tr_model": "polynomial", "tr_dataset": "sine"}, "must be a whole number in"),
        ({"tr_model": "polynomial"}, "choose one of mlp"),
        ({"tr_split": "custom", "tr_train_frac": "0.9", "tr_val_frac": "0.3"}, "leave less than 5%"),
        ({"tr_batch": "128"}, "not smaller than the training set"),
        ({"tr_adam_lr": "-1"}, "not valid"),
        ({"tr_bogus": "1"}, "unknown"),
        (
            {"tr_n": "1000", "tr_epochs": "500", "tr_layers": "3", "tr_width": "64"},
            "more than this page trains on a click",
        ),
    ],
)
def test_bad_links_show_warnings_not_tracebacks(query, expected):
    at = make(query)
    assert_clean(at)
    texts = [w.value for w in at.warning]
    assert any(expected in t for t in texts), texts
    if "more than this page" not in expected:
        assert at.get("plotly_chart")  # the page still trains and draws


def test_capacity_panels_that_would_take_too_long_say_so_instead():
    query = {"tr_n": "1000", "tr_epochs": "150", "tr_layers": "3", "tr_view": VIEWS[1]}
    at = make(query)
    assert_clean(at)
    assert any("would take more than about ten seconds" in w.value for w in at.warning)
    assert not at.get("plotly_chart")
    at = open_view(at, VIEWS[5])
    assert_clean(at)
    assert len(at.table[0].value) == 5  # the current model's table still shows
    assert any("would take too long" in c.value for c in at.caption)


def test_a_job_that_would_take_minutes_says_so_instead_of_offering_its_button():
    query = {"tr_n": "1000", "tr_epochs": "100", "tr_view": VIEWS[4], "tr_cv_param": "width"}
    at = make(query)
    assert_clean(at)
    assert any("This job would take about" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "Run the cross-validation"]
    at.selectbox(key="tr_cv_param").select("l2").run()  # the same CV over λ at width 16 is fine
    assert [b for b in at.button if b.label == "Run the cross-validation"]


def test_the_single_training_and_a_study_go_through_the_worker_when_long(monkeypatch):
    """With every job sent to the worker (as a long one is), the page shows the worker's results,
    the same as training here."""
    from sweeps import background
    from training import studies as ts
    from ui import jobs

    submitted = []
    real_submit = background.submit

    def counting_submit(name, *args, **kwargs):
        submitted.append(name)
        return real_submit(name, *args, **kwargs)

    monkeypatch.setattr(jobs, "WORKER_MIN_SECONDS", 0)
    monkeypatch.setattr(jobs, "_results", jobs.OrderedDict())
    monkeypatch.setattr(background, "submit", counting_submit)
    try:
        at = make({"tr_view": VIEWS[4], "tr_cv_k": "3"})
        for _ in range(60):  # the page reruns itself while the worker trains
            if any(b.label == "Run the cross-validation" for b in at.button):
                break
            at.run()
        assert_clean(at)
        at = click(at, "Run the cross-validation")
        for _ in range(60):
            if any(c.value.startswith("**CV picks") for c in at.markdown):
                break
            at.run()
        assert_clean(at)
        assert submitted[:2] == ["fit", "cross_validation"]
        cv = next(v for k, v in jobs._results.items() if k[0] == "cross_validation")
        setup = next(k[1][0] for k in jobs._results if k[0] == "cross_validation")
        np.testing.assert_array_equal(cv.scores, ts.cross_validation(setup, "l2", 3).scores)
    finally:
        background.shutdown()


def test_the_lesson_note_stays_at_the_top_though_it_is_checked_after_the_views():
    at = make()
    at.selectbox(key="tr_preset").select("bias_variance").run()
    assert_clean(at)
    top = list(at.main.children.values())  # title, intro, the messages, then the views' tabs
    kinds = [getattr(block, "type", None) for block in top]
    tabs = kinds.index("tab_container")

    def texts(node) -> str:
        return str(getattr(node, "value", "")) + "".join(
            texts(c) for c in getattr(node, "children", {}).values()
        )

    note = [i for i, block in enumerate(top) if "High bias vs high variance" in texts(block)]
    assert note and note[0] < tabs, kinds


def test_a_presets_note_goes_when_a_setting_it_does_not_own_makes_a_claim_false():
    at = make()
    at.selectbox(key="tr_preset").select("early_stopping").run()
    assert any("then rises" in i.value for i in at.info)  # the note holds on its own scene
    # the schedule is not the preset's: a learning rate that collapses after one epoch stops the
    # network before it learns the flipped labels, so "the validation loss ... then rises" is false
    at.session_state["tr_sched"] = "step"
    at.session_state["tr_sched_step_size"] = 1
    at.session_state["tr_sched_decay_rate"] = 0.05
    at.run()
    assert_clean(at)
    assert not any("then rises" in i.value for i in at.info)
    said = [w.value for w in at.warning if "Early stopping" in w.value]
    assert said and "does not hold" in said[0] and "the validation loss at the last epoch is" in said[0], [
        w.value for w in at.warning
    ]
