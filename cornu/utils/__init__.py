"""``cornu.utils``: seeding, label encoding, progress bars, downloads, datasets, images,
``PyDataset``."""

from __future__ import annotations

from cornu import backend
from cornu.core.keras_tensor import is_keras_tensor
from cornu.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from cornu.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from cornu.training.data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight
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


Sequence = PyDataset  # Keras's older name
standardize_dtype = backend.standardize_dtype

__all__ = [
    "BatchedDataset", "CustomObjectScope", "Progbar", "PyDataset", "Sequence", "array_to_img",
    "clear_session", "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "get_file", "get_registered_name", "get_registered_object", "image_dataset_from_directory",
    "img_to_array", "is_keras_tensor", "load_img", "model_to_dot", "normalize",
    "pack_x_y_sample_weight", "pad_sequences", "plot_model", "register_keras_serializable",
    "save_img", "serialize_keras_object", "set_random_seed", "split_dataset",
    "standardize_dtype", "text_dataset_from_directory", "timeseries_dataset_from_array",
    "to_categorical", "unpack_x_y_sample_weight",
]
