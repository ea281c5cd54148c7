"""Shared helpers: the seeded shuffle-and-split of the tabular datasets."""

from __future__ import annotations

import numpy as np


def check_test_split(test_split: float) -> None:
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 "
                         "and 1 (exclusive of 1).")


def shuffle_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int) -> tuple:
    """Shuffles with ``RandomState(seed)`` (Keras's order) and keeps the last part as test."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
