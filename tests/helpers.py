"""Shared checks for layer tests: shapes, config round trip, a training step."""

from __future__ import annotations

from typing import Any

import numpy as np

import cornu
from cornu import ops


def check_layer(layer_cls: type, init_kwargs: dict, input_shape: tuple,
                expected_output_shape: tuple | None = None, input_dtype: str = "float32",
                train: bool = True, rng: np.random.Generator | None = None) -> Any:
    """Builds ``layer_cls(**init_kwargs)`` and checks what every layer must do.

    * eager and symbolic (functional) calls agree on the output shape;
    * ``get_config``/``from_config`` rebuilds an equal config with equal outputs once the
      weights are copied;
    * one ``fit`` step in a model runs, and changes the trainable weights.

    Returns the built layer.
    """
    rng = rng or np.random.default_rng(0)
    if input_dtype.startswith("int"):
        x = rng.integers(0, 5, size=input_shape).astype(input_dtype)
    else:
        x = rng.standard_normal(input_shape).astype(input_dtype)
    layer = layer_cls(**init_kwargs)
    y = layer(x)
    if expected_output_shape is not None:
        assert tuple(ops.shape(y)) == tuple(expected_output_shape)
    symbolic = layer_cls(**init_kwargs)(cornu.Input(batch_shape=(None,) + input_shape[1:],
                                                    dtype=input_dtype))
    assert tuple(symbolic.shape)[1:] == tuple(ops.shape(y))[1:]

    config = layer.get_config()
    clone = layer_cls.from_config(config)
    clone(x)
    assert clone.get_config() | {"name": None} == config | {"name": None}
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(clone(x)), ops.convert_to_numpy(y),
                               rtol=1e-6, atol=1e-6)

    if train and layer.trainable_weights:
        inputs = cornu.Input(batch_shape=(None,) + input_shape[1:], dtype=input_dtype)
        model = cornu.Model(inputs, layer_cls.from_config(config)(inputs))
        model.compile(optimizer="sgd", loss="mse")
        before = [w.copy() for w in model.get_weights()]
        target = rng.standard_normal(tuple(ops.shape(y))).astype("float32")
        model.fit(x, target, epochs=1, batch_size=input_shape[0], verbose=0)
        changed = [not np.allclose(a, b) for a, b in zip(before, model.get_weights())]
        assert any(changed), "a training step left every weight unchanged"
    return layer
