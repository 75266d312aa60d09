"""Pinned runs: their text in the URL, refused when hostile, recomputed from their settings, and
kept by the explorer through slider changes, a reload and a shared link."""

from __future__ import annotations

import json

import numpy as np
import pytest

from figures import map_data
from scenes import explorer
from scenes.pins import MAX_PINS, Pin, parse_pins, pin_label, pins_text
from tests.apptest import app


def _paths(at) -> dict[str, dict]:
    """The map's paths by label, from the map component's payload of the last run."""
    for c in at.get("bidi_component"):
        if c.proto.component_name == "playground.landscape_map":
            return {p["label"]: p for p in json.loads(c.proto.json)[0]["paths"]}
    raise AssertionError("no map")


def _pins(at) -> str:
    value = at.query_params.get("pins", "")
    return value[-1] if isinstance(value, list) else value


# --------------------------------------------------------------------------- the pins' text


def test_pins_round_trip_through_their_text():
    pins = (
        Pin("adam", (("beta1", 0.8), ("lr", 0.1))),
        Pin("sgd~2", (("lr", 0.05),), (("decay_rate", 0.2), ("kind", "inverse_time"))),
    )
    assert parse_pins(pins_text(pins), explorer.RUN_IDS) == pins


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("adam:lr=__import__('os')", "lr must be a number"),
        ("eval:lr=0.1", "a pin names a run"),
        ("adam:lr=0.1:lr=0.2", "each once"),
        ("adam:evil=1", "not evil"),
        ("adam:lr=nan", "finite"),
        ("adam:lr=1e400", "finite"),
        ("adam:sched=__class__", "schedule is one of"),
        (",".join(f"sgd:lr=0.0{i}" for i in range(1, MAX_PINS + 2)), f"at most {MAX_PINS} pins"),
        ("adam:lr=0.1,adam:lr=0.1", "pinned twice"),
    ],
)
def test_a_hostile_pin_is_refused_saying_why(text, fragment):
    with pytest.raises(ValueError) as err:
        parse_pins(text, explorer.RUN_IDS)
    assert fragment in str(err.value)
    choices = explorer.from_query("pins=" + text)  # the page's reading: the default, with a warning
    assert choices.pins == () and any("Pinned runs" in w for w in choices.warnings)


def test_a_pinned_run_equals_the_run_of_its_settings():
    """A pin is its settings, run again: the same numbers as a live run set up the same way."""
    choices = explorer.from_query(
        "surface=rosenbrock&opts=adam,sgd&adam_lr=0.3&pins=adam:lr=0.05:beta1=0.8,sgd:lr=0.001"
    )
    pinned = choices.pin_spec(choices.pins[0]).run()
    live = explorer.from_query("surface=rosenbrock&opts=adam&adam_lr=0.05&adam_beta1=0.8")
    expected = live.spec("adam").run()
    np.testing.assert_array_equal(pinned.points, expected.points)
    np.testing.assert_array_equal(pinned.losses, expected.losses)
    assert choices.pin_spec(choices.pins[1]).run().n_steps == choices.steps


def test_a_pin_is_labelled_with_what_differs_from_the_live_run():
    choices = explorer.from_query("opts=adam&adam_lr=0.3&pins=adam:lr=0.1,adam:beta1=0.8,rmsprop:lr=0.02")
    assert list(choices.pin_labels.values()) == [
        "Adam, α 0.1 (pinned)",
        "Adam, α 0.1, beta1 0.8 (pinned)",  # its α is the surface's default, 0.1, not the live 0.3
        "RMSProp, α 0.02 (pinned)",  # RMSProp is not raced: its α is said
    ]
    assert pin_label(Pin("sgd", (("lr", 0.1),)), "SGD", ({"lr": 0.1}, None)) == "SGD (pinned)"


def test_the_url_holds_only_what_differs_from_the_defaults():
    query = explorer.to_query(explorer.from_query("opts=adam&pins=adam:lr=0.05:beta1=0.9"))
    assert "pins=adam%3Alr%3D0.05" in query and "beta1" not in query


# --------------------------------------------------------------------------- the explorer


def test_pin_keeps_the_run_while_its_slider_moves_and_survives_a_reload():
    at = app({"opts": "sgd,adam", "adam_lr": "0.05"})
    at.button(key="adam_pin").click().run()
    assert _pins(at) == "adam:lr=0.05"
    at.session_state["adam_lr"] = 0.3
    at.run()
    paths = _paths(at)
    assert {"Adam", "Adam, α 0.05 (pinned)"} <= set(paths)
    pinned = paths["Adam, α 0.05 (pinned)"]
    assert pinned["dash"] == "dash" and pinned["opacity"] < 1
    live = explorer.from_query("opts=adam&adam_lr=0.05").spec("adam").run()
    np.testing.assert_allclose(map_data.decode_f32(pinned["x"]), live.points[:, 0].astype(np.float32))
    # A reload (a new session with the URL as it is now) shows the same pin.
    reloaded = app({k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()})
    assert _paths(reloaded)["Adam, α 0.05 (pinned)"]["x"] == pinned["x"]
    assert "Adam" in _paths(reloaded) and reloaded.session_state["adam_lr"] == 0.3


def test_a_shared_link_shows_its_pins_and_one_can_be_removed():
    at = app({"opts": "sgd,adam", "pins": "adam:lr=0.02,sgd:lr=0.01"})
    assert {"Adam, α 0.02 (pinned)", "SGD, α 0.01 (pinned)"} <= set(_paths(at))
    assert not [w.value for w in at.warning]
    at.button(key="unpin_pin1").click().run()
    assert _pins(at) == "sgd:lr=0.01"
    assert "Adam, α 0.02 (pinned)" not in _paths(at)


def test_a_hostile_pins_link_warns_and_pins_nothing():
    at = app({"pins": "adam:lr=__import__('os').system('id')"})
    assert any("Pinned runs" in w.value for w in at.warning)
    assert not any("pinned" in label for label in _paths(at))
