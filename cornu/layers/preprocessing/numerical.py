"""Numerical preprocessing layers: ``Rescaling``, ``Normalization``, ``Discretization``."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from cornu import backend, ops
from cornu.core.keras_tensor import KerasTensor
from cornu.layers.layer import Layer
from cornu.layers.preprocessing.encoding import encode_categorical, encoded_shape


def _batches(data: Any, layer: str) -> tuple:
    """``(first_batch, iterator over all batches)`` of an array or an iterable of batches.

    An ``(x, y)`` tuple yielded by a dataset contributes its ``x``.
    """
    if isinstance(data, np.ndarray) or backend.is_tensor(data):
        return data, iter([data])
    if isinstance(data, (list, tuple)) and data and not hasattr(data[0], "shape") \
            and not isinstance(data[0], (list, tuple)):
        array = np.asarray(data)
        return array, iter([array])
    if not hasattr(data, "__iter__"):
        raise TypeError(f"{layer}.adapt() expects a NumPy array, a tensor or an iterable of "
                        f"batches. Received: {type(data).__name__}")
    iterator = iter(data)
    first = next(iterator, None)
    if first is None:
        raise ValueError(f"{layer}.adapt() received an empty iterable (no batches). Pass a "
                         "non-empty array or iterable of batches.")

    def x_of(batch):
        return batch[0] if isinstance(batch, tuple) else batch

    return x_of(first), (x_of(b) for b in itertools.chain([first], iterator))


def _to_numpy(x: Any) -> np.ndarray:
    return np.asarray(ops.convert_to_numpy(x) if backend.is_tensor(x) else x)


class Rescaling(Layer):
    """Multiplies inputs by ``scale`` and adds ``offset``: ``x * scale + offset``.

    Args:
        scale: a float, or one value per channel (a list or array).
        offset: a float, or one value per channel.

    Example:
        >>> layer = cornu.layers.Rescaling(1.0 / 255)  # [0, 255] -> [0, 1]
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def _as_tensor(self, value: Any, ndim: int) -> Any:
        value = ops.convert_to_tensor(np.asarray(value), dtype=self.compute_dtype)
        shape = ops.shape(value)
        if shape and backend.image_data_format() == "channels_first" and ndim >= 3:
            value = ops.reshape(value, shape + (1,) * (3 - len(shape)))  # channel axis first
        return value

    def call(self, inputs: Any) -> Any:
        inputs = ops.cast(inputs, self.compute_dtype)
        ndim = len(ops.shape(inputs))
        return inputs * self._as_tensor(self.scale, ndim) + self._as_tensor(self.offset, ndim)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        def plain(v):
            return np.asarray(v).tolist() if isinstance(v, np.ndarray) else v

        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}


