"""The settings table (ui/settings.py) and the shared problem picker (ui/components.py) in AppTest.

Each kind of setting reads a link's value, warns about a bad one, widens or clamps a valid one
beyond its widget, and writes non-default values back to the URL; a text setting is checked by its
validator and never evaluated. The picker is the one both pages use.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import surfaces
from params import Param
from tests import apptest
from ui.settings import Setting, SettingsTable, escape_markdown

TIMEOUT = 60


def _settings_page():
    """Every kind of setting on one page; `st.session_state["out"]` holds the values drawn."""
    import streamlit as st

    from params import Param
    from ui.settings import Setting, UrlState, draw

    def formula(text: str) -> None:  # a validator: a parser's verdict, the text is never run
        if any(ch not in "xy+-*^() 0123456789." for ch in text):
            raise ValueError("only x, y, digits and + - * ^ ( ) are allowed")

    table = [
        Setting("f", "a float", "float", 0.5, low=0.0, high=1.0, maximum=10.0, step=0.1),
        Setting.from_param(Param("lr", "rate α", 0.1, 1e-3, 1.0, log=True, minimum=0.0), "lr"),
        Setting("n", "an int", "int", 5, low=1, high=10, maximum=100),
        Setting.from_param(Param("m", "samples", 20, 5, 50, integer=True, minimum=2, maximum=1000), "m"),
        Setting("c", "a choice", "choice", "a", options=("a", "b", "c")),
        Setting("many", "a multi-choice", "multi", ("a",), options=("a", "b", "c")),
        Setting("flag", "a flag", "bool", False),
        Setting("expr", "f(x, y)", "text", "x^2 + y^2", max_chars=30, check=formula),
    ]
    url = UrlState()
    st.session_state["out"] = {s.key: draw(s, url) for s in table}
    url.finish()
    url.show_warnings(st)


def _picker_page():
    import streamlit as st

    from ui import components
    from ui.settings import UrlState

    url = UrlState()
    st.session_state["problem"] = components.problem_picker(url, prefix="p_", default_surface="rosenbrock")
    url.finish()
    url.show_warnings(st)


def _run(page, query: dict[str, str] | None = None) -> AppTest:
    return apptest.page(page, query, timeout=TIMEOUT)


def _url(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_defaults_give_a_clean_url():
    at = _run(_settings_page)
    assert at.session_state["out"] == {
        "f": 0.5, "lr": 0.1, "n": 5, "m": 20, "c": "a", "many": ["a"], "flag": False, "expr": "x^2 + y^2",
    }  # fmt: skip
    assert _url(at) == {} and not at.warning and not at.info


def test_every_kind_reads_a_link_and_writes_it_back():
    query = {"f": "0.7", "lr": "0.03", "n": "7", "m": "30", "c": "b", "many": "c,a", "flag": "true"}
    query["expr"] = "x*y + 1"
    at = _run(_settings_page, query)
    out = at.session_state["out"]
    assert out == {
        "f": pytest.approx(0.7), "lr": pytest.approx(0.03), "n": 7, "m": 30, "c": "b",
        "many": ["a", "c"], "flag": True, "expr": "x*y + 1",
    }  # fmt: skip
    assert not at.warning
    written = _url(at)
    assert written.pop("many") == "a,c"  # in the options' order
    assert {k: v for k, v in written.items()} == {k: v for k, v in query.items() if k != "many"}


@pytest.mark.parametrize(
    ("key", "raw", "says"),
    [
        ("f", "abc", "is not a number"),
        ("f", "20", "is not valid (must be a number in [0, 10])"),
        ("lr", "-1", "is not valid (lr must be >= 0; got -1)"),
        ("n", "2.5", "is not valid (must be a whole number in [1, 100])"),
        ("c", "z", "is not valid (choose one of a, b, c)"),
        ("many", "a,zz", "is not valid (unknown name(s) zz"),
        ("flag", "maybe", "is not valid (must be true or false)"),
        ("expr", "__import__('os').system('x')", "is not valid (only x, y, digits"),
        ("expr", "x" * 31, "is not valid (at most 30 characters, got 31)"),
    ],
)
def test_an_invalid_link_value_falls_back_with_a_warning(key, raw, says):
    at = _run(_settings_page, {key: raw})
    (warning,) = [w.value for w in at.warning]
    reason = warning.split("is not", 1)[-1]  # the reason is escaped Markdown: \( for (, \_ for _
    assert says in "is not" + re.sub(r"\\(.)", r"\1", reason) and "using the default" in warning
    assert key not in _url(at)  # the default again: a clean URL


def test_a_warning_quotes_a_hostile_value_short_and_without_backticks():
    raw = "`" + "y" * 200
    at = _run(_settings_page, {"expr": raw})
    (warning,) = [w.value for w in at.warning]
    assert "`expr='yyy" in warning and "y" * 61 not in warning and "…" in warning


def test_a_valid_value_beyond_a_widget_widens_an_engine_parameter_and_clamps_a_page_limit():
    at = _run(_settings_page, {"m": "400", "lr": "3", "n": "50"})
    out = at.session_state["out"]
    assert out["m"] == 400 and out["lr"] == pytest.approx(3.0) and out["n"] == 10
    assert at.slider(key="m").max == 400
    notes = " ".join(i.value for i in at.info)
    assert "samples" in notes and "rate α" in notes and "widened" in notes
    (warning,) = [w.value for w in at.warning]
    assert "`n=50`" in warning and "using 10" in warning


def test_an_unknown_link_key_is_named():
    at = _run(_settings_page, {"bogus": "1"})
    assert any("`bogus=1` is unknown" in w.value for w in at.warning)
    assert "bogus" not in _url(at)


def test_the_table_rejects_a_key_declared_twice_and_an_unknown_kind():
    with pytest.raises(ValueError, match="declared twice"):
        SettingsTable([Setting("a", "a", "bool", False), Setting("a", "b", "bool", True)])
    with pytest.raises(ValueError, match="unknown setting kind 'slider'"):
        Setting("a", "a", "slider", 0.0)
    table = SettingsTable([Setting("a", "a", "bool", False)])
    assert "a" in table and table["a"].kind == "bool" and [s.key for s in table] == ["a"]


def test_from_param_follows_the_engine_param():
    lr = Param("lr", "rate", 0.1, 1e-3, 1.0, log=True, minimum=0.0)
    assert Setting.from_param(lr, "adam_lr").kind == "log"
    scaling = Param("scaling", "D", "levenberg", choices=("levenberg", "marquardt"))
    assert Setting.from_param(scaling, "lm_scaling").options == ("levenberg", "marquardt")
    steps = Param("step_size", "T", 10, 1, 100, integer=True, minimum=1)
    assert Setting.from_param(steps, "sched_step_size", style="number").style == "number"


# ---- the shared problem picker ----


def test_the_picker_draws_surface_parameters_and_start_under_its_prefix():
    at = _run(_picker_page, {"p_rosenbrock_b": "50", "p_start_x": "-1"})
    problem = at.session_state["problem"]
    assert problem.surface == "rosenbrock" and dict(problem.surface_params)["b"] == 50
    assert problem.start == (-1.0, surfaces.SURFACES["rosenbrock"].default_start[1])
    assert _url(at) == {"p_rosenbrock_b": "50", "p_start_x": "-1"}
    assert problem.build_surface().b == 50


def test_the_picker_moves_the_start_to_a_new_surfaces_default():
    at = _run(_picker_page)
    at.number_input(key="p_start_x").set_value(0.5).run()
    at.selectbox(key="p_surface").set_value("himmelblau").run()
    default_start = tuple(map(float, surfaces.SURFACES["himmelblau"].default_start))
    assert at.session_state["problem"].start == default_start
    assert _url(at) == {"p_surface": "himmelblau"}


def test_a_start_outside_the_view_falls_back_with_a_warning():
    at = _run(_picker_page, {"p_start_x": "1e9"})
    (warning,) = [w.value for w in at.warning]
    assert "`p_start_x=1e9`" in warning and "x" in warning


@pytest.mark.parametrize(
    "text", ["unknown name '__import__' at column 1", "$x$ **b** [a](javascript:x) :red[y]"]
)
def test_escape_markdown_keeps_the_text_and_leaves_no_markup(text):
    escaped = escape_markdown(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text  # unescaping gives the text back
    assert not re.search(r"(?<!\\)[*_$\[\]`:]", escaped)  # every markup character is escaped


def _italic_pairs(text: str) -> list[str]:
    """Stretches Markdown would set in italics: between two unescaped single asterisks."""
    import re

    single = re.sub(r"\*\*", "", text)
    return re.findall(r"(?<!\\)\*[^*]*?(?<!\\)\*", single)


def test_no_label_or_help_lets_markdown_italics_eat_an_asterisk():
    """'L − L*' twice in one help text made Markdown italicise the words between the two L*."""
    import scenes.explorer
    import scenes.search

    for table in (scenes.explorer.TABLE, scenes.search.TABLE):
        for s in table:
            for text in (s.label, s.help):
                assert not _italic_pairs(text), (s.key, text)


def test_a_markdown_table_shows_its_cells_literally_and_reads_back():
    from tests.markdown_tables import parse_markdown_table
    from ui.common import markdown_table

    header = ["optimizer", "why | it stopped"]
    rows = [["SGD, α 0.1", "loss ≤ 1e-3 *fast*"], ["__import__", "two\nlines `x` $y$"]]
    text = markdown_table(header, rows)
    assert len(text.splitlines()) == 4  # a newline inside a cell does not break the table
    assert "*fast*" not in text and "__import__" not in text and "$y$" not in text  # all escaped
    back = parse_markdown_table(text)
    assert list(back.columns) == header
    assert back.values.tolist() == [["SGD, α 0.1", "loss ≤ 1e-3 *fast*"], ["__import__", "two lines `x` $y$"]]
