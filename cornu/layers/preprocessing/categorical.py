"""Categorical preprocessing layers: ``CategoryEncoding``, ``Hashing``."""

from __future__ import annotations

from typing import Any

import numpy as np

from cornu import backend, config, ops
from cornu.core.keras_tensor import KerasTensor
from cornu.layers.layer import Layer
from cornu.layers.preprocessing.encoding import encode_categorical, encoded_shape
from cornu.layers.preprocessing.string_hash import fingerprint64, siphash64
from cornu.layers.preprocessing.string_inputs import HostInputsMixin, to_host_array


class CategoryEncoding(Layer):
    """Encodes integer ids in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: the number of ids.
        output_mode: ``"multi_hot"`` (default; the last axis holds one sample's ids),
            ``"one_hot"`` or ``"count"`` (call with ``count_weights`` to weight the counts).

    Example:
        >>> layer = cornu.layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")
        >>> layer(np.array([3, 2, 0, 1]))  # a 4x4 identity, rows permuted
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"CategoryEncoding '{self.name}': unknown `output_mode`; expected "
                             f"'count', 'one_hot' or 'multi_hot'. Received: {output_mode!r}")
        if num_tokens is None:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be set. If "
                             "the number of tokens is not known beforehand, use the "
                             "IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be >= 1. "
                             f"Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError(f"CategoryEncoding '{self.name}': `sparse=True` is not supported "
                             "by cornu (no sparse tensors); use sparse=False.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs: Any, count_weights: Any = None) -> Any:
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` is only used "
                                 "when `output_mode` is 'count'. Received output_mode="
                                 f"{self.output_mode!r}.")
            count_weights = ops.convert_to_tensor(count_weights, dtype=self.compute_dtype)
        return encode_categorical(inputs, self.output_mode, self.num_tokens,
                                  dtype=self.compute_dtype, count_weights=count_weights)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}


class Hashing(HostInputsMixin, Layer):
    """Hashes strings or integers into ``num_bins`` bins (Keras's hash functions).

    Without ``salt`` the hash is FarmHash ``Fingerprint64``; with ``salt`` (an int or a pair
    of ints) it is SipHash-2-4 keyed by the salt. Integers are hashed as their decimal
    strings, so ``1`` and ``"1"`` share a bin. With ``mask_value`` that value goes to bin 0
    and the others to bins ``1 .. num_bins - 1``.

    Example:
        >>> cornu.layers.Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]])
        # -> [[1], [0], [1], [1], [2]]
    """

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None,
                 output_mode: str = "int", sparse: bool = False, **kwargs: Any) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"Hashing '{self.name}': `num_bins` must be a positive integer. "
                             f"Received: num_bins={num_bins}.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Hashing '{self.name}': invalid `output_mode`; expected one of "
                             "('int', 'one_hot', 'multi_hot', 'count'). Received: "
                             f"output_mode={output_mode}")
        if output_mode == "int" and self.dtype_policy.name not in ("int32", "int64"):
            raise ValueError(f"Hashing '{self.name}': with output_mode='int', `dtype` must be "
                             f"'int32' or 'int64'. Received: dtype={kwargs['dtype']}")
        if sparse:
            raise ValueError(f"Hashing '{self.name}': `sparse=True` is not supported by cornu "
                             "(no sparse tensors); use sparse=False.")
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = [int(s) for s in salt]
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError(f"Hashing '{self.name}': `salt` must be an integer or a pair "
                                 f"of integers. Received: salt={salt}.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.salt = salt
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def _hash(self, value: Any, bins: int) -> int:
        if isinstance(value, (float, np.floating)):
            value = int(value)  # floats are hashed as their integer part, like Keras
        text = value if isinstance(value, str) else str(int(value))
        data = text.encode("utf-8")
        digest = siphash64(data, *self.salt) if self.salt else fingerprint64(data)
        return digest % bins

    def _bins(self, values: np.ndarray) -> np.ndarray:
        bins = self.num_bins
        masked = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            masked = values == self.mask_value
        uniques, inverse = np.unique(values.reshape(-1), return_inverse=True)
        table = np.array([self._hash(v, bins) for v in uniques], dtype="int64")
        out = table[inverse].reshape(values.shape)
        if masked is not None:
            out = np.where(masked, 0, out + 1)
        return out

    def call(self, inputs: Any) -> Any:
        values = to_host_array(inputs)
        if self.output_mode == "one_hot" and values.ndim > 1 and values.shape[-1] == 1:
            values = values[..., 0]
        ids = backend.convert_to_tensor(self._bins(values), dtype="int64")
        return encode_categorical(ids, self.output_mode, self.num_bins, dtype=self.dtype)

    def compute_output_spec(self, inputs: Any, **kwargs: Any) -> Any:
        shape = tuple(inputs.shape)
        if self.output_mode != "int":
            shape = encoded_shape(shape, "multi_hot", self.num_bins)
        return KerasTensor(shape, dtype=self.dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(tuple(input_shape), "multi_hot", self.num_bins)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}
