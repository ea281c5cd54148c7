"""The generic RNN layer: user cells, stacked cells, states, masks, symbolic shapes, errors."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from cornu.core import tree
from tests.layers.rnn import reference


def _x(shape=(2, 5, 3), seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


class MinimalRNNCell(layers.Layer):
    """The user cell from Keras's RNN documentation."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        output = ops.matmul(inputs, self.kernel) + ops.matmul(prev_output,
                                                              self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_user_cell():
    layer = layers.RNN(MinimalRNNCell(4), return_sequences=True)
    x = _x()
    out = ops.convert_to_numpy(layer(x))
    k, rk = layer.get_weights()
    _, expected, _ = reference.run(
        lambda xt, s: reference.simple_rnn_step(xt, s, k, rk, None, activation=lambda v: v),
        x, [np.zeros((2, 4))])
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_user_cell_in_a_trained_functional_model():
    inputs = cornu.Input((5, 3))
    outputs = layers.Dense(1)(layers.RNN(MinimalRNNCell(4))(inputs))
    model = cornu.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(_x((16, 5, 3)), np.zeros((16, 1), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_subclassed_builtin_cell_with_its_own_call_uses_that_call():
    class DoubledLSTMCell(layers.LSTMCell):
        def call(self, inputs, states, training=False):
            h, new_states = super().call(inputs, states, training=training)
            return 2 * h, new_states

    plain, doubled = layers.RNN(layers.LSTMCell(3)), layers.RNN(DoubledLSTMCell(3))
    x = _x()
    plain(x)
    doubled(x)
    doubled.set_weights(plain.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(doubled(x)),
                               2 * ops.convert_to_numpy(plain(x)), rtol=1e-5, atol=1e-6)


def test_stacked_cells_match_two_layers_and_nest_states():
    cells = [layers.SimpleRNNCell(3), layers.LSTMCell(2)]
    stacked = layers.RNN(cells, return_state=True)
    x = _x()
    out = stacked(x)
    assert isinstance(stacked.cell, layers.StackedRNNCells)
    shapes = [tuple(o.shape) for o in tree.flatten(out)]
    assert shapes == [(2, 2), (2, 3), (2, 2), (2, 2)]
    first = layers.SimpleRNN(3, return_sequences=True)
    second = layers.LSTM(2)
    y = first(x)
    second(y)
    first.set_weights(stacked.get_weights()[:3])
    second.set_weights(stacked.get_weights()[3:])
    np.testing.assert_allclose(ops.convert_to_numpy(second(first(x))),
                               ops.convert_to_numpy(out[0]), rtol=1e-5, atol=1e-6)
    # Initial states are nested the same way.
    zeros = [np.zeros((2, 3), "float32"), [np.zeros((2, 2), "float32")] * 2]
    np.testing.assert_allclose(ops.convert_to_numpy(stacked(x, initial_state=zeros)[0]),
                               ops.convert_to_numpy(out[0]), rtol=1e-6)
    config = stacked.get_config()
    clone = layers.RNN.from_config(config)
    clone(x)
    clone.set_weights(stacked.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(clone(x)[0]), ops.convert_to_numpy(out[0]),
                               rtol=1e-6)


def test_initial_state():
    layer = layers.LSTM(4, return_state=True)
    x = _x()
    h0, c0 = _x((2, 4), 1), _x((2, 4), 2)
    out, h, c = layer(x, initial_state=[h0, c0])
    k, rk, b = layer.get_weights()
    last, _, (eh, ec) = reference.run(lambda xt, s: reference.lstm_step(xt, s, k, rk, b), x,
                                      [h0, c0])
    np.testing.assert_allclose(ops.convert_to_numpy(c), ec, rtol=1e-5, atol=1e-6)
    # A single-state layer takes the state bare or in a list.
    gru = layers.GRU(4)
    np.testing.assert_allclose(ops.convert_to_numpy(gru(x, initial_state=h0)),
                               ops.convert_to_numpy(gru(x, initial_state=[h0])))


def test_initial_state_as_symbolic_input():
    inputs, h0 = cornu.Input((5, 3)), cornu.Input((4,))
    outputs = layers.GRU(4)(inputs, initial_state=[h0])
    model = cornu.Model([inputs, h0], outputs)
    assert tuple(model.output.shape) == (None, 4)
    assert tuple(ops.shape(model([_x(), _x((2, 4))]))) == (2, 4)


def test_stateful_carries_states_and_resets():
    x = _x((2, 6, 3))
    whole = layers.GRU(4, return_sequences=True)
    stateful = layers.GRU(4, return_sequences=True, stateful=True)
    expected = ops.convert_to_numpy(whole(x))
    stateful(x[:, :3])
    stateful.set_weights(whole.get_weights())
    stateful.reset_states()
    first = ops.convert_to_numpy(stateful(x[:, :3]))
    second = ops.convert_to_numpy(stateful(x[:, 3:]))
    np.testing.assert_allclose(np.concatenate([first, second], 1), expected, rtol=1e-5,
                               atol=1e-6)
    stateful.reset_states()
    np.testing.assert_allclose(ops.convert_to_numpy(stateful(x[:, :3])), first, rtol=1e-6)
    assert len(stateful.weights) == 3  # the carried states are not weights


def test_stateful_lstm_trains_across_batches():
    model = cornu.Sequential([cornu.Input((4, 3), batch_size=2),
                              layers.LSTM(3, stateful=True), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(_x((6, 4, 3)), np.ones((6, 1), "float32"), batch_size=2, epochs=2, verbose=0,
              shuffle=False)
    assert np.abs(ops.convert_to_numpy(model.layers[0].states[0])).sum() > 0


@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_steps_repeat_or_zero_the_output(zero_output):
    layer = layers.SimpleRNN(3, return_sequences=True, zero_output_for_mask=zero_output)
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    out = ops.convert_to_numpy(layer(_x(), mask=mask))
    expected = np.zeros(3) if zero_output else out[0, 1]
    np.testing.assert_allclose(out[0, 2:], np.broadcast_to(expected, (3, 3)), atol=1e-7)


def test_masks_propagate_from_embedding_through_rnn():
    ids = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]])
    inputs = cornu.Input((5,), dtype="int32")
    embedded = layers.Embedding(10, 3, mask_zero=True)(inputs)
    sequence = layers.LSTM(4, return_sequences=True)(embedded)
    assert sequence._keras_mask is not None
    model = cornu.Model(inputs, layers.GRU(2)(sequence))
    out = ops.convert_to_numpy(model(ids))
    # The same as running the first row without its padding.
    trimmed = ops.convert_to_numpy(model(ids[:1, :3]))
    np.testing.assert_allclose(out[:1], trimmed, rtol=1e-5, atol=1e-6)


def test_symbolic_shapes():
    inputs = cornu.Input((None, 3))
    out, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert (tuple(out.shape), tuple(h.shape), tuple(c.shape)) == ((None, None, 4), (None, 4),
                                                                  (None, 4))
    assert tuple(layers.RNN(layers.GRUCell(2))(inputs).shape) == (None, 2)


def test_errors_name_layer_expected_and_received():
    x = _x()
    with pytest.raises(ValueError, match=r"'lstm.*rank 3.*\(2, 3\)"):
        layers.LSTM(4)(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"rank 3"):
        layers.GRU(4)(cornu.Input((3,)))
    with pytest.raises(ValueError, match=r"expects 2 initial state.*received 1"):
        layers.LSTM(4)(x, initial_state=[np.zeros((2, 4), "float32")])
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(2, 5\)"):
        layers.GRU(4)(x, initial_state=[np.zeros((2, 5), "float32")])
    with pytest.raises(ValueError, match=r"mask of shape.*\(2, 5\).*\(2, 4\)"):
        layers.SimpleRNN(4)(x, mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match=r"stateful=True.*fixed batch size.*batch_size="):
        layers.LSTM(4, stateful=True)(cornu.Input((5, 3)))
    stateful = layers.GRU(2, stateful=True)
    stateful(x)
    with pytest.raises(ValueError, match=r"batch size 2.*batch of 3"):
        stateful(_x((3, 5, 3)))

    class NoStateSize(layers.Layer):
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match=r"state_size"):
        layers.RNN(NoStateSize())
    with pytest.raises(ValueError, match=r"units"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match=r"merge_mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
