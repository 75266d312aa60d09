"""Training practice: seeded data, splits, small models and a trainer that uses `optimizers`' rules.

    >>> X, y = make_dataset("moons", 500, 0.2, seed=0, label_noise=0.05)
    >>> train_idx, val_idx, test_idx = split_indices(len(X), (0.6, 0.2, 0.2), seed=0)
    >>> model = make_model("mlp", hidden=(16, 16), activation="relu", l2=1e-4, task="classification")

Plain NumPy: no streamlit, no plotly.
"""

from training.datasets import DATASETS, SPLIT_PRESETS, DatasetInfo, kfold_indices, make_dataset, split_indices
from training.models import MLP, MODELS, Model, ModelInfo, Polynomial, make_model
from training.trainer import BatchHistory, GridRows, History, grid_rows, train, train_batch

__all__ = [
    "DATASETS",
    "MLP",
    "MODELS",
    "SPLIT_PRESETS",
    "BatchHistory",
    "DatasetInfo",
    "GridRows",
    "History",
    "Model",
    "ModelInfo",
    "Polynomial",
    "grid_rows",
    "kfold_indices",
    "make_dataset",
    "make_model",
    "split_indices",
    "train",
    "train_batch",
]
