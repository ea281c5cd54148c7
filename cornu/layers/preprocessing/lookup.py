"""Vocabulary lookup layers: ``StringLookup`` and ``IntegerLookup``.

Tokens map to ids through a host-side dictionary. The vocabulary (and tf-idf weights)
live in the layer's config, so a saved model carries them; no file path is ever stored.

Layout of the ids (``output_mode="int"``): ``0`` is the mask token when one is set, then
``num_oov_indices`` ids for out-of-vocabulary tokens, then the vocabulary in order.
"""

from __future__ import annotations

import collections
import math
import os
from typing import Any

import numpy as np

from cornu import backend, config
from cornu.core.keras_tensor import KerasTensor
from cornu.layers.layer import Layer
from cornu.layers.preprocessing.encoding import encode_categorical, encoded_shape
from cornu.layers.preprocessing.string_hash import fingerprint64
from cornu.layers.preprocessing.string_inputs import HostInputsMixin, to_host_array

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _listify(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, np.ndarray) or backend.is_tensor(value):
        value = to_host_array(value).tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in value]


class IndexLookup(HostInputsMixin, Layer):
    """Shared machinery of ``StringLookup`` and ``IntegerLookup``."""

    _string_tokens = True

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary_dtype: str, vocabulary: Any = None,
                 idf_weights: Any = None, invert: bool = False, output_mode: str = "int",
                 sparse: bool = False, pad_to_max_tokens: bool = False,
                 vocabulary_size: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("has_input_vocabulary", None)
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        name = f"{type(self).__name__} '{self.name}'"
        if output_mode not in _MODES:
            raise ValueError(f"{name}: `output_mode` must be one of {_MODES}. Received: "
                             f"output_mode={output_mode!r}")
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{name}: `max_tokens` must be greater than 1 (or None). "
                             f"Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{name}: `pad_to_max_tokens=True` needs `max_tokens`.")
        if num_oov_indices < 0:
            raise ValueError(f"{name}: `num_oov_indices` must be >= 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if invert and output_mode != "int":
            raise ValueError(f"{name}: `invert=True` needs output_mode='int'. Received: "
                             f"output_mode={output_mode!r}")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{name}: `idf_weights` are only used with output_mode='tf_idf'. "
                             f"Received output_mode={output_mode!r}")
        if sparse:
            raise ValueError(f"{name}: `sparse=True` is not supported by cornu (no sparse "
                             "tensors); use sparse=False.")
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = invert
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self._tokens: list = []
        self._index: dict = {}
        self._idf: np.ndarray | None = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{name}: `idf_weights` need a `vocabulary`.")
        self.built = True

    # --- vocabulary -----------------------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _special_tokens(self) -> list:
        special = [self.mask_token] if self._oov_start_index() else []
        return special + [self.oov_token] * self.num_oov_indices

    def _normalize_token(self, token: Any) -> Any:
        if self._string_tokens:
            return token.decode("utf-8") if isinstance(token, bytes) else str(token)
        return int(token)

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Sets the vocabulary (a list, an array, or a text file with one token per line).

        A vocabulary that starts with the special tokens (mask, OOV) is accepted as is.
        With output_mode="tf_idf", ``idf_weights`` gives one weight per token.
        """
        name = f"{type(self).__name__} '{self.name}'"
        if isinstance(vocabulary, (str, os.PathLike)) and os.path.isfile(vocabulary):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
        tokens = [self._normalize_token(t) for t in _listify(vocabulary)]
        special = self._special_tokens()
        if tokens[:len(special)] == special and special:
            tokens = tokens[len(special):]
        idf = None if idf_weights is None else np.asarray(_listify(idf_weights), "float32")
        if self.output_mode == "tf_idf":
            if idf is None:
                raise ValueError(f"{name}: `idf_weights` must be set when output_mode is "
                                 "'tf_idf'.")
            if len(idf) not in (len(tokens), len(tokens) + self._token_start_index()):
                raise ValueError(f"{name}: `idf_weights` must have one weight per vocabulary "
                                 f"token ({len(tokens)}). Received {len(idf)}.")
            if len(idf) == len(tokens):  # OOV ids get the mean weight, as in Keras
                front = np.full(self._token_start_index(), idf.mean() if len(idf) else 0.0)
                idf = np.concatenate([front, idf]).astype("float32")
        elif idf is not None:
            raise ValueError(f"{name}: `idf_weights` are only used with output_mode='tf_idf'.")
        for token in (self.mask_token, self.oov_token):
            if token is not None and token in tokens:
                raise ValueError(f"{name}: the vocabulary must not contain the special token "
                                 f"{token!r} past its reserved position. Received vocabulary "
                                 f"with {token!r} at index "
                                 f"{tokens.index(token) + len(special)}.")
        duplicates = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if duplicates:
            raise ValueError(f"{name}: the vocabulary has repeated tokens: {duplicates[:5]}.")
        if self.max_tokens is not None and len(tokens) + self._token_start_index() > \
                self.max_tokens:
            raise ValueError(f"{name}: a vocabulary of {len(tokens)} tokens plus "
                             f"{self._token_start_index()} special ids exceeds max_tokens="
                             f"{self.max_tokens}.")
        self._set_tokens(tokens, idf)

    def _set_tokens(self, tokens: list, idf: np.ndarray | None) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}
        self._idf = idf

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The tokens in id order (with the mask and OOV tokens unless asked not to)."""
        return (self._special_tokens() if include_special_tokens else []) + list(self._tokens)

    def vocabulary_size(self) -> int:
        """The number of ids, special ones included."""
        return len(self._tokens) + self._token_start_index()

    # --- adapt -----------------------------------------------------------------------------------
    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Builds the vocabulary from ``data`` (an array, a list, or an iterable of batches).

        Tokens are ordered by frequency (ties by token, descending, as Keras does), keeping
        at most ``max_tokens`` ids in total.
        """
        def rows():
            for i, batch in enumerate(self._adapt_batches(data)):
                if steps is not None and i >= steps:
                    return
                yield from self._adapt_rows(batch)

        self.adapt_rows(rows())

    def adapt_rows(self, rows: Any) -> None:
        """Builds the vocabulary from documents given as lists of tokens."""
        counts: collections.Counter = collections.Counter()
        doc_counts: collections.Counter = collections.Counter()
        documents = 0
        for row in rows:
            counts.update(row)
            if self.output_mode == "tf_idf":
                doc_counts.update(set(row))
                documents += 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ordered = sorted(counts, key=lambda t: (counts[t], _sort_key(t)), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[:max(self.max_tokens - self._token_start_index(), 0)]
        idf = None
        if self.output_mode == "tf_idf":
            weights = np.array([math.log(1 + documents / (1 + doc_counts[t])) for t in ordered],
                               dtype="float64")
            front = np.full(self._token_start_index(), weights.mean() if len(weights) else 0.0)
            idf = np.concatenate([front, weights]).astype(config.floatx())
        self._set_tokens(ordered, idf)

    def _adapt_batches(self, data: Any) -> Any:
        if isinstance(data, (np.ndarray, list, tuple, str)) or backend.is_tensor(data):
            return [data]
        return (b[0] if isinstance(b, tuple) else b for b in data)

    def _adapt_rows(self, batch: Any) -> Any:
        array = to_host_array(batch)
        if array.ndim == 0:
            array = array.reshape(1)
        rows = array.reshape(len(array), -1) if array.ndim > 1 else array.reshape(-1, 1)
        for row in rows:
            yield [self._normalize_token(t) for t in row]

    # --- call -------------------------------------------------------------------------------------
    def _oov_id(self, token: Any) -> int:
        if self.num_oov_indices == 0:
            raise ValueError(f"{type(self).__name__} '{self.name}': found the out-of-vocabulary "
                             f"value {token!r}; with num_oov_indices=0 every input must be in "
                             "the vocabulary. Consider setting num_oov_indices=1.")
        start = self._oov_start_index()
        if self.num_oov_indices == 1:
            return start
        if self._string_tokens:
            return start + fingerprint64(token.encode("utf-8")) % self.num_oov_indices
        return start + int(token) % self.num_oov_indices

    def lookup_ids(self, values: np.ndarray) -> np.ndarray:
        """Token ids of a host array of tokens (same shape, int64)."""
        uniques, inverse = np.unique(values.reshape(-1), return_inverse=True)
        table = np.empty(len(uniques), dtype="int64")
        for i, raw in enumerate(uniques):
            token = self._normalize_token(raw)
            if self.mask_token is not None and token == self.mask_token:
                table[i] = 0
            else:
                found = self._index.get(token)
                table[i] = self._oov_id(token) if found is None else found
        return table[inverse].reshape(values.shape)

    def _invert(self, values: np.ndarray) -> Any:
        vocabulary = self.get_vocabulary()
        if self.mask_token is not None and self.output_mode == "int":
            vocabulary[0] = self.mask_token
        flat = [vocabulary[i] if 0 <= i < len(vocabulary) else self.oov_token
                for i in values.reshape(-1).astype("int64")]
        if self._string_tokens:
            out = np.empty(len(flat), dtype=object)
            out[:] = flat
            return out.reshape(values.shape)
        return backend.convert_to_tensor(np.asarray(flat, dtype="int64").reshape(values.shape))

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def encode_ids(self, ids: np.ndarray) -> Any:
        """Encodes an int array of ids according to ``output_mode``."""
        tensor = backend.convert_to_tensor(ids, dtype="int64")
        if self.output_mode == "int":
            return tensor
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(tensor, mode, self._depth(), dtype=config.floatx())
        if self.output_mode == "tf_idf":
            if self._idf is None:
                raise ValueError(f"{type(self).__name__} '{self.name}' has no idf weights: call "
                                 "adapt() or pass `vocabulary` and `idf_weights`.")
            idf = np.zeros(self._depth(), dtype=config.floatx())
            idf[:len(self._idf)] = self._idf[:self._depth()]
            out = out * backend.convert_to_tensor(idf)
        return out

    def call(self, inputs: Any) -> Any:
        values = to_host_array(inputs)
        if self.invert:
            return self._invert(values)
        return self.encode_ids(self.lookup_ids(values))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(tuple(input_shape), self.output_mode if
                             self.output_mode != "tf_idf" else "count", self._depth())

    def compute_output_spec(self, inputs: Any, **kwargs: Any) -> Any:
        if self.invert:
            dtype = "string" if self._string_tokens else "int64"
        else:
            dtype = "int64" if self.output_mode == "int" else config.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self) -> dict:
        idf = None
        if self._idf is not None:
            idf = self._idf[self._token_start_index():].tolist()
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype, "idf_weights": idf,
                "vocabulary": list(self._tokens) if self._tokens else None,
                "vocabulary_size": self.vocabulary_size()}


def _sort_key(token: Any) -> Any:
    # Keras breaks count ties by the token's bytes (strings) or value (integers).
    return token.encode("utf-8") if isinstance(token, str) else token


class StringLookup(IndexLookup):
    """Maps strings to integer ids from a vocabulary (or, with ``invert=True``, back).

    Args:
        max_tokens: the most ids, special ones included (``None``: no limit).
        num_oov_indices: ids for unknown strings (hashed among them when > 1).
        mask_token: a string that maps to id 0 (``None``: no mask).
        oov_token: the string returned for unknown ids when inverting.
        vocabulary: a list of strings (or a text file read once, at construction).
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.

    Example:
        >>> layer = cornu.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]])  # -> [[1, 3, 4], [4, 0, 2]]
    """

    _string_tokens = True

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]",
                 vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False,
                 sparse: bool = False, encoding: str = "utf-8", **kwargs: Any) -> None:
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary_dtype="string",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("vocabulary_dtype")
        return {**config, "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous ids from a vocabulary (or, with ``invert=True``, back).

    Arguments as ``StringLookup``; the OOV token is ``-1`` and, with several OOV ids,
    unknown values go to ``value % num_oov_indices``.

    Example:
        >>> layer = cornu.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer([[12, 1138, 42], [42, 1000, 36]])  # -> [[1, 3, 4], [4, 0, 2]]
    """

    _string_tokens = False

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1, vocabulary: Any = None,
                 vocabulary_dtype: str = "int64", idf_weights: Any = None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, **kwargs: Any) -> None:
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(f"IntegerLookup: `vocabulary_dtype` must be 'int32' or 'int64'. "
                             f"Received: vocabulary_dtype={vocabulary_dtype!r}")
        if max_tokens is not None and max_tokens <= 0:
            raise ValueError(f"IntegerLookup: `max_tokens` must be positive. Received: "
                             f"max_tokens={max_tokens}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token,
                         vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, **kwargs)
