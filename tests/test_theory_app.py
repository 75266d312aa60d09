"""The explorer's theory overlays, step inspector, step-size limit captions and presentation mode
under Streamlit's AppTest (the browser side is in tests/e2e/test_theory_browser.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from figures import map_data
from optimizers import run
from surfaces import get_surface
from tests import apptest

TIMEOUT = 60


def _app(query: dict[str, str] | None = None) -> AppTest:
    return apptest.app(query, timeout=TIMEOUT)


def _paths(at: AppTest) -> dict:
    for c in at.get("bidi_component"):
        if c.proto.component_name == "playground.landscape_map":
            return json.loads(c.proto.json)[0]
    raise AssertionError("no map")


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.caption]


def test_overlays_and_inspector_are_off_by_default_and_send_nothing():
    at = _app()
    paths = _paths(at)
    assert "theory" not in paths and paths["present"] is False
    assert at.checkbox(key="theory").value is False and at.selectbox(key="inspect").value == "none"


def test_overlays_toggle_sends_the_local_model_along_the_first_run_and_is_in_the_url():
    at = _app()
    at.checkbox(key="theory").check().run()
    assert not at.exception
    paths = _paths(at)
    overlay = map_data.decode_table(paths["theory"]["overlay"])
    assert paths["overlay_label"] == "SGD"
    # The default valley (condition 10): the Hessian diag(2, 20) at every step.
    np.testing.assert_allclose(overlay["lam1"], 20.0, rtol=1e-5)
    np.testing.assert_allclose(overlay["lam2"], 2.0, rtol=1e-5)
    assert at.query_params["theory"] == "true"
    # The predicted convergence joins the loss chart, dashed, for SGD and momentum.
    (fig,) = [
        json.loads(c.proto.json)[0]["figure"]
        for c in at.get("bidi_component")
        if c.proto.component_name == "playground.plot" and c.proto.id.endswith("loss_chart")
    ]  # the loss chart, drawn in place by ui.plot_component
    predicted = [t["name"] for t in fig["data"] if t.get("line", {}).get("dash") == "dash"]
    assert predicted == ["SGD, predicted", "Momentum, predicted"]


def test_inspector_from_a_link_packs_the_chosen_run():
    at = _app({"inspect": "adam", "theory": "true"})
    paths = _paths(at)
    ins = paths["theory"]["inspector"]
    assert ins["name"] == "adam" and paths["overlay_label"] == "Adam"
    table = map_data.decode_table(ins)
    surface = get_surface("quadratic")
    traj = run("adam", surface, (-3.5, 1.5), 60, lr=0.1)
    np.testing.assert_allclose(table["x"], traj.points[:, 0], rtol=1e-5, atol=1e-6)
    assert {"m_x", "v_x", "mhat_x", "scale_x"} <= set(ins["columns"])


def test_inspector_forgets_an_optimizer_that_left_the_race():
    at = _app({"inspect": "adam"})
    at.multiselect(key="opts").set_value(["sgd"]).run()
    assert not at.exception
    assert at.selectbox(key="inspect").value == "none" and "theory" not in _paths(at)


def test_lr_limit_captions_under_sgd_and_momentum_and_none_for_adaptive_methods():
    at = _app()
    assert not [c for c in _captions(at) if c.startswith("Stable for")]  # in closed expanders: not drawn
    for opt in at.multiselect(key="opts").value:  # open them (four optimizers start closed)
        at.session_state[f"{opt}_open"] = True
    caps = _captions(at.run())
    assert "Stable for α < 2/λ_max = 0.1 (exact: constant Hessian)." in caps
    assert "Stable for α < 2(1+β)/λ_max = 0.19 (exact: constant Hessian)." in caps
    assert len([c for c in caps if c.startswith("Stable for")]) == 2  # not RMSProp nor Adam


def test_lr_beyond_the_limit_is_noted_and_named_in_the_divergence_warning():
    at = _app({"opts": "sgd", "sgd_lr": "0.12"})
    assert any("α = 0.12 is beyond this limit" in c for c in _captions(at))
    warning = next(w.value for w in at.warning if "diverged" in w.value)
    assert "α = 0.12 > 2/λ_max = 0.1." in warning


def test_nesterov_gets_its_own_limit():
    at = _app({"opts": "nesterov,adagrad"})
    caps = [c for c in _captions(at) if c.startswith("Stable for")]
    assert caps == ["Stable for α < 2(1+β)/((1+2β)λ_max) = 0.0679 (exact: constant Hessian)."]


def test_limit_is_local_on_rosenbrock():
    at = _app({"surface": "rosenbrock", "opts": "sgd"})
    assert any(c.endswith("(local, at θ₀).") for c in _captions(at))


@pytest.mark.parametrize("surface, opt", [("curve_fit", "lm"), ("rosenbrock", "lbfgs"), ("saddle", "newton")])
def test_inspector_on_second_order_methods(surface, opt):
    at = _app({"surface": surface, "opts": opt, "inspect": opt, "theory": "true"})
    ins = _paths(at)["theory"]["inspector"]
    assert ins["name"] == opt
    assert (ins["curves"] is not None) == (opt == "lm")


def test_presentation_mode_hides_the_title_and_keeps_the_lesson_note():
    at = _app({"present": "1", "preset": "rmsprop_valley"})
    assert not at.title
    assert _paths(at)["present"] is True
    assert any("Lesson: RMSProp in the elongated valley" in i.value for i in at.info)
    assert at.checkbox(key="present").value is True
    at.checkbox(key="present").uncheck().run()
    assert at.title[0].value == "Optimizer Playground" and _paths(at)["present"] is False


@pytest.mark.parametrize(
    "surface",
    ["quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "linear_regression", "curve_fit", "custom"],
)
def test_overlays_and_inspector_on_every_surface_never_fail(surface):
    opts = "sgd,nesterov,adagrad,newton,lbfgs"
    for inspect in ("nesterov", "adagrad", "lbfgs"):
        at = _app({"surface": surface, "opts": opts, "theory": "true", "inspect": inspect})
        paths = _paths(at)
        overlay = map_data.decode_table(paths["theory"]["overlay"])
        assert np.isfinite(overlay["lam1"]).all()
        assert paths["theory"]["inspector"]["name"] == inspect
