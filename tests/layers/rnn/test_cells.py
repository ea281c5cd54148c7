"""SimpleRNN, LSTM and GRU (layers and cells) against a NumPy implementation of Keras's math."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from tests.helpers import check_layer
from tests.layers.rnn import reference

MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)


def _x(shape=(2, 5, 3), seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _randomize(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.5
                       for w in layer.get_weights()])
    return layer.get_weights()


def _relu(x):
    return np.maximum(x, 0)


CASES = [
    # (layer factory, numpy step factory taking the weights)
    (lambda **kw: layers.SimpleRNN(4, **kw),
     lambda w: lambda x, s: reference.simple_rnn_step(x, s, *w)),
    (lambda **kw: layers.SimpleRNN(4, activation="relu", use_bias=False, **kw),
     lambda w: lambda x, s: reference.simple_rnn_step(x, s, *w, None, activation=_relu)),
    (lambda **kw: layers.LSTM(4, **kw),
     lambda w: lambda x, s: reference.lstm_step(x, s, *w)),
    (lambda **kw: layers.LSTM(4, activation="relu", **kw),
     lambda w: lambda x, s: reference.lstm_step(x, s, *w, activation=_relu)),
    (lambda **kw: layers.GRU(4, **kw),
     lambda w: lambda x, s: reference.gru_step(x, s, *w)),
    (lambda **kw: layers.GRU(4, reset_after=False, **kw),
     lambda w: lambda x, s: reference.gru_step(x, s, *w, reset_after=False)),
    (lambda **kw: layers.GRU(4, recurrent_activation="hard_sigmoid", use_bias=False, **kw),
     lambda w: lambda x, s: reference.gru_step(
         x, s, *w, None, recurrent_activation=lambda v: np.clip(v / 6 + 0.5, 0, 1))),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_layers_match_numpy(case):
    make, numpy_step = CASES[case]
    x = _x()
    for kwargs in ({"return_sequences": True, "return_state": True},
                   {"go_backwards": True, "return_sequences": True},
                   {"return_state": True, "mask": True}):
        kwargs = dict(kwargs)
        masked = kwargs.pop("mask", False)
        layer = make(**kwargs)
        layer(x)
        weights = _randomize(layer)
        mask = MASK if masked else None
        got = layer(x, mask=mask)
        got = [ops.convert_to_numpy(g) for g in (got if isinstance(got, tuple) else (got,))]
        states = [np.zeros((2, 4), "float32") for _ in layer.state_size]
        last, seq, states = reference.run(numpy_step(weights), x, states, mask,
                                          kwargs.get("go_backwards", False))
        expected = [seq if kwargs.get("return_sequences") else last]
        if kwargs.get("return_state"):
            expected += states
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell_cls,kwargs,weight_shapes", [
    (layers.SimpleRNNCell, {}, [(3, 4), (4, 4), (4,)]),
    (layers.LSTMCell, {}, [(3, 16), (4, 16), (16,)]),
    (layers.GRUCell, {}, [(3, 12), (4, 12), (2, 12)]),
    (layers.GRUCell, {"reset_after": False}, [(3, 12), (4, 12), (12,)]),
])
def test_cells_weights_and_single_step(cell_cls, kwargs, weight_shapes):
    cell = cell_cls(4, **kwargs)
    x = _x((2, 3))
    states = cell.get_initial_state(batch_size=2)
    output, new_states = cell(x, states)
    assert [tuple(w.shape) for w in cell.get_weights()] == weight_shapes
    assert [w.name for w in cell.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert tuple(output.shape) == (2, 4)
    assert len(new_states) == len(states)
    # The RNN layer over a one-step sequence computes the same step.
    rnn = layers.RNN(cell, return_state=True)
    via_rnn = rnn(x[:, None, :])
    np.testing.assert_allclose(ops.convert_to_numpy(via_rnn[0]), ops.convert_to_numpy(output),
                               rtol=1e-6, atol=1e-6)


def test_cell_accepts_a_single_state_tensor():
    cell = layers.GRUCell(4)
    output, state = cell(_x((2, 3)), ops.zeros((2, 4)))
    assert not isinstance(state, list) and tuple(state.shape) == (2, 4)


def test_layer_weights_live_on_the_cell_in_keras_order():
    layer = layers.LSTM(4)
    layer(_x())
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert layer.weights[0] is layer.cell.kernel
    assert layer.cell.name == "lstm_cell"


def test_unit_forget_bias():
    layer = layers.LSTM(3)
    layer(_x())
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    layer = layers.LSTM(3, unit_forget_bias=False)
    layer(_x())
    np.testing.assert_array_equal(layer.cell.bias.numpy(), np.zeros(12))


@pytest.mark.parametrize("cls,kwargs", [
    (layers.SimpleRNN, {"units": 3, "return_sequences": True}),
    (layers.LSTM, {"units": 3, "go_backwards": True, "dropout": 0.1}),
    (layers.GRU, {"units": 3, "reset_after": False, "return_sequences": True}),
    (layers.GRU, {"units": 3, "recurrent_dropout": 0.2, "use_bias": False}),
])
def test_check_layer(cls, kwargs):
    check_layer(cls, kwargs, (4, 5, 2))


def test_config_matches_keras_keys():
    config = layers.LSTM(3).get_config()
    assert "cell" not in config
    for key in ("units", "activation", "recurrent_activation", "unit_forget_bias",
                "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                "zero_output_for_mask", "dropout", "recurrent_dropout", "seed",
                "activity_regularizer"):
        assert key in config
    assert layers.GRU(3).get_config()["reset_after"] is True
    cell_config = layers.LSTMCell(3).get_config()
    assert cell_config["recurrent_initializer"]["class_name"] == "Orthogonal"


def test_dropout_in_training_only():
    for layer in (layers.LSTM(4, dropout=0.5, seed=1),
                  layers.GRU(4, recurrent_dropout=0.5, seed=1),
                  layers.SimpleRNN(4, dropout=0.3, recurrent_dropout=0.3, seed=1)):
        x = _x()
        inference = ops.convert_to_numpy(layer(x))
        np.testing.assert_allclose(ops.convert_to_numpy(layer(x, training=False)), inference)
        assert not np.allclose(ops.convert_to_numpy(layer(x, training=True)), inference)
        # The masks are drawn per call, not kept between batches.
        assert getattr(layer.cell, "_dropout_mask", None) is None


def test_regularizers_add_losses():
    layer = layers.GRU(3, kernel_regularizer="l2", recurrent_regularizer="l1")
    layer(_x())
    assert len(layer.losses) == 2


def test_gradients_reach_every_weight_in_a_training_step():
    model = cornu.Sequential([cornu.Input((5, 3)), layers.GRU(4, reset_after=False),
                              layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    model.fit(_x((8, 5, 3)), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
