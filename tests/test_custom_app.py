"""The custom surface on the pages (AppTest): the formula box races, its URL round trip, examples,
and hostile or malformed text, typed or in a link, shows a message and never an exception.

The explorer is `app.py`'s default page; the search page is run on its own (as in
tests/test_search_app.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from scenes.settings import shown as _shown
from tests import apptest
from tests.markdown_tables import summary_table

TIMEOUT = 60
DEFAULT_FORMULA = surfaces.SURFACES["custom"].params[0].default


def _app(query: dict[str, str] | None = None) -> AppTest:
    return apptest.app(query, timeout=TIMEOUT)


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _formula_latex(at: AppTest) -> str:
    shown = [x.value for x in at.latex if "L(x, y) =" in x.value]
    assert len(shown) == 1, [x.value for x in at.latex]
    return shown[0]


def _rows(at: AppTest) -> list[str]:
    return list(summary_table(at)["optimizer"])


def _query(at: AppTest) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def _typed(at: AppTest, text: str) -> AppTest:
    at.text_input(key="custom_formula").set_value(text).run()
    _clean(at)
    return at


def test_a_typed_formula_races_and_is_shown_in_latex():
    at = _app({"surface": "custom"})
    _typed(at, "x^2 + 3*y^2 + sin(x)")
    assert not at.error
    assert r"\sin" in _formula_latex(at) and "x^{2}" in _formula_latex(at)
    table = summary_table(at)
    assert list(table["optimizer"]) == ["SGD", "Momentum", "RMSProp", "Adam"]
    # Its minimum is near (-0.45, 0), found by the search: every run got well below the start's loss.
    start_loss = (-1.5) ** 2 + 3 * 2.0**2 + float(__import__("math").sin(-1.5))
    assert (table["final loss"].str.replace("−", "-").astype(float) < 0.1 * start_loss).all()
    captions = " ".join(c.value for c in at.caption)
    assert "estimates" in captions and "many-start search" in captions
    assert _query(at) == {"surface": "custom", "custom_formula": "x^2 + 3*y^2 + sin(x)"}


def test_every_optimizer_races_and_gauss_newton_is_explained_without_residuals():
    everything = ",".join(optimizers.OPTIMIZERS)
    at = _app({"surface": "custom", "opts": everything})  # the default: Rosenbrock, not residuals
    rows = _rows(at)
    assert "Gauss-Newton" not in rows and "Levenberg-Marquardt" not in rows
    assert len(rows) == len(optimizers.OPTIMIZERS) - 2
    infos = " ".join(i.value for i in at.info)
    assert "residuals separated by ;" in infos

    _typed(at, "1 - x; 10*(y - x^2)")  # the same loss as residuals: all of them run
    assert len(_rows(at)) == len(optimizers.OPTIMIZERS)
    assert not [w.value for w in at.warning if "diverged" in w.value]
    table = summary_table(at).set_index("optimizer")
    assert float(table.loc["Gauss-Newton", "final loss"].replace("−", "-")) < 1e-12
    assert float(table.loc["Levenberg-Marquardt", "final loss"].replace("−", "-")) < 1e-12


def test_no_minimum_in_view_is_said_and_the_loss_drawn_as_is():
    at = _app({"surface": "custom", "custom_formula": "x^3 - 3*x*y^2", "opts": "sgd"})
    captions = " ".join(c.value for c in at.caption)
    assert "No minimum was found inside the view box" in captions
    assert "drawn as is" in captions
    assert list(summary_table(at)["steps to tolerance"]) == ["—"]


def test_a_curve_of_minima_is_said_and_its_l_star_used():
    at = _app({"surface": "custom", "custom_formula": "(x^2 + y^2 - 1)^2", "opts": "sgd"})
    captions = " ".join(c.value for c in at.caption)
    assert "No minimum was found" not in captions
    assert "L* = 0 is taken along a curve or line" in captions
    assert list(summary_table(at)["steps to tolerance"]) != ["—"]  # L* known: steps are counted


def test_an_example_fills_the_formula_view_box_and_start():
    at = _app({"surface": "custom"})
    assert at.selectbox(key="custom_example").value == "rosenbrock"  # the default formula is one
    at.selectbox(key="custom_example").set_value("himmelblau").run()
    _clean(at)
    example = surfaces.EXAMPLES["himmelblau"]
    assert at.text_input(key="custom_formula").value == example.formula
    assert at.number_input(key="custom_x_range__low").value == example.x_range[0]
    assert at.number_input(key="custom_y_range__high").value == example.y_range[1]
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == example.start
    assert at.selectbox(key="custom_example").value == "himmelblau"
    assert _query(at)["custom_x_range"] == "-5,5"
    _typed(at, example.formula + " + 1")  # edited: the picker says it is the user's own now
    assert at.selectbox(key="custom_example").value == ""


def test_url_round_trip_restores_the_scene():
    """Scene -> URL -> a fresh session: the same formula, view box, start, and the same race."""
    at = _app({"surface": "custom"})
    at.selectbox(key="custom_example").set_value("rotated_valley").run()
    _typed(at, "(x + y)^2 + 20*(x - y)^2 + cos(y)")
    at.number_input(key="custom_y_range__low").set_value(-4.0).run()
    at.number_input(key="start_x").set_value(-2.0).run()
    _clean(at)
    query = _query(at)
    assert query["custom_formula"] == "(x + y)^2 + 20*(x - y)^2 + cos(y)"
    assert query["custom_y_range"] == "-4,3" and query["custom_x_range"] == "-3,3"
    assert query["start_x"] == "-2"

    again = _app(query)
    assert not again.warning, [w.value for w in again.warning]
    assert again.text_input(key="custom_formula").value == query["custom_formula"]
    assert again.number_input(key="custom_y_range__low").value == -4.0
    assert again.number_input(key="start_x").value == -2.0
    assert _formula_latex(again) == _formula_latex(at)
    assert summary_table(again).equals(summary_table(at))
    assert _query(again) == query


HOSTILE_LINKS = [
    ("custom_formula", "__import__('os').system('touch /tmp/pwned')"),
    ("custom_formula", "x.__class__.__bases__"),
    ("custom_formula", "9^9^9"),
    ("custom_formula", "x" + "+x" * 200),  # too long
    ("custom_formula", "ｘ^2"),  # a full-width x
    ("custom_formula", "**bold** $\\alpha$ <script>alert(1)</script>"),
    ("custom_formula", "2x"),
    ("custom_formula", ""),
    ("custom_x_range", "2,-2"),
    ("custom_x_range", "1,2,3"),
    ("custom_x_range", "nan,1"),
    ("custom_y_range", "-1e300,1"),
    ("custom_y_range", "__import__"),
]


@pytest.mark.parametrize(("key", "raw"), HOSTILE_LINKS)
def test_a_hostile_link_value_falls_back_to_the_default_with_a_warning(key, raw):
    at = _app({"surface": "custom", key: raw})
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and f"`{key}=" in warnings[0] and "using the default" in warnings[0]
    # The value is quoted inside a code span (shortened, no backtick that could end it) and the
    # rest, the engine's reason included, is escaped Markdown.
    parts = warnings[0].split("`")
    assert parts[1] == f"{key}={_shown(raw)}"
    assert not any("__" in part or "<script>" in part for part in parts[2::2])
    assert at.text_input(key="custom_formula").value == DEFAULT_FORMULA
    assert len(_rows(at)) == 4  # the default race still runs
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("x + __import__('os')", 16),  # the quote
        ("x + __import__(y)", 5),
        ("x^2 + 3*y^2 + 2x", 15),
        ("(1 - x)^2 + 100*(y - x^2", None),
        ("x^2 + exp(exp(exp(x))) + y^(9^9)", None),
    ],
)
def test_a_malformed_typed_formula_shows_an_escaped_error_and_keeps_the_last_good_one(text, column):
    at = _app({"surface": "custom", "opts": "sgd,adam"})
    _typed(at, text)
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    message = errors[0]
    assert "__import__" not in message  # underscores are escaped (\_\_import\_\_), not bold
    if "import" in text:
        assert r"\_\_import\_\_" in message or "'" in message
    if column is not None:
        assert f"column {column}" in message
        caret = [c.value for c in at.code if c.value.endswith("^")]
        assert caret == [f"{text}\n{' ' * (column - 1)}^"]
    # The page goes on with the last formula that worked: its LaTeX and its race.
    assert "100" in _formula_latex(at)
    assert _rows(at) == ["SGD", "Adam"]
    assert any("the last one that worked" in c.value for c in at.caption)
    _typed(at, "x^2 + y^2")  # fixed: the error goes, the new formula is used
    assert not at.error and "100" not in _formula_latex(at)


def test_a_formula_finite_nowhere_says_so_not_pick_a_start():
    at = _typed(_app({"surface": "custom"}), "1/(x-x)")
    messages = " ".join(e.value for e in at.error)
    assert "not a finite number anywhere in the view box" in messages
    assert "start" not in messages


def test_a_pasted_formula_over_the_limit_is_refused_with_the_limit_not_silently():
    at = _app({"surface": "custom"})
    box = at.text_input(key="custom_formula")
    assert box.proto.max_chars == 0  # no browser cap: Streamlit would drop the paste without a word
    _typed(at, "+".join(["x^2"] * 250))  # 999 characters
    assert len(at.error) == 1
    assert "999 characters long; at most 300 are allowed" in at.error[0].value
    assert "custom_formula" not in _query(at)  # the long text stays out of the link


def test_a_bad_view_box_shows_an_error_and_keeps_the_last_good_one():
    at = _app({"surface": "custom", "opts": "adam"})
    at.number_input(key="custom_x_range__low").set_value(5.0).run()  # low above high (2)
    _clean(at)
    assert len(at.error) == 1 and "x\\_range" in at.error[0].value and r"low \< high" in at.error[0].value
    assert _rows(at) == ["Adam"]


def _search_page():
    import streamlit as st

    from ui import search

    st.set_page_config(layout="wide")
    search.render()


def test_the_search_page_runs_on_a_custom_formula():
    query = {"tune_surface": "custom", "tune_custom_formula": "x^2 + y - 11; x + y^2 - 7"}
    at = apptest.page(_search_page, query, timeout=120, check=False)
    for key, value in [("tune_grid_n", 5), ("tune_grid_m", 5), ("tune_steps", 40), ("tune_map_n", 6),
                       ("tune_map_steps", 40), ("tune_cmp_steps", 40), ("tune_cmp_seeds", 2)]:  # fmt: skip
        at.number_input(key=key).set_value(value)
    at.run()
    _clean(at)
    assert not at.error, [e.value for e in at.error]
    assert "Levenberg-Marquardt" in at.selectbox(key="tune_optimizer").options  # residuals: LM searchable
    assert len(at.get("plotly_chart")) >= 2  # the open tab's: search result and paths
    from ui.search.page import TAB, TABS

    for tab in TABS[1:]:  # the comparison and the many-start map draw on the formula too
        at.session_state[TAB] = tab
        at.run()
        _clean(at)
        assert not at.error, (tab, [e.value for e in at.error])
        assert at.get("plotly_chart"), tab
    at.session_state[TAB] = TABS[0]
    at.run()
    assert "x^{2}" in _formula_latex(at)
    at.text_input(key="tune_custom_formula").set_value("x +* y").run()  # malformed: an error, no crash
    _clean(at)
    assert len(at.error) == 1 and "column" in at.error[0].value
    assert len(at.get("plotly_chart")) >= 2  # the last good formula's charts stay


def test_the_search_pages_explorer_link_carries_the_formula_and_view_box():
    from scenes.search import Problem, explorer_query

    params = (("formula", "1 - x; 10*(y - x^2)"), ("x_range", (-2.0, 2.5)), ("y_range", (-1.0, 3.0)))
    query, _ = explorer_query(Problem("custom", params, (-1.5, 2.0), "lm"), {"damping": 1.0}, 50)
    assert query["custom_formula"] == "1 - x; 10*(y - x^2)"
    assert query["custom_x_range"] == "-2,2.5" and query["custom_y_range"] == "-1,3"
    at = _app(query)  # the explorer opens on that scene without a warning
    assert not at.warning, [w.value for w in at.warning]
    assert at.number_input(key="custom_x_range__high").value == 2.5
    assert _rows(at) == ["Levenberg-Marquardt"]


@pytest.mark.parametrize("formula", ["sqrt(-1 - x^2 - y^2)", "x/0 + y"])
def test_a_formula_finite_nowhere_in_view_is_an_error_saying_so(formula):
    # no start could be picked: the page says why (it said "pick a start inside the view")
    at = _app({"surface": "custom", "custom_formula": formula, "opts": "sgd,adam"})
    assert len(at.error) == 1 and "not a finite number anywhere in the view box" in at.error[0].value


@pytest.mark.parametrize("formula", ["log(x) + y^2", "exp(exp(10*x)) + y^2"])
def test_numeric_faults_are_not_errors_the_map_is_drawn_and_runs_explained(formula):
    at = _app({"surface": "custom", "custom_formula": formula, "opts": "sgd,adam"})
    assert not at.error
    drawn = {c.proto.component_name for c in at.get("bidi_component")}
    # the map (its contour layer and its paths), with gaps where the loss is not finite
    assert {"playground.landscape_base", "playground.landscape_map"} <= drawn
    said = " ".join(m.value for m in [*at.info, *at.warning])
    has_table = any(m.value.startswith("| optimizer |") for m in at.markdown)
    ran = list(summary_table(at)["optimizer"]) if has_table else []
    for label in ("SGD", "Adam"):  # each one races, or the page says why not / that it diverged
        assert label in ran or f"**{label}** could not run" in said
