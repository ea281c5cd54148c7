"""``cornu.utils``: seeding, label encoding, progress bars, downloads, datasets, images,
``PyDataset``."""

from __future__ import annotations

from cornu import backend
from cornu.utils.batched_dataset import BatchedDataset
from cornu.utils.dataset_utils import split_dataset
from cornu.utils.file_utils import get_file
from cornu.utils.image_dataset import image_dataset_from_directory
from cornu.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from cornu.utils.model_visualization import model_to_dot, plot_model
from cornu.utils.numerical_utils import normalize, to_categorical
from cornu.utils.progbar import Progbar
from cornu.utils.py_dataset import PyDataset
from cornu.utils.sequence_utils import pad_sequences
from cornu.utils.text_dataset import text_dataset_from_directory
from cornu.utils.timeseries_dataset import timeseries_dataset_from_array


def set_random_seed(seed: int) -> None:
    """Seeds Python's, NumPy's and the backend's random generators.

    Two runs of the same program after ``set_random_seed(n)`` give identical weights.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"Expected `seed` to be a non-negative integer. Received: seed={seed!r}")
    backend.random.set_seed(seed)


def clear_session(free_memory: bool = True) -> None:
    """Resets automatic layer names and frees memory, as ``keras.utils.clear_session``."""
    backend.clear_session(free_memory=free_memory)


__all__ = ["Progbar", "clear_session", "normalize", "set_random_seed", "to_categorical"]
__all__ += ["BatchedDataset", "array_to_img", "get_file", "image_dataset_from_directory",
            "img_to_array", "load_img", "model_to_dot", "pad_sequences", "plot_model",
            "save_img", "split_dataset", "text_dataset_from_directory",
            "timeseries_dataset_from_array"]
__all__ += ["PyDataset"]
