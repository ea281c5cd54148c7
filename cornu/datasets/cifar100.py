"""CIFAR-100: 50,000 training and 10,000 test 32x32 colour images in 100 classes."""

from __future__ import annotations

import os

import numpy as np

from cornu.datasets._cifar import load_batch, to_data_format
from cornu.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode: str = "fine") -> tuple:
    """Loads the CIFAR-100 dataset.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 super-classes).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape
        ``(50000, 32, 32, 3)`` / ``(10000, 32, 32, 3)`` and ``int64`` labels of shape
        ``(50000, 1)`` / ``(10000, 1)``.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of "fine", "coarse". '
                         f"Received: label_mode={label_mode}.")
    path = get_file(fname="cifar-100-python-target", origin=ORIGIN, untar=True,
                    file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-100-python")
    out = []
    for split in ("train", "test"):
        data, labels = load_batch(os.path.join(path, split), label_key=f"{label_mode}_labels")
        out.append((to_data_format(data), np.reshape(labels, (len(labels), 1))))
    return tuple(out)
