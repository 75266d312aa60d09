"""Scenes as data: what a page shows, declared once and read the same way by every page, lesson,
lecture scene, export and test (pure: no streamlit, no plotly).

A scene is a page plus the values of its settings (the page's URL query holds exactly these);
the modules here turn values into a page's typed choices and back into a query string, and
decide a scene's claims on the engine's numbers.
"""
