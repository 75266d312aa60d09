"""The explorer page, a package of one-job modules: `page` (the layout, `render`), `sidebar` (the
settings' widgets and callbacks), `runs` (cached runs and what is decided on them: the lesson's live
note, rates, overlays), `views` (the loss chart, the summary table, the rates, the update rules).
Its scene (settings table, typed choices, URL, run specs) is `scenes.explorer`.
"""

from ui.explorer.page import render

__all__ = ["render"]
