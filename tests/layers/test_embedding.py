"""Embedding and ReversibleEmbedding: lookups, masks, reverse projection, config, errors."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from tests.helpers import check_layer

IDS = np.array([[1, 2, 0, 4], [3, 0, 0, 1]], "int32")


def test_lookup_and_gradient_rows():
    layer = layers.Embedding(5, 3)
    out = layer(IDS)
    table = layer.get_weights()[0]
    np.testing.assert_allclose(ops.convert_to_numpy(out), table[IDS])
    assert ops.dtype(out) == "float32"
    # Only the looked-up rows get gradients, each once per occurrence.
    import torch

    (grad,) = torch.autograd.grad(out.sum(), [layer.embeddings])
    np.testing.assert_allclose(grad.numpy()[:, 0], np.bincount(IDS.ravel(), minlength=5))


def test_mask_zero_and_float_ids():
    layer = layers.Embedding(5, 3, mask_zero=True)
    out = layer(IDS.astype("float32"))  # float ids are cast, as in Keras
    np.testing.assert_array_equal(ops.convert_to_numpy(out._keras_mask), IDS != 0)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer.compute_mask(IDS)), IDS != 0)
    assert layers.Embedding(5, 3).compute_mask(IDS) is None


def test_check_layer_and_symbolic_mask():
    check_layer(layers.Embedding, {"input_dim": 5, "output_dim": 3, "mask_zero": True},
                (2, 4), (2, 4, 3), input_dtype="int32")
    inputs = cornu.Input((4,), dtype="int32")
    out = layers.Embedding(5, 3, mask_zero=True)(inputs)
    assert tuple(out.shape) == (None, 4, 3) and out._keras_mask is not None


def test_input_length_is_ignored_with_a_warning_and_weights_argument():
    with pytest.warns(UserWarning, match="input_length"):
        layer = layers.Embedding(5, 3, input_length=4)
    assert "input_length" not in layer.get_config()
    table = np.arange(15, dtype="float32").reshape(5, 3)
    layer = layers.Embedding(5, 3, weights=[table])
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(IDS)), table[IDS])


def test_bad_arguments():
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(5, 2.5)


def test_reversible_embedding_tied_and_untied():
    tied = layers.ReversibleEmbedding(5, 3)
    hidden = tied(IDS)
    table = tied.get_weights()[0]
    logits = tied(hidden, reverse=True)
    np.testing.assert_allclose(ops.convert_to_numpy(logits), table[IDS] @ table.T, rtol=1e-6)
    untied = layers.ReversibleEmbedding(5, 3, tie_weights=False, logit_soft_cap=2.0)
    untied(IDS)
    table, reverse = untied.get_weights()
    assert reverse.shape == (3, 5)
    expected = np.tanh((table[IDS] @ reverse) / 2.0) * 2.0
    np.testing.assert_allclose(ops.convert_to_numpy(untied(untied(IDS), reverse=True)), expected,
                               rtol=1e-5, atol=1e-6)
    assert tuple(untied.compute_output_shape((2, 4, 3), reverse=True)) == (2, 4, 5)
    masked = layers.ReversibleEmbedding(5, 3, mask_zero=True)
    np.testing.assert_array_equal(ops.convert_to_numpy(masked(IDS)._keras_mask), IDS != 0)
    config = untied.get_config()
    assert config["tie_weights"] is False and config["logit_soft_cap"] == 2.0
    assert layers.ReversibleEmbedding.from_config(config).get_config() | {"name": 0} == \
        config | {"name": 0}
