"""``timeseries_dataset_from_array``: sliding windows over a time series, in batches."""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu.utils.batched_dataset import BatchedDataset


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int,
                                  sequence_stride: int = 1, sampling_rate: int = 1,
                                  batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None) -> BatchedDataset:
    """Windows ``data[i : i + sequence_length * sampling_rate : sampling_rate]``, in batches.

    Window ``i`` (counted from ``start_index``) starts at ``start_index + i *
    sequence_stride``; its target is ``targets[start]`` for that same start, as in Keras.

    Args:
        data: an array whose first axis is time.
        targets: one target per time step, or ``None`` to yield windows only.
        sequence_length: the number of steps in a window.
        sequence_stride: the offset between the starts of consecutive windows.
        sampling_rate: the offset between consecutive steps inside a window.
        batch_size: windows per batch (``None``: unbatched windows).
        shuffle: shuffle the windows (a new order at each pass).
        seed: the seed of the shuffle.
        start_index, end_index: use only ``data[start_index:end_index]``.

    Returns:
        A :class:`~cornu.utils.batched_dataset.BatchedDataset` of ``(windows, targets)``
        (``windows`` alone without targets) that ``model.fit`` accepts.

    Example:
        >>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3,
        ...                                    batch_size=2)
        >>> next(iter(ds))
        array([[0, 1, 2], [1, 2, 3]])
    """
    data = np.asarray(data)
    if start_index is not None:
        if start_index < 0 or start_index >= len(data):
            raise ValueError(f"`start_index` must be in [0, {len(data)}). Received: "
                             f"start_index={start_index}")
    if end_index is not None:
        if start_index is not None and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, end_index={end_index}")
        if end_index <= 0 or end_index >= len(data):
            raise ValueError(f"`end_index` must be in (0, {len(data)}). Received: "
                             f"end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0 or value >= len(data):
            raise ValueError(f"`{name}` must be in [1, {len(data)}) (the length of the data). "
                             f"Received: {name}={value}")
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    num_windows = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        num_windows = min(num_windows, len(targets))
    starts = np.arange(0, max(num_windows, 0), sequence_stride) + start
    if shuffle:
        # Keras's first shuffle of the window starts; later passes reshuffle.
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(starts)
    steps = np.arange(sequence_length) * sampling_rate

    def load(index: np.ndarray) -> np.ndarray:
        return data[starts[index][:, None] + steps]

    labels = None if targets is None else targets[starts]
    return BatchedDataset(len(starts), load, labels, batch_size, shuffle=shuffle, seed=seed)
