"""Adapters for datasets: ``PyDataset`` (batches by index, loaded by workers) and datasets
of samples by index (``torch.utils.data.Dataset``, duck-typed), batched here."""

from __future__ import annotations

import collections
import itertools
import multiprocessing
from concurrent import futures
from typing import Any, Iterator

import numpy as np

from cornu import ops
from cornu.core import tree
from cornu.training.data_adapter import DataAdapter, standardize_batch

# Datasets shared with forked worker processes: children inherit this dict, so the
# dataset is never pickled.
_SHARED: dict[int, Any] = {}


def _load_shared(token: int, index: int) -> Any:
    return _SHARED[token][index]


class PyDatasetAdapter(DataAdapter):
    """Batches of a ``PyDataset``: in order (or shuffled batch order with ``shuffle``),
    loaded ahead by ``workers`` threads or processes into a queue of ``max_queue_size``."""

    def __init__(self, dataset: Any, steps: int | None = None, shuffle: Any = False,
                 class_weight: dict | None = None) -> None:
        self._dataset = dataset
        self._class_weight = class_weight
        self._length = dataset.num_batches
        if steps is None and self._length is None:
            raise ValueError(f"{type(dataset).__name__} is infinite (num_batches is None): "
                             "pass `steps_per_epoch` (or `steps`).")
        self.num_batches = steps if steps is not None else self._length
        self.shuffle = bool(shuffle) and self._length is not None
        self._next_index = 0  # an infinite dataset continues across epochs
        self._executor: futures.Executor | None = None
        self._token: int | None = None

    def _indices(self) -> Iterator[int]:
        if self._length is None:
            return itertools.islice(itertools.count(self._next_index), self.num_batches)
        order = np.random.permutation(self._length) if self.shuffle else range(self._length)
        return (int(i) for i in itertools.islice(itertools.cycle(order), self.num_batches))

    def _pool(self) -> futures.Executor | None:
        workers, processes = self._dataset.workers, self._dataset.use_multiprocessing
        if workers <= 1 and not processes:
            return None
        if self._executor is None:
            if processes:
                self._token = id(self)
                _SHARED[self._token] = self._dataset
                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context("fork" if "fork" in methods else None)
                self._executor = futures.ProcessPoolExecutor(workers, mp_context=context)
            else:
                self._executor = futures.ThreadPoolExecutor(workers)
        return self._executor

    def _load(self, indices: Iterator[int]) -> Iterator[Any]:
        pool = self._pool()
        if pool is None:
            yield from (self._dataset[i] for i in indices)
            return
        fetch = (lambda i: pool.submit(_load_shared, self._token, i)) \
            if self._token is not None else (lambda i: pool.submit(self._dataset.__getitem__, i))
        queue: collections.deque = collections.deque()
        try:
            for i in indices:
                queue.append(fetch(i))
                if len(queue) >= self._dataset.max_queue_size:
                    yield queue.popleft().result()
            while queue:
                yield queue.popleft().result()
        finally:
            for pending in queue:
                pending.cancel()

    def enumerate(self, skip: int = 0) -> Iterator[tuple[int, tuple]]:
        self._dataset.on_epoch_begin()
        indices = self._indices()
        for _ in range(skip):  # a resumed epoch: same order, skipped batches not loaded
            next(indices, None)
        count = skip
        for batch in self._load(indices):
            if self._length is None:
                self._next_index += 1
            yield count, standardize_batch(batch, self._class_weight)
            count += 1
        self._dataset.on_epoch_end()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._token is not None:
            _SHARED.pop(self._token, None)
            self._token = None


def _collate(samples: list) -> Any:
    """Stacks a list of samples (each a structure of arrays/tensors) leaf by leaf."""
    first = samples[0]
    flat = [tree.flatten(s) for s in samples]
    stacked = [ops.stack([ops.convert_to_tensor(leaf) for leaf in leaves])
               for leaves in zip(*flat)]
    return tree.pack_sequence_as(first, stacked)


class MapDatasetAdapter(DataAdapter):
    """A dataset of samples by index (``len`` and ``[i]``, e.g. ``torch.utils.data.Dataset``)
    batched by ``batch_size``; the sample order is shuffled each epoch with NumPy's RNG."""

    def __init__(self, dataset: Any, batch_size: int | None = None, steps: int | None = None,
                 shuffle: Any = False, class_weight: dict | None = None) -> None:
        self._dataset = dataset
        self._class_weight = class_weight
        self.num_samples = len(dataset)
        self.batch_size = int(batch_size or 32)
        self.shuffle = bool(shuffle)
        self.num_batches = -(-self.num_samples // self.batch_size)
        if steps is not None:
            self.num_batches = min(self.num_batches, int(steps))

    def enumerate(self, skip: int = 0) -> Iterator[tuple[int, tuple]]:
        order = np.random.permutation(self.num_samples) if self.shuffle else \
            np.arange(self.num_samples)
        for i in range(skip, self.num_batches):
            index = order[i * self.batch_size:(i + 1) * self.batch_size]
            samples = [self._dataset[int(j)] for j in index]
            if isinstance(samples[0], list):
                samples = [tuple(s) for s in samples]
            yield i, standardize_batch(_collate(samples), self._class_weight)
