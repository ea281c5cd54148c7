"""``TensorBoard``: write scalars, histograms and the model graph for TensorBoard.

Event files are written with the ``tensorboard`` package's own writer and protocol
buffers (no TensorFlow); install it with ``pip install tensorboard``.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import numpy as np

from cornu import ops
from cornu.callbacks.callback import Callback
from cornu.callbacks.learning_rate_scheduler import current_learning_rate


def _tensorboard() -> tuple:
    try:
        from tensorboard.compat.proto import event_pb2, graph_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError as error:
        raise ImportError("The TensorBoard callback needs the `tensorboard` package: "
                          "pip install tensorboard") from error
    return EventFileWriter, event_pb2, summary_pb2, graph_pb2


class _Writer:
    """One run directory (``train`` or ``validation``) of event files."""

    def __init__(self, logdir: str) -> None:
        writer_cls, self._event_pb2, self._summary_pb2, self._graph_pb2 = _tensorboard()
        self._writer = writer_cls(logdir)

    def _add(self, step: int, **fields: Any) -> None:
        self._writer.add_event(self._event_pb2.Event(wall_time=time.time(), step=int(step),
                                                     **fields))

    def scalar(self, tag: str, value: float, step: int) -> None:
        value = self._summary_pb2.Summary.Value(tag=tag, simple_value=float(value))
        self._add(step, summary=self._summary_pb2.Summary(value=[value]))

    def histogram(self, tag: str, values: np.ndarray, step: int, bins: int = 30) -> None:
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.size == 0:
            return
        counts, edges = np.histogram(values, bins=bins)
        proto = self._summary_pb2.HistogramProto(
            min=float(values.min()), max=float(values.max()), num=int(values.size),
            sum=float(values.sum()), sum_squares=float(np.dot(values, values)),
            bucket_limit=[float(e) for e in edges[1:]], bucket=[float(c) for c in counts])
        value = self._summary_pb2.Summary.Value(tag=tag, histo=proto)
        self._add(step, summary=self._summary_pb2.Summary(value=[value]))

    def graph(self, nodes: list) -> None:
        """``nodes``: ``(name, op, input names)`` triples."""
        graph = self._graph_pb2.GraphDef()
        for name, op, inputs in nodes:
            node = graph.node.add()
            node.name, node.op = name, op
            node.input.extend(inputs)
        self._add(0, graph_def=graph.SerializeToString())

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()


def _graph_nodes(model: Any) -> list | None:
    """The functional graph as (layer name, class name, inbound layer names), if any."""
    graph = getattr(model, "_graph", None)
    if graph is None:
        return None
    return [(node.operation.name, type(node.operation).__name__,
             [parent.operation.name for parent in node.parent_nodes]) for node in graph.nodes]


class TensorBoard(Callback):
    """Logs metrics, the learning rate, weight histograms and the model graph for
    TensorBoard (``tensorboard --logdir=LOG_DIR``).

    Epoch metrics go to ``LOG_DIR/train`` and, for validation metrics (``val_`` removed),
    ``LOG_DIR/validation``, as ``epoch_<name>``; with ``update_freq`` set to ``"batch"``
    or a number, batch metrics as ``batch_<name>``. ``evaluate`` writes
    ``evaluation_<name>_vs_iterations`` against the optimizer's step count.

    Args:
        log_dir: the directory for the event files.
        histogram_freq: every this many epochs, write histograms of the weights (0: never).
        write_graph: write the graph of a functional or Sequential model.
        write_images: not supported (warns).
        write_steps_per_second: log training steps per second.
        update_freq: ``"epoch"``, ``"batch"`` or a number of batches.
        profile_batch: not supported (must be 0).
        embeddings_freq: not supported (must be 0).
        embeddings_metadata: not supported.

    Example:
        >>> model.fit(x, y, epochs=5, callbacks=[TensorBoard(log_dir="./logs")])
    """

    def __init__(self, log_dir: Any = "logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False,
                 update_freq: Any = "epoch", profile_batch: int = 0, embeddings_freq: int = 0,
                 embeddings_metadata: Any = None) -> None:
        super().__init__()
        _tensorboard()  # fail at construction when tensorboard is missing
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        if self.update_freq != "epoch" and (isinstance(self.update_freq, bool) or
                                            not isinstance(self.update_freq, int) or
                                            self.update_freq < 1):
            raise ValueError("`update_freq` must be 'epoch', 'batch' or a positive integer. "
                             f"Received: update_freq={update_freq}")
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq),
                            ("embeddings_metadata", embeddings_metadata)):
            if value:
                warnings.warn(f"TensorBoard: `{name}` is not supported by cornu and is ignored.",
                              stacklevel=2)
        self._writers: dict[str, _Writer] = {}
        self._global_train_batch = 0
        self._epoch_start = 0.0
        self._batches_in_epoch = 0
        self._in_fit = False
        if self.update_freq != "epoch" or write_steps_per_second:
            self.on_train_batch_end = self._on_train_batch_end

    def _writer(self, run: str) -> _Writer:
        if run not in self._writers:
            self._writers[run] = _Writer(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._in_fit = True
        self._global_train_batch = 0
        if self.write_graph:
            nodes = _graph_nodes(self.model)
            if nodes:
                self._writer("train").graph(nodes)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.time()
        self._batches_in_epoch = 0

    def _on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._global_train_batch += 1
        self._batches_in_epoch += 1
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        writer = self._writer("train")
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0:
                writer.scalar(f"batch_{name}", value, self._global_train_batch)
        writer.flush()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        if getattr(self.model, "optimizer", None) is not None and "learning_rate" not in train:
            train["learning_rate"] = current_learning_rate(self.model)
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._epoch_start, 1e-9)
            train["steps_per_second"] = self._batches_in_epoch / elapsed
        writer = self._writer("train")
        for name, value in train.items():
            if np.ndim(value) == 0:
                writer.scalar(f"epoch_{name}", value, epoch)
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        if validation:
            val_writer = self._writer("validation")
            for name, value in validation.items():
                if np.ndim(value) == 0:
                    val_writer.scalar(f"epoch_{name}", value, epoch)
            val_writer.flush()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for layer in self.model._flatten_layers(include_self=False):
                for weight in layer._own_variables():
                    writer.histogram(f"{weight.path}/histogram", ops.convert_to_numpy(weight),
                                     epoch)
        writer.flush()

    def on_test_end(self, logs: dict | None = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            step = int(ops.convert_to_numpy(optimizer.iterations))
            writer = self._writer("validation")
            for name, value in (logs or {}).items():
                if np.ndim(value) == 0:
                    writer.scalar(f"evaluation_{name}_vs_iterations", value, step)
            writer.flush()
        if not self._in_fit:
            self._close()

    def on_train_end(self, logs: dict | None = None) -> None:
        self._in_fit = False
        self._close()
