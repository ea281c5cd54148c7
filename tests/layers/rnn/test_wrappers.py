"""Bidirectional and TimeDistributed."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from tests.helpers import check_layer


def _x(shape=(2, 5, 3), seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _directions(wrapper, x, **kwargs):
    """The forward and backward outputs, computed with plain layers and the same weights."""
    forward = layers.LSTM(3, **kwargs)
    backward = layers.LSTM(3, go_backwards=True, **kwargs)
    forward(x)
    backward(x)
    weights = wrapper.get_weights()
    forward.set_weights(weights[:3])
    backward.set_weights(weights[3:])
    return forward, backward


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_merge_modes(merge_mode):
    x = _x()
    wrapper = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode=merge_mode)
    out = wrapper(x)
    forward, backward = _directions(wrapper, x, return_sequences=True)
    y = ops.convert_to_numpy(forward(x))
    y_rev = ops.convert_to_numpy(backward(x))[:, ::-1]
    expected = {"concat": np.concatenate([y, y_rev], -1), "sum": y + y_rev, "mul": y * y_rev,
                "ave": (y + y_rev) / 2, None: [y, y_rev]}[merge_mode]
    got = [ops.convert_to_numpy(o) for o in out] if merge_mode is None \
        else ops.convert_to_numpy(out)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert wrapper.forward_layer.name.startswith("forward_")
    assert wrapper.backward_layer.name.startswith("backward_")


def test_return_state_initial_state_and_backward_layer():
    x = _x()
    wrapper = layers.Bidirectional(layers.GRU(3, return_state=True),
                                   backward_layer=layers.GRU(2, return_state=True,
                                                             go_backwards=True))
    out, h_forward, h_backward = wrapper(x)
    assert tuple(out.shape) == (2, 5) and tuple(h_backward.shape) == (2, 2)
    states = [_x((2, 3), 1), _x((2, 2), 2)]
    out2 = wrapper(x, initial_state=states)
    forward = layers.GRU(3)
    forward(x)
    forward.set_weights(wrapper.get_weights()[:3])
    np.testing.assert_allclose(ops.convert_to_numpy(out2[0])[:, :3],
                               ops.convert_to_numpy(forward(x, initial_state=states[:1])),
                               rtol=1e-5, atol=1e-6)


def test_masked_sequences_output_zeros_at_padding():
    x = _x()
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    out = ops.convert_to_numpy(layers.Bidirectional(layers.LSTM(3, return_sequences=True))(
        x, mask=mask))
    np.testing.assert_array_equal(out[0, 3:], 0.0)
    assert np.abs(out[1]).min() > 0


def test_functional_shapes_config_and_training():
    inputs = cornu.Input((5, 3))
    out, *states = layers.Bidirectional(layers.LSTM(3, return_state=True))(inputs)
    assert tuple(out.shape) == (None, 6) and len(states) == 4
    check_layer(layers.Bidirectional, {"layer": layers.LSTM(3), "merge_mode": "sum"},
                (2, 5, 3), (2, 3))
    check_layer(layers.Bidirectional,
                {"layer": layers.SimpleRNN(2, return_sequences=True), "merge_mode": "concat"},
                (2, 5, 3), (2, 5, 4))


def test_bidirectional_errors():
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(
            2, go_backwards=True, return_sequences=True))
    with pytest.raises(ValueError, match="cornu layer"):
        layers.Bidirectional("lstm")


def test_time_distributed_dense_numbers_and_mask():
    x = _x((2, 4, 5))
    layer = layers.TimeDistributed(layers.Dense(3))
    out = layer(x)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(ops.convert_to_numpy(out), x @ kernel + bias, rtol=1e-5,
                               atol=1e-6)
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    masked = layer(x, mask=mask)
    np.testing.assert_array_equal(ops.convert_to_numpy(masked._keras_mask), mask)
    check_layer(layers.TimeDistributed, {"layer": layers.Dense(3)}, (2, 4, 5), (2, 4, 3))
    check_layer(layers.TimeDistributed, {"layer": layers.Flatten()}, (2, 3, 2, 2), (2, 3, 4))


def test_time_distributed_errors():
    with pytest.raises(ValueError, match="rank >= 3"):
        layers.TimeDistributed(layers.Dense(3))(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"mask of shape.*\(2, 4\).*\(2, 3\)"):
        layers.TimeDistributed(layers.Dense(3))(_x((2, 4, 5)), mask=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="cornu layer"):
        layers.TimeDistributed(np.zeros(3))
