"""The lecture's keys: PageDown / PageUp (what presenter clickers send) go to the next and the
previous scene, Home / End to the first and the last, while nothing that takes typing has the
focus. A small Components v2 element listens on the document and reports the key as a trigger.

Space, ← and → stay with the map (`ui/landscape_map.js`: play, pause, step), and Home / End on the
focused map keep scrubbing it to its first and last step.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

MOVES = {"PageDown": "next", "PageUp": "prev", "Home": "first", "End": "last"}

_JS = """
export default function ({ parentElement, setTriggerValue }) {
  const moves = MOVES_JSON;
  const typing = (t) => t && t.closest && t.closest(
    "input, textarea, select, [contenteditable=true], [role=slider], [role=combobox], .pg-map");
  const handler = (ev) => {
    const move = moves[ev.key];
    if (!move || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    // a focused map keeps Home / End (its first and last step); PageUp / PageDown still move on
    if (typing(ev.target) && !(ev.target.closest(".pg-map") && ev.key.startsWith("Page"))) return;
    ev.preventDefault();
    setTriggerValue("move", move);
  };
  if (window.__lectureKeys) document.removeEventListener("keydown", window.__lectureKeys);
  window.__lectureKeys = handler;
  document.addEventListener("keydown", handler);
  parentElement.dataset.lectureKeys = "on";
  return () => {
    document.removeEventListener("keydown", handler);
    if (window.__lectureKeys === handler) window.__lectureKeys = null;
  };
}
""".replace("MOVES_JSON", json.dumps(MOVES))

_element = st.components.v2.component("playground.lecture_keys", js=_JS, isolate_styles=False)


def listen(key: str, on_move: Callable[[str], None]) -> None:
    """Mount the listener; `on_move("next" | "prev" | "first" | "last")` runs in a callback,
    before the rerun."""

    def _moved() -> None:
        state = st.session_state.get(key)
        move = state.get("move") if state is not None else None
        if move in MOVES.values():
            on_move(move)

    _element(key=key, data=[{}], on_move_change=_moved)
