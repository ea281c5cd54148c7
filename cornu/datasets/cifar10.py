"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes."""

from __future__ import annotations

import os

import numpy as np

from cornu.datasets._cifar import load_batch, to_data_format
from cornu.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data() -> tuple:
    """Loads the CIFAR-10 dataset.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape
        ``(50000, 32, 32, 3)`` / ``(10000, 32, 32, 3)`` (channels first when
        ``image_data_format()`` is ``"channels_first"``) and ``uint8`` labels 0-9 of shape
        ``(50000, 1)`` / ``(10000, 1)``. Classes: airplane, automobile, bird, cat, deer,
        dog, frog, horse, ship, truck.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = cornu.datasets.cifar10.load_data()
        >>> y_train = cornu.utils.to_categorical(y_train, 10)
    """
    path = get_file(fname="cifar-10-batches-py-target", origin=ORIGIN, untar=True,
                    file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-10-batches-py")
    xs, ys = [], []
    for i in range(1, 6):
        data, labels = load_batch(os.path.join(path, f"data_batch_{i}"))
        xs.append(data)
        ys.append(labels)
    x_train = np.concatenate(xs).astype("uint8")
    y_train = np.concatenate([np.asarray(y) for y in ys]).astype("uint8").reshape(-1, 1)
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    x_test = np.asarray(x_test).astype("uint8")
    y_test = np.asarray(y_test).astype("uint8").reshape(-1, 1)
    return (to_data_format(x_train), y_train), (to_data_format(x_test), y_test)
