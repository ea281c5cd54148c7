"""Shared helpers of the word-index datasets (IMDB, Reuters)."""

from __future__ import annotations

import json

import numpy as np

from cornu.utils.file_utils import get_file


def offset_and_mark(xs: list, start_char: int | None, index_from: int) -> list:
    """Shifts word ids by ``index_from`` and prepends ``start_char`` when given."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def drop_long(maxlen: int, xs: list, labels: list) -> tuple:
    """Keeps the sequences shorter than ``maxlen`` and their labels."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs: list, num_words: int | None, skip_top: int,
                     oov_char: int | None) -> list:
    """Replaces (or drops, when ``oov_char`` is None) ids outside ``[skip_top, num_words)``."""
    if not num_words:
        num_words = max(max(x) for x in xs if len(x))
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(xs: list) -> np.ndarray:
    """A 1-D object array of lists (one entry per sequence, even if lengths agree)."""
    out = np.empty(len(xs), dtype="object")
    out[:] = [list(x) for x in xs]
    return out


def load_word_index(path: str, origin: str, file_hash: str) -> dict:
    with open(get_file(path, origin=origin, file_hash=file_hash), encoding="utf8") as f:
        return json.load(f)
