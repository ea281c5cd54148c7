"""MNIST handwritten digits: 60,000 training and 10,000 test 28x28 grayscale images."""

from __future__ import annotations

import numpy as np

from cornu.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz") -> tuple:
    """Loads the MNIST dataset.

    Args:
        path: the file name in the cache (``~/.cornu/datasets``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape
        ``(60000, 28, 28)`` / ``(10000, 28, 28)`` and ``uint8`` labels 0-9 of shape
        ``(60000,)`` / ``(10000,)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = cornu.datasets.mnist.load_data()
    """
    path = get_file(fname=path, origin=f"{ORIGIN_FOLDER}mnist.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
