"""IMDB movie reviews: 25,000 training and 25,000 test reviews as word-id sequences."""

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
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs) -> tuple:
    """Loads the IMDB sentiment dataset (labels: 0 negative, 1 positive).

    Words are ids ranked by frequency (``3`` + rank by default): ``0`` pads, ``1`` starts a
    review and ``2`` stands for a word outside the kept vocabulary.

    Args:
        path: the file name in the cache (``~/.cornu/datasets``).
        num_words: keep the ``num_words`` most frequent ids; others become ``oov_char``.
        skip_top: ids below it (the most frequent words) become ``oov_char``.
        maxlen: drop reviews of ``maxlen`` words or more.
        seed: the seed of the shuffle.
        start_char: the id marking the start of a review (``None``: no marker).
        oov_char: the id of removed words (``None``: drop them).
        index_from: the offset added to every word id.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of ids, and labels.
    """
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}.")
    arrays = load_npz(get_file(fname=path, origin=f"{ORIGIN_FOLDER}imdb.npz",
                               file_hash=FILE_HASH))
    rng = np.random.RandomState(seed)
    splits = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        x, y = arrays[x_key], arrays[y_key]
        indices = np.arange(len(x))
        rng.shuffle(indices)  # one generator for both splits, as Keras does
        splits.append((offset_and_mark(list(x[indices]), start_char, index_from), y[indices]))
    if maxlen:
        splits = [drop_long(maxlen, x, y) for x, y in splits]
        if not splits[0][0] or not splits[1][0]:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no "
                             "sequence was kept. Increase maxlen.")
    n_train = len(splits[0][0])
    xs = limit_vocabulary(splits[0][0] + splits[1][0], num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(splits[0][1]), np.asarray(splits[1][1])])
    return ((object_array(xs[:n_train]), labels[:n_train]),
            (object_array(xs[n_train:]), labels[n_train:]))


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The dict mapping words to their ids (before the ``index_from`` offset).

    Example:
        >>> index = cornu.datasets.imdb.get_word_index()
        >>> inverted = {i + 3: w for w, i in index.items()}
    """
    return load_word_index(path, f"{ORIGIN_FOLDER}imdb_word_index.json", WORD_INDEX_HASH)
