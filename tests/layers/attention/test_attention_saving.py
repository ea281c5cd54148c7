"""Attention layers in files: Keras 3's paths and names, round trips, tf.keras 2 quirks."""

import json
import zipfile

import h5py
import numpy as np
import pytest

import cornu
from cornu import layers, ops


def _model() -> cornu.Model:
    inputs = cornu.Input((6, 8))
    x = layers.MultiHeadAttention(2, 3, use_gate=True)(inputs, inputs, use_causal_mask=True)
    y = layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)(x, x)
    z = layers.Attention(use_scale=True, score_mode="concat")([y, x])
    w = layers.AdditiveAttention()([z, y])
    outputs = layers.EinsumDense("abc,cd->abd", (None, 3), bias_axes="d")(w)
    return cornu.Model(inputs, outputs)


@pytest.fixture
def data(rng):
    return rng.standard_normal((2, 6, 8)).astype("float32")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_round_trip(tmp_path, data, suffix):
    model = _model()
    expected = ops.convert_to_numpy(model(data))
    model.save(tmp_path / f"m{suffix}")
    loaded = cornu.saving.load_model(tmp_path / f"m{suffix}")
    np.testing.assert_allclose(ops.convert_to_numpy(loaded(data)), expected, rtol=1e-6,
                               atol=1e-6)


def test_keras_paths_and_class_names(tmp_path):
    _model().save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = json.loads(archive.read("config.json"))
        archive.extract("model.weights.h5", tmp_path)
    names = [layer["class_name"] for layer in config["config"]["layers"]]
    assert names[1:] == ["MultiHeadAttention", "GroupQueryAttention", "Attention",
                         "AdditiveAttention", "EinsumDense"]
    paths = []
    with h5py.File(tmp_path / "model.weights.h5") as handle:
        handle.visit(lambda name: paths.append(name) if name.endswith("/vars/0") else None)
    for part in ("query_dense", "key_dense", "value_dense", "output_dense", "_gate_dense"):
        assert f"layers/multi_head_attention/{part}/vars/0" in paths
    for part in ("_query_dense", "_key_dense", "_value_dense", "_output_dense"):
        assert f"layers/grouped_query_attention/{part}/vars/0" in paths


def test_reads_tf_keras_private_sublayer_paths(tmp_path, data):
    """tf.keras 2 stored MultiHeadAttention's projections under `_query_dense` etc."""
    model = _model()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "a") as handle:
        for part in ("query_dense", "key_dense", "value_dense", "output_dense"):
            handle.move(f"layers/multi_head_attention/{part}",
                        f"layers/multi_head_attention/_{part}")
    fresh = _model()
    fresh.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_allclose(ops.convert_to_numpy(fresh(data)),
                               ops.convert_to_numpy(model(data)), rtol=1e-6, atol=1e-6)


def test_tf_keras_config_with_build_shapes():
    config = layers.MultiHeadAttention(2, 3).get_config()
    config.update(query_shape=[None, 4, 5], value_shape=[None, 6, 7], key_shape=None)
    layer = layers.MultiHeadAttention.from_config(config)
    assert layer.built
    assert [tuple(w.shape) for w in layer.weights][::2] == [(5, 2, 3), (7, 2, 3), (7, 2, 3),
                                                              (2, 3, 5)]


def test_legacy_h5_uses_the_class_name(tmp_path):
    """Keras 3's legacy loader knows GroupedQueryAttention, not its export name."""
    _model().save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as handle:
        config = json.loads(handle.attrs["model_config"])
    assert [layer["class_name"] for layer in config["config"]["layers"]][2] == \
        "GroupedQueryAttention"
