"""Sequential models and model.summary()."""

import pytest

import cornu
from cornu import layers


def test_constructor_add_pop_and_deferred_build(rng):
    model = cornu.Sequential()
    model.add(layers.Dense(4, activation="relu"))
    model.add(layers.Dense(2))
    assert not model.built
    model(rng.standard_normal((3, 5)).astype("float32"))
    assert model.built and len(model.weights) == 4
    popped = model.pop()
    assert popped.units == 2 and len(model.layers) == 1


def test_input_shape_argument_on_first_layer_builds_the_model():
    model = cornu.Sequential([layers.Dense(3, input_shape=(7,)), layers.Dense(1)])
    assert model.built and model.input_shape == (None, 7)
    assert model.layers[0].get_weights()[0].shape == (7, 3)


def test_sequential_rejects_non_layers_and_duplicate_names():
    with pytest.raises(ValueError, match="Only instances of `cornu.layers.Layer`"):
        cornu.Sequential([lambda x: x])
    with pytest.raises(ValueError, match="unique names"):
        cornu.Sequential([layers.Dense(1, name="d"), layers.Dense(1, name="d")])


def test_summary_prints_keras_table(capsys):
    model = cornu.Sequential([cornu.Input((784,)), layers.Dense(64, activation="relu"),
                              layers.Dense(10)], name="mlp")
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "mlp"' in out
    assert "dense (Dense)" in out and "(None, 64)" in out and "50,240" in out
    assert "Total params: 50,890 (198.79 KB)" in out
    assert "Trainable params: 50,890" in out and "Non-trainable params: 0 (0.00 B)" in out
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "mlp"'


def test_summary_of_unbuilt_model_explains_how_to_build():
    with pytest.raises(ValueError, match="has not yet been built.*Input"):
        cornu.Sequential([layers.Dense(2)]).summary()


def test_functional_summary_shows_connections(capsys):
    a, b = cornu.Input((2,), name="a"), cornu.Input((2,), name="b")
    out = layers.Dense(1, name="head")(a + b)
    cornu.Model([a, b], out).summary()
    text = capsys.readouterr().out
    assert "Connected to" in text and "head (Dense)" in text
    assert "add (Add)" in text and "a[0][0], b[0][0]" in text
