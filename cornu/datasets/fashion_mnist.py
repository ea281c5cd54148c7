"""Fashion-MNIST: 60,000 training and 10,000 test 28x28 grayscale images of clothing."""

from __future__ import annotations

import gzip
import os

import numpy as np

from cornu.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
# Offsets of the data in the IDX files: an 8-byte header for labels, 16 bytes for images.
_LABEL_OFFSET, _IMAGE_OFFSET = 8, 16


def _read(path: str, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data() -> tuple:
    """Loads the Fashion-MNIST dataset (the IDX files, gzip-compressed).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape
        ``(60000, 28, 28)`` / ``(10000, 28, 28)`` and ``uint8`` labels 0-9.
        Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
        7 Sneaker, 8 Bag, 9 Ankle boot.
    """
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(name, origin=ORIGIN_FOLDER + name, cache_subdir=subdir) for name in FILES]
    y_train = _read(paths[0], _LABEL_OFFSET)
    x_train = _read(paths[1], _IMAGE_OFFSET).reshape(len(y_train), 28, 28)
    y_test = _read(paths[2], _LABEL_OFFSET)
    x_test = _read(paths[3], _IMAGE_OFFSET).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
