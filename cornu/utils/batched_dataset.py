"""``BatchedDataset``: the batched, re-iterable dataset the ``*_dataset_from_*`` utilities return.

There is no ``tf.data`` in cornu. These utilities return a small object that
``model.fit``/``evaluate``/``predict`` accept directly (any re-iterable of batches works),
that iterates as ``(x_batch, y_batch)`` NumPy arrays (or ``x_batch`` alone without labels),
and that has ``len()`` (the number of batches). Batches are built lazily, one at a time.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np


class BatchedDataset:
    """A re-iterable sequence of batches built on demand.

    Args:
        num_samples: how many samples there are.
        load: ``load(indices) -> x_batch`` (NumPy) for an array of sample indices.
        labels: one label per sample (an array), or ``None``.
        batch_size: samples per batch; ``None`` yields one sample at a time, unbatched.
        shuffle: reshuffle the sample order at each iteration.
        seed: the seed of the shuffles (each pass draws a new order from it).

    Example:
        >>> ds = cornu.utils.image_dataset_from_directory("photos", image_size=(64, 64))
        >>> model.fit(ds, epochs=3)
        >>> for images, labels in ds:
        ...     print(images.shape)  # (32, 64, 64, 3)
    """

    def __init__(self, num_samples: int, load: Callable[[np.ndarray], Any],
                 labels: np.ndarray | None = None, batch_size: int | None = 32,
                 shuffle: bool = False, seed: int | None = None) -> None:
        if batch_size is not None and batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer or None. Received: "
                             f"batch_size={batch_size}")
        self.num_samples = int(num_samples)
        self._load = load
        self._labels = labels
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        if self.batch_size is None:
            return self.num_samples
        return -(-self.num_samples // self.batch_size)

    def _order(self) -> np.ndarray:
        order = np.arange(self.num_samples)
        if self.shuffle:
            self._rng.shuffle(order)
        return order

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        step = self.batch_size or 1
        for start in range(0, self.num_samples, step):
            index = order[start:start + step]
            x = self._load(index)
            y = None if self._labels is None else self._labels[index]
            if self.batch_size is None:
                x = tuple(c[0] for c in x) if isinstance(x, tuple) else x[0]
                y = None if y is None else y[0]
            yield x if y is None else (x, y)

    def take(self, count: int) -> list:
        """The first ``count`` batches, as a list."""
        out = []
        for batch in self:
            if len(out) >= count:
                break
            out.append(batch)
        return out

    def __repr__(self) -> str:
        return (f"<BatchedDataset samples={self.num_samples} batch_size={self.batch_size} "
                f"batches={len(self)}>")
