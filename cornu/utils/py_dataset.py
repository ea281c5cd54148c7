"""``PyDataset``: a dataset of batches written in Python, loaded in parallel if asked."""

from __future__ import annotations

from typing import Any


class PyDataset:
    """Base class of datasets that return whole batches by index, as ``keras.utils.PyDataset``.

    Implement ``__getitem__(index)`` (one batch: ``x``, ``(x, y)`` or
    ``(x, y, sample_weight)``) and ``__len__`` (the number of batches). ``fit`` calls
    ``on_epoch_end`` after each epoch. A dataset whose ``num_batches`` is ``None`` is
    infinite: pass ``steps_per_epoch``.

    Args:
        workers: how many workers load batches in parallel (1: the main thread only).
        use_multiprocessing: load in worker processes instead of threads; the dataset
            must then be safe to use from a forked process.
        max_queue_size: how many batches are prepared ahead of the training step.

    Example:
        >>> class Batches(PyDataset):
        ...     def __init__(self, x, y, batch_size, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x, self.y, self.batch_size = x, y, batch_size
        ...     def __len__(self):
        ...         return -(-len(self.x) // self.batch_size)
        ...     def __getitem__(self, i):
        ...         s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        ...         return self.x[s], self.y[s]
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        if not isinstance(workers, int) or workers < 1:
            raise ValueError(f"`workers` must be a positive integer. Received: workers={workers!r}")
        if not isinstance(max_queue_size, int) or max_queue_size < 1:
            raise ValueError("`max_queue_size` must be a positive integer. Received: "
                             f"max_queue_size={max_queue_size!r}")
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    # Subclasses that forget super().__init__() still work, with the defaults.
    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index), "
                                  "returning one batch.")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (the number "
                                  "of batches) or return None from `num_batches`.")

    @property
    def num_batches(self) -> int | None:
        """The number of batches (``len(self)``), or ``None`` for an infinite dataset."""
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_begin(self) -> None:
        """Called at the start of each epoch of ``fit``."""

    def on_epoch_end(self) -> None:
        """Called at the end of each epoch (shuffle here, for example)."""
