"""Functional models: multi-input/output (lists and dicts), shared layers, nesting."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops


def test_two_inputs_two_outputs_as_lists_train_and_predict(rng):
    a, b = cornu.Input((4,), name="a"), cornu.Input((3,), name="b")
    merged = ops.concatenate([layers.Dense(5, activation="relu")(a), b], axis=-1)
    out_reg = layers.Dense(1, name="reg")(merged)
    out_cls = layers.Dense(3, activation="softmax", name="cls")(merged)
    model = cornu.Model([a, b], [out_reg, out_cls])
    assert model.output_names == ["reg", "cls"]
    # Keras's order: by depth from the outputs, then by discovery.
    assert [layer.name for layer in model.layers] == ["a", "dense", "b", "reg", "cls"]

    xa, xb = rng.standard_normal((32, 4)), rng.standard_normal((32, 3))
    y_reg, y_cls = rng.standard_normal((32, 1)), rng.integers(0, 3, 32)
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[[], ["accuracy"]])
    history = model.fit([xa, xb], [y_reg, y_cls], epochs=2, batch_size=8, verbose=0)
    assert "cls_accuracy" in history.history
    reg, cls = model.predict([xa, xb], verbose=0)
    assert reg.shape == (32, 1) and cls.shape == (32, 3)
    np.testing.assert_allclose(cls.sum(axis=1), 1.0, rtol=1e-5)


def test_dict_inputs_and_outputs_by_name(rng):
    inputs = {"x": cornu.Input((2,), name="x"), "z": cornu.Input((2,), name="z")}
    total = layers.Dense(1, name="total")(inputs["x"] + inputs["z"])
    model = cornu.Model(inputs, {"total": total})
    model.compile(optimizer="sgd", loss={"total": "mse"})
    data = {"x": rng.standard_normal((8, 2)), "z": rng.standard_normal((8, 2))}
    model.fit(data, {"total": np.zeros((8, 1))}, verbose=0)
    out = model.predict(data, verbose=0)
    assert set(out) == {"total"} and out["total"].shape == (8, 1)
    with pytest.raises(ValueError, match="Missing data for model inputs"):
        model.predict({"x": data["x"]}, verbose=0)


def test_shared_layer_is_one_set_of_weights(rng):
    shared = layers.Dense(3)
    a, b = cornu.Input((4,)), cornu.Input((4,))
    model = cornu.Model([a, b], shared(a) + shared(b))
    assert len(model.weights) == 2
    x = rng.standard_normal((2, 4)).astype("float32")
    out = ops.convert_to_numpy(model([x, x]))
    np.testing.assert_allclose(out, 2 * ops.convert_to_numpy(shared(x)), rtol=1e-6)


def test_nested_models_compose(rng):
    inner_in = cornu.Input((4,))
    inner = cornu.Model(inner_in, layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    outer_in = cornu.Input((4,))
    outer = cornu.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    seq = cornu.Sequential([cornu.Input((4,)), inner, layers.Dense(1)])
    assert len(outer.weights) == 4 and len(seq.weights) == 4
    x = rng.standard_normal((3, 4)).astype("float32")
    assert tuple(outer(x).shape) == (3, 1) and tuple(seq(x).shape) == (3, 1)
    outer.compile(optimizer="adam", loss="mse")
    outer.fit(x, np.zeros((3, 1)), verbose=0)


def test_feature_extractor_from_intermediate_output(rng):
    model = cornu.Sequential([cornu.Input((4,)), layers.Dense(8, name="hidden"),
                              layers.Dense(1)])
    extractor = cornu.Model(model.inputs, model.get_layer("hidden").output)
    x = rng.standard_normal((2, 4)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(extractor(x)),
                               ops.convert_to_numpy(model.get_layer("hidden")(x)), rtol=1e-6)


def test_graph_errors():
    a = cornu.Input((2,))
    with pytest.raises(ValueError, match="unique"):
        cornu.Model(a, layers.Dense(1, name="d")(layers.Dense(2, name="d")(a)))
    with pytest.raises(ValueError, match="both"):
        cornu.Model(inputs=a)
    with pytest.raises(ValueError, match="expects 2 input"):
        b = cornu.Input((2,))
        cornu.Model([a, b], a + b)(np.zeros((1, 2), "float32"))
