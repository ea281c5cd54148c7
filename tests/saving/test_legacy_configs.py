"""Configs as tf.keras 2 and Keras 3's legacy ``.h5`` writer wrote them."""

import json

import numpy as np

import cornu
from cornu import layers


def _dense(name, units, activation="linear"):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units,
        "activation": activation, "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}}


def test_tf_keras_functional_with_nested_sequential():
    """tf.keras lists calls as [layer, node, tensor, kwargs] and counts a nested model's own
    input node, so the first call of `inner` is node 1."""
    inner = {"class_name": "Sequential", "config": {"name": "inner", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4],
                                                "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "input_1"}},
        _dense("inner_a", 3, "relu")]}}
    config = {"class_name": "Functional", "config": {
        "name": "outer", "layers": [
            {"class_name": "InputLayer", "name": "x", "inbound_nodes": [], "config": {
                "batch_input_shape": [None, 5], "dtype": "float32", "sparse": False,
                "ragged": False, "name": "x"}},
            {**_dense("pre", 4), "name": "pre", "inbound_nodes": [[["x", 0, 0, {}]]]},
            {**inner, "name": "inner", "inbound_nodes": [[["pre", 0, 0, {}]]]},
            {**_dense("post", 2), "name": "post", "inbound_nodes": [[["inner", 1, 0, {}]]]}],
        "input_layers": [["x", 0, 0]], "output_layers": [["post", 0, 0]]},
        "keras_version": "2.21.0", "backend": "tensorflow"}
    model = cornu.models.model_from_json(json.dumps(config))
    assert [layer.name for layer in model.layers] == ["x", "pre", "inner", "post"]
    x = np.ones((2, 5), "float32")
    pre, inner_model, post = model.layers[1:]
    expected = post(inner_model(pre(x)))
    np.testing.assert_allclose(model.predict(x, verbose=0), cornu.ops.convert_to_numpy(expected),
                               rtol=1e-6)


def test_legacy_h5_op_entry_without_module():
    """Keras 3's legacy writer drops the module of ops (``NotEqual``); they still load."""
    config = {"class_name": "Functional", "config": {
        "name": "ops", "layers": [
            {"class_name": "InputLayer", "name": "t", "inbound_nodes": [],
             "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "t"}},
            {"class_name": "NotEqual", "name": "not_equal", "config": {"name": "not_equal"},
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                 "shape": [None, 3], "dtype": "float32", "keras_history": ["t", 0, 0]}}, 0.0],
                 "kwargs": {}}]}],
        "input_layers": [["t", 0, 0]], "output_layers": [["not_equal", 0, 0]]}}
    model = cornu.models.model_from_json(json.dumps(config))
    out = model.predict(np.array([[0.0, 1.0, 0.0]], "float32"), verbose=0)
    np.testing.assert_array_equal(out, [[False, True, False]])


def test_tf_keras_batch_normalization_axis_list():
    layer = cornu.saving.deserialize_keras_object(
        {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [1],
                                                        "momentum": 0.99, "epsilon": 0.001}})
    assert isinstance(layer, layers.BatchNormalization) and layer.axis == 1


def test_neutral_keys_from_other_keras_versions_are_dropped():
    layer = cornu.saving.deserialize_keras_object(
        {"class_name": "Dense", "config": {
            "name": "d", "units": 2, "quantization_config": None,
            "kernel_initializer": {"class_name": "GlorotUniform",
                                   "config": {"seed": None, "input_axes": None,
                                              "output_axes": None}}}})
    assert layer.units == 2
    inputs = cornu.saving.deserialize_keras_object(
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3],
                                                "ragged": False, "name": "in"}})
    assert inputs.batch_shape == (None, 3)


def test_tf_keras_training_config():
    from cornu.saving.compile_config import compile_from_config

    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(1)])
    compile_from_config(model, {
        "loss": "mse", "loss_weights": None, "weighted_metrics": None,
        "metrics": [[{"class_name": "MeanMetricWrapper",
                      "config": {"name": "mean_absolute_error", "dtype": "float32",
                                 "fn": "mean_absolute_error"}}]],
        "optimizer_config": {"class_name": "Custom>Adam", "config": {
            "name": "Adam", "jit_compile": False, "is_legacy_optimizer": False,
            "learning_rate": 0.005, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
            "amsgrad": False}}})
    assert isinstance(model.optimizer, cornu.optimizers.Adam)
    assert np.isclose(float(cornu.ops.convert_to_numpy(model.optimizer.learning_rate)), 0.005)
    logs = model.evaluate(np.ones((2, 3), "float32"), np.ones((2, 1), "float32"),
                          return_dict=True, verbose=0)
    assert "mean_absolute_error" in logs
