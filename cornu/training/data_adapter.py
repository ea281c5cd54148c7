"""Data adapters: turn what users pass to fit/evaluate/predict into batches.

Arrays (NumPy or backend tensors, pandas; single, lists or dicts) are sliced per batch and
moved to the device one batch at a time; Python generators, iterators and DataLoaders are
consumed as they come; ``PyDataset`` and datasets of samples live in
``dataset_adapters``.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from cornu import ops
from cornu.core import tree


def unpack_x_y_sample_weight(data: Any) -> tuple:
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> ``(x, y, sample_weight)``."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be (x,), (x, y) or (x, y, sample_weight); received "
                     f"a tuple of {len(data)} elements.")


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> tuple:
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) or ops.is_tensor(x) or (
        hasattr(x, "__array__") and hasattr(x, "shape") and not isinstance(x, (list, tuple)))


def _as_array(x: Any) -> Any:
    if x is None or isinstance(x, np.ndarray) or ops.is_tensor(x):
        return x
    if hasattr(x, "to_numpy"):  # a pandas DataFrame or Series (pandas is never imported)
        return x.to_numpy()
    return np.asarray(x)


def _num_samples(structure: Any) -> list[int]:
    return [int(ops.shape(a)[0]) if ops.is_tensor(a) else len(a)
            for a in tree.flatten(structure) if a is not None]


def _take(structure: Any, index: Any) -> Any:
    def take(a):
        if a is None:
            return None
        return ops.convert_to_tensor(a[index])

    return tree.map_structure(take, structure)


def _numbers_to_array(x: Any) -> Any:
    """A (nested) Python list of numbers is one array, not a structure of inputs."""
    if isinstance(x, list) and x and all(isinstance(a, (int, float)) for a in tree.flatten(x)):
        return np.asarray(x)
    return x


def is_array_data(x: Any) -> bool:
    leaves = tree.flatten(x)
    return bool(leaves) and all(_is_array(a) for a in leaves)


def class_weight_to_sample_weight(y: Any, class_weight: dict) -> np.ndarray:
    """Per-sample weights from ``{class: weight}``; one-hot labels use their arg-max."""
    labels = np.asarray(ops.convert_to_numpy(y))
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(axis=-1)
    labels = labels.reshape(len(labels), -1)[:, 0].astype(np.int64)
    missing = sorted(set(np.unique(labels).tolist()) - set(class_weight))
    if missing:
        raise ValueError(f"`class_weight` must contain every class in the data. The classes "
                         f"{missing} exist in the data but not in `class_weight`.")
    table = np.zeros(max(max(class_weight), labels.max()) + 1, dtype="float32")
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    return table[labels]


class DataAdapter:
    """What the loop iterates: ``num_batches`` per epoch (``None`` when unknown) and the
    batches, each ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` of backend tensors."""

    num_batches: int | None = None
    num_samples: int | None = None

    def enumerate(self, skip: int = 0) -> Iterator[tuple[int, tuple]]:
        """One epoch as ``(index, batch)`` pairs, starting at batch ``skip`` (a resumed
        epoch: the skipped batches are drawn in the same order but not returned)."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[tuple]:
        return (batch for _, batch in self.enumerate())

    def close(self) -> None:
        """Releases workers; called when ``fit``/``evaluate``/``predict`` ends."""


class ArrayDataAdapter(DataAdapter):
    """Batches of arrays; shuffles sample order each epoch when asked (NumPy's global RNG,
    so ``cornu.utils.set_random_seed`` makes the order reproducible)."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None,
                 batch_size: int | None = None, steps: int | None = None,
                 shuffle: bool = False, class_weight: dict | None = None) -> None:
        x = tree.map_structure(_as_array, x)
        y = tree.map_structure(_as_array, y) if y is not None else None
        sample_weight = tree.map_structure(_as_array, sample_weight) \
            if sample_weight is not None else None
        if class_weight is not None:
            if y is None or len(tree.flatten(y)) != 1:
                raise ValueError("`class_weight` is only supported for models with a single "
                                 "output and labels `y`.")
            weights = class_weight_to_sample_weight(tree.flatten(y)[0], class_weight)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        sizes = {"x": _num_samples(x)}
        if y is not None:
            sizes["y"] = _num_samples(y)
        if sample_weight is not None:
            sizes["sample_weight"] = _num_samples(sample_weight)
        counts = {n for v in sizes.values() for n in v}
        if len(counts) != 1:
            detail = " ".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
            raise ValueError("Data cardinality is ambiguous: make sure all arrays contain the "
                             f"same number of samples. {detail}")
        self.num_samples = counts.pop()
        self.batch_size = int(batch_size or 32)
        if self.batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: "
                             f"batch_size={batch_size}")
        self.shuffle = shuffle
        self._data = (x, y, sample_weight)
        self.num_batches = math.ceil(self.num_samples / self.batch_size)
        if steps is not None:
            self.num_batches = min(self.num_batches, int(steps))

    def enumerate(self, skip: int = 0) -> Iterator[tuple[int, tuple]]:
        x, y, sample_weight = self._data
        if self.shuffle == "batch":
            order = np.random.permutation(math.ceil(self.num_samples / self.batch_size))
            starts = order * self.batch_size
        else:
            starts = np.arange(0, self.num_samples, self.batch_size)
        permutation = np.random.permutation(self.num_samples) if self.shuffle is True else None
        for i in range(skip, self.num_batches):
            start = int(starts[i])
            stop = min(start + self.batch_size, self.num_samples)
            index = slice(start, stop) if permutation is None else permutation[start:stop]
            # As Keras: the step receives (x,), (x, y) or (x, y, sample_weight).
            yield i, pack_x_y_sample_weight(_take(x, index), _take(y, index),
                                            _take(sample_weight, index))


def _to_tensors(structure: Any) -> Any:
    if structure is None:
        return None
    return tree.map_structure(
        lambda a: ops.convert_to_tensor(_as_array(a)) if a is not None else None, structure)


def standardize_batch(batch: Any, class_weight: dict | None = None) -> tuple:
    """A batch as a data source yields it -> ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)`` of tensors."""
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    if class_weight is not None:
        if y is None or len(tree.flatten(y)) != 1:
            raise ValueError("`class_weight` is only supported for models with a single "
                             "output, with batches that yield (x, y).")
        weights = class_weight_to_sample_weight(tree.flatten(y)[0], class_weight)
        sample_weight = weights if sample_weight is None else \
            np.asarray(ops.convert_to_numpy(sample_weight)) * weights
    return pack_x_y_sample_weight(_to_tensors(x), _to_tensors(y), _to_tensors(sample_weight))


class GeneratorDataAdapter(DataAdapter):
    """Batches from a Python generator, iterator or re-iterable (``DataLoader``).

    With ``steps`` each epoch takes that many batches (an infinite generator continues
    where the previous epoch stopped); without, an epoch ends when the iterable does.
    A re-iterable with a length (a ``torch.utils.data.DataLoader``) is iterated afresh
    each epoch and its length is the number of batches.
    """

    def __init__(self, data: Any, steps: int | None = None,
                 class_weight: dict | None = None) -> None:
        self._source = data
        self._iterator = None
        self._class_weight = class_weight
        self._reiterable = not _is_iterator(data)
        if steps is None and self._reiterable and hasattr(data, "__len__"):
            steps = len(data)
            self._fresh_each_epoch = True
        else:
            self._fresh_each_epoch = steps is None
        self.num_batches = steps

    def enumerate(self, skip: int = 0) -> Iterator[tuple[int, tuple]]:
        if self._reiterable and self._fresh_each_epoch:
            iterator = iter(self._source)
        else:
            if self._iterator is None:
                self._iterator = iter(self._source)
            iterator = self._iterator
        count = 0
        while self.num_batches is None or count < self.num_batches:
            try:
                batch = next(iterator)
            except StopIteration:
                self._iterator = None
                return
            if count >= skip:
                yield count, standardize_batch(batch, self._class_weight)
            count += 1


def _is_iterator(data: Any) -> bool:
    return hasattr(data, "__next__")


def _is_map_dataset(data: Any) -> bool:
    """A dataset of samples by index with a length, such as a ``torch.utils.data.Dataset``
    (duck-typed: cornu imports no torch here)."""
    return hasattr(data, "__getitem__") and hasattr(data, "__len__") and \
        not hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict))


def get_data_adapter(x: Any, y: Any = None, sample_weight: Any = None,
                     batch_size: int | None = None, steps: int | None = None,
                     shuffle: Any = False, class_weight: dict | None = None) -> DataAdapter:
    """Chooses the adapter for ``x``: arrays (NumPy, tensors, pandas; single, list or
    dict), a ``PyDataset``, a dataset of samples (``torch.utils.data.Dataset``), or an
    iterable of batches (generator, iterator, ``torch.utils.data.DataLoader``)."""
    from cornu.training.dataset_adapters import MapDatasetAdapter, PyDatasetAdapter
    from cornu.utils.py_dataset import PyDataset

    if x is None:
        raise ValueError("No input data: pass `x` (arrays, a generator or a dataset).")
    x, y = _numbers_to_array(x), _numbers_to_array(y)
    sample_weight = _numbers_to_array(sample_weight)
    if is_array_data(x):
        return ArrayDataAdapter(x, y, sample_weight, batch_size, steps, shuffle, class_weight)
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"When `x` is a generator or dataset it must yield (x, y) or "
                             f"(x, y, sample_weight) batches; do not pass `{name}` separately. "
                             f"Received {name} of type {type(value).__name__}.")
    if isinstance(x, PyDataset):
        return PyDatasetAdapter(x, steps, shuffle, class_weight)
    if _is_map_dataset(x):
        return MapDatasetAdapter(x, batch_size, steps, shuffle, class_weight)
    if hasattr(x, "__iter__") or _is_iterator(x):
        return GeneratorDataAdapter(x, steps, class_weight)
    raise ValueError(f"Unrecognized data type: x={type(x).__name__}. Expected NumPy arrays, "
                     "tensors, pandas DataFrames, lists/dicts of them, a PyDataset, a "
                     "torch Dataset or DataLoader, or a generator of batches.")


def train_validation_split(arrays: tuple, validation_split: float) -> tuple:
    """Splits arrays into (train, validation), the validation part being the last samples."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"`validation_split` must be between 0 and 1. Received: "
                         f"{validation_split}")
    leaves = [a for a in tree.flatten(arrays) if a is not None]
    if not leaves or not all(_is_array(a) for a in leaves):
        raise ValueError("`validation_split` is only supported for arrays and tensors, not "
                         "generators or datasets; pass `validation_data` instead.")
    n = _num_samples(arrays)[0]
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"validation_split={validation_split} leaves no samples on one side "
                         f"of the split ({n} samples).")

    def head(a):
        return None if a is None else a[:split]

    def tail(a):
        return None if a is None else a[split:]

    return tree.map_structure(head, arrays), tree.map_structure(tail, arrays)
