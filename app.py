"""Optimizer Playground: the Streamlit entry point, a thin router over the pages in `ui/`.

Run with `streamlit run app.py`.
"""

import streamlit as st

import ui.explorer


def _search_page() -> None:
    """The search page, imported when first opened (it brings pandas and the sweeps), so the
    explorer's first run does not wait for it."""
    import ui.search

    ui.search.render()


def _practice_page() -> None:
    """The training-practice page, imported when first opened (like the search page)."""
    import ui.practice

    ui.practice.render()


def run() -> None:
    """Configure the page and run the selected page (a function so tests can call it)."""
    st.set_page_config(page_title="Optimizer Playground", layout="wide")
    page = st.navigation(
        [
            # The default page is served at the root URL (Streamlit ignores a url_path for it).
            st.Page(ui.explorer.render, title="Explorer", default=True),
            st.Page(_search_page, title="Hyperparameter search", url_path="search"),
            st.Page(_practice_page, title="Training practice", url_path="training"),
            st.Page(lambda: __import__("ui.lecture").lecture.render(), title="Lecture", url_path="lecture"),
        ]
    )
    page.run()


run()
