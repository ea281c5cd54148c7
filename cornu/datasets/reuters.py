"""Reuters newswires: 11,228 newswires in 46 topics, as word-id sequences."""

from __future__ import annotations

import numpy as np

from cornu.datasets._sequences import (
    drop_long,
    limit_vocabulary,
    load_word_index,
    object_array,
    offset_and_mark,
)
from cornu.utils.file_utils import get_file
from cornu.utils.safe_pickle import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3) -> tuple:
    """Loads the Reuters newswire topic classification dataset.

    Args are those of ``imdb.load_data``, plus ``test_split``: the fraction of the shuffled
    newswires kept as the test set.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of ids, and topic
        ids 0-45 (names from :func:`get_label_names`).
    """
    arrays = load_npz(get_file(fname=path, origin=f"{ORIGIN_FOLDER}reuters.npz",
                               file_hash=FILE_HASH))
    xs, labels = arrays["x"], arrays["y"]
    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = list(xs[indices]), labels[indices]
    if start_char is not None or index_from:
        xs = offset_and_mark(xs, start_char, index_from)
    if maxlen:
        xs, labels = drop_long(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((object_array(xs[:cut]), np.array(labels[:cut])),
            (object_array(xs[cut:]), np.array(labels[cut:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The dict mapping words to their ids (before the ``index_from`` offset)."""
    return load_word_index(path, f"{ORIGIN_FOLDER}reuters_word_index.json", WORD_INDEX_HASH)


def get_label_names() -> tuple:
    """The 46 topic names, in label order."""
    return LABEL_NAMES
