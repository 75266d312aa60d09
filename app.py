"""Optimizer Playground: the Streamlit entry point, a thin router over the pages in `ui/`.

Run with `streamlit run app.py`.
"""

import streamlit as st

import ui.explorer
import ui.practice
import ui.search


def run() -> None:
    """Configure the page and run the selected page (a function so tests can call it)."""
    st.set_page_config(page_title="Optimizer Playground", layout="wide")
    page = st.navigation(
        [
            # The default page is served at the root URL (Streamlit ignores a url_path for it).
            st.Page(ui.explorer.render, title="Explorer", default=True),
            st.Page(ui.search.render, title="Hyperparameter search", url_path="search"),
            st.Page(ui.practice.render, title="Training practice", url_path="training"),
        ]
    )
    page.run()


run()
