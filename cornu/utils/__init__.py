"""``cornu.utils``: seeding, label encoding, progress bars, ``PyDataset``."""

from __future__ import annotations

from cornu import backend
from cornu.utils.numerical_utils import normalize, to_categorical
from cornu.utils.progbar import Progbar
from cornu.utils.py_dataset import PyDataset


def set_random_seed(seed: int) -> None:
    """Seeds Python's, NumPy's and the backend's random generators.

    Two runs of the same program after ``set_random_seed(n)`` give identical weights.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"Expected `seed` to be a non-negative integer. Received: seed={seed!r}")
    backend.random.set_seed(seed)


def clear_session() -> None:
    """Resets automatic layer names and frees memory, as ``keras.utils.clear_session``."""
    backend.clear_session()


__all__ = ["Progbar", "PyDataset", "clear_session", "normalize", "set_random_seed", "to_categorical"]
