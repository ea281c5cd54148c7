"""California Housing prices (1990 census): 20,640 block groups of 8 features."""

from __future__ import annotations

import numpy as np

from cornu.datasets._split import check_test_split, shuffle_split
from cornu.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
_SMALL_SIZE = 600


def load_data(version: str = "large", path: str = "california_housing.npz",
              test_split: float = 0.2, seed: int = 113) -> tuple:
    """Loads the California Housing dataset.

    Args:
        version: ``"large"`` (all 20,640 samples) or ``"small"`` (the first 600, a stand-in
            for Boston Housing).
        path: the file name in the cache (``~/.cornu/datasets``).
        test_split: the fraction of the data kept as the test set.
        seed: the seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` of shape ``(n, 8)`` (longitude,
        latitude, median age, total rooms, total bedrooms, population, households, median
        income), ``y`` ``(n,)``: the median house value in dollars.
    """
    check_test_split(test_split)
    path = get_file(path, origin=f"{ORIGIN_FOLDER}california_housing.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:_SMALL_SIZE], y[:_SMALL_SIZE]
    elif version != "large":
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version}")
    return shuffle_split(x, y, test_split, seed)
