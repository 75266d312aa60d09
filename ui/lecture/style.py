"""The lecture page's projector sizing: text of at least 20 px, little padding, the scene's head
on one line; with `?lock=1` no sidebar and no way to open it."""

from __future__ import annotations

import streamlit as st

CSS = """<style>
[data-testid="stMainBlockContainer"] { padding: 2.6rem 1.2rem 0.5rem 1.2rem; max-width: 100%; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMain"] button p,
[data-testid="stSidebar"] p, [data-testid="stSidebar"] a,
[data-testid="stSidebar"] [data-baseweb="select"] div,
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 20px !important; }
[data-testid="stMain"] h3 { font-size: 23px !important; padding: 0.1rem 0 0.3rem 0; }
/* the panel scrolls inside the window, never the page: the stage stays in view */
.st-key-lecture_panel { max-height: calc(100vh - 140px); overflow-y: auto; }
[data-testid="stMain"] button { min-height: 0; padding-top: 0.2rem; padding-bottom: 0.2rem; }
.st-key-lecture_panel [data-testid="stVerticalBlock"] { gap: 0.45rem; }
/* the map's controls stay within the map's column: a narrower step label and slider, and on a
   small screen no slide-size choice (the PNG button keeps its default size) */
.st-key-lecture_stage .pg-map-controls { padding-left: 8px; }
.st-key-lecture_stage .pg-map-step { min-width: 0; }
.st-key-lecture_stage .pg-map-controls input[type=range] { min-width: 40px; width: 0; }
@media (max-width: 1500px) { .st-key-lecture_stage .pg-map-slide { display: none; } }
.lecture-head { display: flex; gap: 1.2rem; align-items: baseline; font-size: 22px; margin-bottom: 0; }
.lecture-count { font-weight: 700; font-size: 24px; white-space: nowrap; }
.lecture-slide { color: #666; white-space: nowrap; }
.lecture-title { font-weight: 700; font-size: 28px; }
/* a phone (a student following the lecture, ?room=): the columns stack (Streamlit, below 640 px),
   the head wraps with the title on its own line, the page scrolls (no panel scrolling inside it),
   and the texts inside a chart fit its narrow plot */
.st-key-lecture_chart_phone { display: none; }
@media (max-width: 640px) {
  .st-key-lecture_chart_wide { display: none; }
  .st-key-lecture_chart_phone { display: block; }
  [data-testid="stMainBlockContainer"] { padding-left: 0.8rem; padding-right: 0.8rem; }
  .lecture-head { flex-wrap: wrap; row-gap: 0.2rem; }
  .lecture-title { flex-basis: 100%; font-size: 23px; }
  .st-key-lecture_panel { max-height: none; overflow-y: visible; }
  .st-key-lecture_stage [data-testid="stPlotlyChart"] .annotation-text { font-size: 18px !important; }
  .st-key-lecture_stage .modebar-container { display: none; }  /* over the legend; ▶ PNG stays */
}
</style>"""
LOCKED_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarNav"] { display: none !important; }
</style>"""


def apply(lock: bool) -> None:
    st.html(CSS + (LOCKED_CSS if lock else ""))
