"""The training-practice page (`/training`): train / validation / test, under- and overfitting,
learning curves, hyperparameter search, k-fold CV and the bias / variance table, on small models
trained by the explorer's optimizers.

The scene (settings, presets and their claims) is `scenes.practice`; here: `page` (render),
`sidebar`, `training_views`, `study_views`, and `shared` (data, studies through `ui.jobs`). All
numbers come from `training`, all charts from `figures.training`; bad input shows a message,
never a traceback.
"""

from ui.practice.page import render

__all__ = ["render"]
