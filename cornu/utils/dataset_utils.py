"""Dataset helpers: ``split_dataset`` and the folder indexing behind the directory loaders."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from cornu.utils.batched_dataset import BatchedDataset


def _materialize(dataset: Any) -> tuple:
    """(samples as a tuple of arrays, was_a_single_array) of arrays or a dataset."""
    if isinstance(dataset, np.ndarray) or hasattr(dataset, "__array__"):
        return (np.asarray(dataset),), True
    if isinstance(dataset, (tuple, list)) and dataset and all(
            hasattr(a, "__len__") and not isinstance(a, (str, bytes)) for a in dataset) and \
            len({len(a) for a in dataset}) == 1 and all(hasattr(a, "shape") for a in dataset):
        return tuple(np.asarray(a) for a in dataset), False
    if isinstance(dataset, list):
        return (np.asarray(dataset),), True
    if hasattr(dataset, "__iter__"):
        parts: list = []
        single = None
        for batch in dataset:
            single = not isinstance(batch, tuple)
            batch = (batch,) if single else batch
            parts.append([np.asarray(b) for b in batch])
        if not parts:
            raise ValueError("`dataset` is empty.")
        batched = getattr(dataset, "batch_size", 1) is not None
        columns = [np.concatenate(c) if batched else np.stack(c) for c in zip(*parts)]
        return tuple(columns), bool(single)
    raise TypeError(f"`dataset` must be an array, a tuple/list of arrays or an iterable "
                    f"dataset. Received: {type(dataset).__name__}")


def _split_sizes(total: int, left_size: Any, right_size: Any) -> tuple:
    def check(name, value):
        if value is None:
            return None
        if isinstance(value, float):
            if not 0 < value < 1:
                raise ValueError(f"`{name}` as a float must be in (0, 1). Received: "
                                 f"{name}={value}")
            return int(round(value * total))
        if isinstance(value, (int, np.integer)):
            if not 0 <= value <= total:
                raise ValueError(f"`{name}` must be in [0, {total}] (the number of samples). "
                                 f"Received: {name}={value}")
            return int(value)
        raise TypeError(f"`{name}` must be an int, a float or None. Received: {value!r}")

    left, right = check("left_size", left_size), check("right_size", right_size)
    if left is None and right is None:
        left = int(round(0.5 * total))
    if left is None:
        left = total - right
    if right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"`left_size` + `right_size` ({left} + {right}) exceeds the number of "
                         f"samples ({total}).")
    if left == 0 and right == 0:
        raise ValueError("Both splits would be empty; increase `left_size` or `right_size`.")
    return left, right


def split_dataset(dataset: Any, left_size: Any = None, right_size: Any = None,
                  shuffle: bool = False, seed: int | None = None) -> tuple:
    """Splits arrays (or a dataset) into two unbatched datasets.

    Args:
        dataset: an array, a tuple of arrays with the same length, or an iterable dataset.
        left_size, right_size: sample counts (ints) or fractions (floats); one may be
            ``None`` (the rest); both ``None`` splits in half.
        shuffle: shuffle the samples before splitting.
        seed: the seed of the shuffle.

    Returns:
        ``(left, right)``: two :class:`BatchedDataset` objects yielding single samples;
        call ``.batch(n)`` for batches.

    Example:
        >>> left, right = split_dataset(np.arange(10), left_size=0.8)
        >>> len(left), len(right)
        (8, 2)
    """
    columns, single = _materialize(dataset)
    total = len(columns[0])
    left, right = _split_sizes(total, left_size, right_size)
    order = np.arange(total)
    if shuffle:
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(order)
    parts = []
    for index in (order[:left], order[left:left + right]):
        picked = tuple(c[index] for c in columns)
        parts.append(ArrayDataset(picked[0] if single else picked))
    return tuple(parts)


class ArrayDataset(BatchedDataset):
    """A :class:`BatchedDataset` over in-memory arrays (a single array or a tuple of them)."""

    def __init__(self, arrays: Any, batch_size: int | None = None, shuffle: bool = False,
                 seed: int | None = None) -> None:
        self.arrays = arrays
        single = not isinstance(arrays, tuple)
        columns = (arrays,) if single else arrays

        def load(index):
            picked = tuple(c[index] for c in columns)
            return picked[0] if single else picked

        super().__init__(len(columns[0]), lambda index: load(index), None, batch_size,
                         shuffle, seed)

    def batch(self, batch_size: int) -> "ArrayDataset":
        """The same samples in batches of ``batch_size``."""
        return ArrayDataset(self.arrays, batch_size, self.shuffle)


# --- folder indexing (image_dataset_from_directory, text_dataset_from_directory) ---------------
def index_directory(directory: str, labels: Any, formats: tuple, class_names: Any = None,
                    shuffle: bool = True, seed: int | None = None,
                    follow_links: bool = False, verbose: bool = True) -> tuple:
    """Lists the files of ``directory`` and their labels.

    With ``labels="inferred"`` each sub-folder is a class (sorted by name, unless
    ``class_names`` gives the order) and its files (searched recursively) are its samples.

    Returns:
        ``(file_paths, labels, class_names)``; ``labels`` is ``None`` when not wanted.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` {directory!r} is not a folder.")
    if labels == "inferred":
        found = sorted(d for d in os.listdir(directory)
                       if os.path.isdir(os.path.join(directory, d)))
        if class_names is not None:
            missing = set(class_names) - set(found)
            if missing or set(found) - set(class_names):
                raise ValueError(f"`class_names` must match the sub-folders of {directory}. "
                                 f"Received: class_names={list(class_names)}, but the folders "
                                 f"are {found}.")
            found = list(class_names)
        folders = [(os.path.join(directory, name), i) for i, name in enumerate(found)]
        class_names = found
    else:
        folders = [(directory, None)]
    paths, targets = [], []
    for folder, label in folders:
        for root, dirs, files in os.walk(folder, followlinks=follow_links):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(formats):
                    paths.append(os.path.join(root, name))
                    targets.append(label)
    if labels == "inferred":
        label_array = np.asarray(targets, dtype="int32")
    elif labels is None:
        label_array = None
    else:
        label_array = np.asarray(labels)
        if len(label_array) != len(paths):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(label_array)} while we "
                             f"found {len(paths)} files in directory {directory}.")
        class_names = [str(c) for c in np.unique(label_array)] if class_names is None \
            else list(class_names)
    if verbose:
        if label_array is None:
            print(f"Found {len(paths)} files.")
        else:
            print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    paths = np.asarray(paths, dtype=object)
    if shuffle:
        # One seed orders paths and labels alike, as Keras's indexing does.
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return list(paths), label_array, class_names


def check_split_arguments(validation_split: Any, subset: Any, shuffle: bool,
                          seed: Any) -> None:
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1. Received: "
                         f"{validation_split}")
    if (validation_split is None) != (subset is None):
        raise ValueError("If `subset` is set, `validation_split` must be set, and vice versa.")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(f'`subset` must be "training", "validation" or "both". Received: '
                         f"subset={subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def split_files(paths: list, labels: Any, validation_split: float | None, subset: str | None,
                verbose: bool = True) -> tuple:
    """The training (first part) or validation (last part) files and labels."""
    if not validation_split:
        return paths, labels
    num_val = int(validation_split * len(paths))
    if subset == "training":
        if verbose:
            print(f"Using {len(paths) - num_val} files for training.")
        return paths[:len(paths) - num_val], None if labels is None else labels[:len(paths) -
                                                                                 num_val]
    if verbose:
        print(f"Using {num_val} files for validation.")
    return paths[len(paths) - num_val:], None if labels is None else labels[len(paths) - num_val:]


def encode_labels(labels: np.ndarray | None, label_mode: str | None,
                  num_classes: int) -> np.ndarray | None:
    """Integer class ids -> Keras's label arrays for ``label_mode``."""
    if labels is None or label_mode is None:
        return None
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    raise ValueError(f'`label_mode` must be "int", "categorical", "binary" or None. '
                     f"Received: label_mode={label_mode!r}")
