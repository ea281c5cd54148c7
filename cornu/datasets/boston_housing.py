"""Boston Housing prices (StatLib): 506 samples of 13 features, targets in k$."""

from __future__ import annotations

import numpy as np

from cornu.datasets._split import check_test_split, shuffle_split
from cornu.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> tuple:
    """Loads the Boston Housing dataset.

    Args:
        path: the file name in the cache (``~/.cornu/datasets``).
        test_split: the fraction of the data kept as the test set.
        seed: the seed of the shuffle before the split (Keras's order for the same seed).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` of shape ``(n, 13)``, ``y`` ``(n,)``.
    """
    check_test_split(test_split)
    path = get_file(path, origin=f"{ORIGIN_FOLDER}boston_housing.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffle_split(x, y, test_split, seed)