class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 per feature: ``(x - mean) / std``.

    The statistics come from ``mean``/``variance`` or from :meth:`adapt` on data; after
    ``adapt`` they are non-trainable weights (``mean``, ``variance``, ``count``) saved with
    the model.

    Args:
        axis: the axes that keep separate statistics (default the last); ``None`` for one
            mean and variance over everything.
        mean, variance: fixed statistics (both or neither).
        invert: map normalized values back: ``x * std + mean``.

    Example:
        >>> layer = cornu.layers.Normalization()
        >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
        >>> layer(np.array([[1.0, 20.0]]))  # -> [[0., 0.]]
    """

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = () if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True
        self.mean = self.variance = None
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization '{self.name}': set both `mean` and `variance` or "
                             f"neither. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization '{self.name}': `mean` and `variance` must "
                                 f"have the same shape. Received: {np.shape(mean)} and "
                                 f"{np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"Normalization '{self.name}': the rank of `mean` must be at "
                                 f"most the number of axes ({len(self.axis)}). Received: mean "
                                 f"shape {np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape: tuple) -> None:
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization '{self.name}': every `axis` must be in "
                             f"[-{ndim}, {ndim}). Received axis={self.axis} for inputs of "
                             f"shape {input_shape}")
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep:
            if input_shape[a] is None:
                raise ValueError(f"Normalization '{self.name}': the kept axis {a} must have a "
                                 f"known size. Received: input_shape={input_shape}")
        self._input_shape = input_shape
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(ndim))
        stats_shape = tuple(input_shape[a] for a in self._keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape=stats_shape, initializer="zeros",
                                              trainable=False, name="mean")
            self.adapt_variance = self.add_weight(shape=stats_shape, initializer="ones",
                                                  trainable=False, name="variance")
            self.count = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                         trainable=False, name="count")
        else:
            self.mean = self._broadcast_stat(self.input_mean)
            self.variance = self._broadcast_stat(self.input_variance)
        self.built = True

    def _broadcast_stat(self, value: Any) -> Any:
        value = np.asarray(value, dtype="float64")
        if value.ndim:
            expanded = [1] * len(self._broadcast)
            for i in range(1, value.ndim + 1):  # trailing stat axes fill the kept axes
                expanded[self._keep[-i]] = value.shape[-i]
            value = value.reshape(expanded)
        return ops.convert_to_tensor(np.broadcast_to(value, self._broadcast),
                                     dtype=self.compute_dtype)

    def adapt(self, data: Any) -> None:
        """Computes the mean and variance of ``data`` (an array or an iterable of batches)."""
        first, batches = _batches(data, f"Normalization '{self.name}'")
        shape = tuple(first.shape)
        if not self.built:
            self.build(shape)
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}' was given `mean` and `variance`; "
                             "adapt() cannot change them.")
        mean = var = None
        total = 0
        for batch in batches:
            batch = _to_numpy(batch).astype("float64")
            if any(batch.shape[a] != self._input_shape[a] for a in self._keep):
                raise ValueError(f"Normalization '{self.name}' was built for inputs of shape "
                                 f"{self._input_shape}, but adapt() received a batch of shape "
                                 f"{batch.shape}.")
            count = int(np.prod([batch.shape[a] for a in self._reduce])) if self._reduce else 1
            b_mean, b_var = batch.mean(axis=self._reduce), batch.var(axis=self._reduce)
            if mean is None:
                mean, var, total = b_mean, b_var, count
                continue
            # Merge with the running statistics (parallel variance formula).
            total += count
            w = count / total
            new_mean = mean * (1 - w) + b_mean * w
            var = (var + (mean - new_mean) ** 2) * (1 - w) + (b_var + (b_mean - new_mean) ** 2) * w
            mean = new_mean
        self.adapt_mean.assign(mean.astype("float32"))
        self.adapt_variance.assign(var.astype("float32"))

    def _stats(self) -> tuple:
        if self.input_mean is not None:
            return self.mean, self.variance
        mean = ops.cast(ops.reshape(self.adapt_mean, self._broadcast), self.compute_dtype)
        variance = ops.cast(ops.reshape(self.adapt_variance, self._broadcast),
                            self.compute_dtype)
        return mean, variance

    def call(self, inputs: Any) -> Any:
        inputs = ops.cast(inputs, self.compute_dtype)
        mean, variance = self._stats()
        std = ops.maximum(ops.sqrt(variance), backend.epsilon())
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_build_config(self) -> dict | None:
        # adapt() builds the layer without a call; record that shape too so a saved layer
        # is rebuilt (and its statistics restored) on load.
        if not self.built or not hasattr(self, "_input_shape"):
            return None
        return {"input_shape": self._input_shape}

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}


# --- Discretization's quantile summary --------------------------------------------------------
# adapt() keeps a compact weighted summary of the values seen (sorted values and weights),
# merges batch summaries, and reads bin boundaries off the cumulative weights. The numbers
# are those of Keras's summary for the same data and epsilon.
def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size / (1.0 / epsilon), 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.full_like(picked, step, dtype=picked.dtype)])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    bins = np.interp(percents, fractions, summary[0])
    weights_at = np.interp(percents, fractions, cumulative)
    weights = weights_at - np.concatenate(([0.0], weights_at[:-1]))
    return np.stack((bins, weights)).astype("float32")


def _merge(previous: np.ndarray, new: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((previous, new), axis=1)
    return _compress(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


class Discretization(Layer):
    """Buckets continuous values into bins: ids, or one-hot/multi-hot/count encodings.

    A value ``x`` goes to bin ``i`` when ``bin_boundaries[i-1] <= x < bin_boundaries[i]``.

    Args:
        bin_boundaries: the sorted boundaries (``len + 1`` bins); or
        num_bins: the number of bins to learn with :meth:`adapt` (approximate quantiles).
        epsilon: the error tolerance of the quantile summary.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"`` or ``"count"``.

    Example:
        >>> cornu.layers.Discretization(bin_boundaries=[0.0, 1.0])(np.array([-1.0, 0.5, 2.0]))
        # -> [0, 1, 2]
    """

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None,
                 epsilon: float = 0.01, output_mode: str = "int", sparse: bool = False,
                 dtype: Any = None, name: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("trainable", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError(f"Discretization '{self.name}': `sparse=True` is not supported "
                             "by cornu (no sparse tensors); use sparse=False.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Discretization '{self.name}': `output_mode` must be one of "
                             "'int', 'one_hot', 'multi_hot', 'count'. Received: "
                             f"output_mode={output_mode!r}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"Discretization '{self.name}': `num_bins` must be >= 0. "
                             f"Received: num_bins={num_bins}")
        if num_bins is not None and bin_boundaries is not None:
            if len(bin_boundaries) != num_bins - 1:
                raise ValueError(f"Discretization '{self.name}': both `num_bins` and "
                                 "`bin_boundaries` were set, but they disagree: expected "
                                 f"len(bin_boundaries) == num_bins - 1. Received: "
                                 f"num_bins={num_bins}, bin_boundaries={bin_boundaries}")
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else None
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self._summary = np.array([[], []], dtype="float32")
        self.built = True

    @property
    def output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learns ``num_bins`` bins of roughly equal population from ``data``."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}': set `num_bins` to use adapt(); "
                             "with fixed `bin_boundaries` there is nothing to learn.")
        self._summary = np.array([[], []], dtype="float32")
        _, batches = _batches(data, f"Discretization '{self.name}'")
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            summary = _summarize(_to_numpy(batch), self.epsilon)
            self._summary = _merge(self._summary, summary, self.epsilon)
        self.bin_boundaries = _compress(self._summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def _depth(self) -> int:
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}' has no bins yet: pass "
                             "`bin_boundaries` or call adapt() first.")
        return len(self.bin_boundaries) + 1

    def call(self, inputs: Any) -> Any:
        depth = self._depth()
        if not backend.is_float_dtype(ops.dtype(inputs)):
            inputs = ops.cast(inputs, self.compute_dtype)  # boundaries are floats
        ids = ops.digitize(inputs, ops.convert_to_tensor(self.bin_boundaries,
                                                         dtype=ops.dtype(inputs)))
        return encode_categorical(ids, self.output_mode, depth, dtype=self.output_dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def compute_output_spec(self, inputs: Any, **kwargs: Any) -> Any:
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.output_dtype)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}
