"""The hyperparameter-search page, a package of one-job modules: `page` (the layout and the
sidebar, `render`), `search_tab` (grid or random search: controls, results, picks, the explorer
link), `ranges` (the searched pair's widgets), `compare` (grid vs random on one budget),
`start_map` (the many-start map), `words` (the sentences about a search's numbers) and `compute`
(the cached sweeps, paths and contour). Its scene (settings table, typed request, explorer link's
query) is `scenes.search`.
"""

from ui.search.page import render

__all__ = ["render"]
