"""``TextVectorization``: strings -> token ids (or multi-hot/count/tf-idf vectors).

Standardize (lower-case, strip punctuation), split (whitespace, characters), form
n-grams, then look the tokens up in a vocabulary held by an inner ``StringLookup``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from cornu import backend, config
from cornu.core.keras_tensor import KerasTensor
from cornu.layers.layer import Layer
from cornu.layers.preprocessing.lookup import StringLookup
from cornu.layers.preprocessing.string_inputs import HostInputsMixin, to_host_array
from cornu.saving import serialization_lib

# Keras's punctuation set for "strip_punctuation".
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = (None, "whitespace", "character")


class TextVectorization(HostInputsMixin, Layer):
    """Turns strings into sequences of token ids, or into one vector per string.

    Args:
        max_tokens: the vocabulary size limit, special tokens included.
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, ``None``, or a callable on a NumPy array of strings.
        split: ``"whitespace"`` (default), ``"character"``, ``None``, or a callable taking
            one standardized string and returning its tokens.
        ngrams: ``None``, an int ``n`` (all 1..n-grams) or a tuple of sizes.
        output_mode: ``"int"`` (ids; 0 pads, 1 is ``"[UNK]"``), ``"multi_hot"``,
            ``"count"`` or ``"tf_idf"``.
        output_sequence_length: with ``"int"``, pad or truncate every sequence to it
            (else pad to the longest in the batch).
        pad_to_max_tokens: with the vector modes, make vectors ``max_tokens`` long.
        vocabulary: a list of tokens (kept in the layer's config), instead of :meth:`adapt`.
        idf_weights: with ``"tf_idf"`` and a vocabulary, one weight per token.

    Example:
        >>> layer = cornu.layers.TextVectorization(max_tokens=10, output_sequence_length=4)
        >>> layer.adapt(["the cat sat", "the dog"])
        >>> layer(["the cat"])  # -> [[2, 3, 0, 0]]
    """

    def __init__(self, max_tokens: int | None = None,
                 standardize: Any = "lower_and_strip_punctuation", split: Any = "whitespace",
                 ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False,
                 vocabulary: Any = None, idf_weights: Any = None, sparse: bool = False,
                 ragged: bool = False, encoding: str = "utf-8", name: str | None = None,
                 **kwargs: Any) -> None:
        kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        label = f"TextVectorization '{self.name}'"
        if not (standardize in _STANDARDIZE or callable(standardize)):
            raise ValueError(f"{label}: `standardize` must be one of {_STANDARDIZE} or a "
                             f"callable. Received: standardize={standardize!r}")
        if not (split in _SPLIT or callable(split)):
            raise ValueError(f"{label}: `split` must be one of {_SPLIT} or a callable. "
                             f"Received: split={split!r}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in ("int", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"{label}: `output_mode` must be 'int', 'multi_hot', 'count' or "
                             f"'tf_idf'. Received: output_mode={output_mode!r}")
        if not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(f"{label}: `ngrams` must be None, an integer, or a tuple of "
                             f"integers. Received: ngrams={ngrams}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(f"{label}: `output_sequence_length` is only used with "
                             f"output_mode='int'. Received: output_mode={output_mode!r}")
        if ragged:
            raise ValueError(f"{label}: `ragged=True` is not supported by cornu (no ragged "
                             "tensors); use output_sequence_length or padding instead.")
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = tuple(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else \
            self._ngrams_arg
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._ragged = ragged
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, encoding=encoding, name=f"{self.name}_lookup")
        self.built = True

    # --- text processing ------------------------------------------------------------------------
    def _standardized(self, texts: np.ndarray) -> np.ndarray:
        if callable(self._standardize):
            return to_host_array(self._standardize(texts))
        if self._standardize is None:
            return texts
        lower = self._standardize in ("lower", "lower_and_strip_punctuation")
        strip = self._standardize in ("strip_punctuation", "lower_and_strip_punctuation")
        out = np.empty(texts.shape, dtype=object)
        for i, text in np.ndenumerate(texts):
            text = text.lower() if lower else text
            out[i] = _PUNCTUATION.sub("", text) if strip else text
        return out

    def _tokens(self, text: str) -> list:
        if self._split is None:
            tokens = [text]
        elif self._split == "whitespace":
            tokens = text.split()
        elif self._split == "character":
            tokens = list(text)
        else:
            tokens = [t.decode("utf-8") if isinstance(t, bytes) else str(t)
                      for t in self._split(text)]
        if self._ngrams is None:
            return tokens
        grams = []
        for n in self._ngrams:
            grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return grams

    def _tokenize(self, inputs: Any) -> list:
        """One list of tokens per input string."""
        texts = to_host_array(inputs)
        if texts.ndim == 0:
            texts = texts.reshape(1)
        if self._split is not None and texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError(f"TextVectorization '{self.name}': to split strings the input "
                                 "must have rank 1 or a last dimension of 1. Received: "
                                 f"inputs.shape={texts.shape}")
            texts = texts.reshape(texts.shape[:-1])
        texts = self._standardized(texts)
        if self._split is None and self._ngrams is None:
            return [[t] for t in texts.reshape(-1)] if texts.ndim == 1 else \
                [list(row) for row in texts.reshape(len(texts), -1)]
        return [self._tokens(t) for t in texts.reshape(-1)]

    # --- vocabulary ------------------------------------------------------------------------------
    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Builds the vocabulary from an array/list of strings or an iterable of batches."""
        if isinstance(data, (np.ndarray, list, tuple, str)) or backend.is_tensor(data):
            batches = [data]
        else:
            batches = (b[0] if isinstance(b, tuple) else b for b in data)
        rows = []
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            rows.extend(self._tokenize(batch))
        self._lookup_layer.adapt_rows(rows)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    # --- call ------------------------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        rows = self._tokenize(inputs)
        lookup = self._lookup_layer
        if self._output_mode == "int":
            length = self._output_sequence_length
            if length is None:
                length = max((len(r) for r in rows), default=0)
            ids = np.zeros((len(rows), length), dtype="int64")
            for i, row in enumerate(rows):
                row = row[:length]
                if row:
                    flat = np.empty(len(row), dtype=object)
                    flat[:] = row
                    ids[i, :len(row)] = lookup.lookup_ids(flat)
            return backend.convert_to_tensor(ids, dtype="int64")
        # Pad with -1, an id outside the vocabulary: it encodes to nothing in the counts.
        width = max((len(r) for r in rows), default=0) or 1
        ids = np.full((len(rows), width), -1, dtype="int64")
        for i, row in enumerate(rows):
            if row:
                flat = np.empty(len(row), dtype=object)
                flat[:] = row
                ids[i, :len(row)] = lookup.lookup_ids(flat)
        return lookup.encode_ids(ids)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        batch = tuple(input_shape)[:1] or (None,)
        if self._output_mode == "int":
            return batch + (self._output_sequence_length,)
        return batch + (self._lookup_layer._depth(),)

    def compute_output_spec(self, inputs: Any, **kwargs: Any) -> Any:
        dtype = "int64" if self._output_mode == "int" else config.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self) -> dict:
        lookup = self._lookup_layer.get_config()
        standardize, split = self._standardize, self._split
        if callable(standardize):
            standardize = serialization_lib.serialize_keras_object(standardize)
        if callable(split):
            split = serialization_lib.serialize_keras_object(split)
        return {**super().get_config(), "max_tokens": lookup["max_tokens"],
                "standardize": standardize, "split": split, "ngrams": self._ngrams_arg,
                "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup["pad_to_max_tokens"], "sparse": lookup["sparse"],
                "ragged": self._ragged, "vocabulary": lookup["vocabulary"],
                "idf_weights": lookup["idf_weights"], "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config: dict) -> "TextVectorization":
        config = dict(config)
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                config[key] = serialization_lib.deserialize_keras_object(config[key])
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)
