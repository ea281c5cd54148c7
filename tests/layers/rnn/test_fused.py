"""The fused-kernel path and the step loop compute the same numbers and gradients.

``unroll=True`` forces the step loop, so each case builds the same layer twice (shared
weights) and compares outputs, final states, and the gradients of a scalar function of
them with respect to every weight, the inputs and the initial states.
"""

import itertools

import numpy as np
import pytest
import torch

from cornu import layers, ops

LAYERS = {
    "simple_rnn_tanh": lambda **kw: layers.SimpleRNN(5, **kw),
    "simple_rnn_relu": lambda **kw: layers.SimpleRNN(5, activation="relu", **kw),
    "lstm": lambda **kw: layers.LSTM(5, **kw),
    "lstm_no_bias": lambda **kw: layers.LSTM(5, use_bias=False, **kw),
    "gru": lambda **kw: layers.GRU(5, **kw),
    "gru_no_bias": lambda **kw: layers.GRU(5, use_bias=False, **kw),
}
MASK = np.array([[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0, 0]], bool)


def _run(layer, x, mask, initial_state):
    outputs = layer(x, mask=mask, initial_state=initial_state)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    weights = layer.trainable_weights
    # A weighted sum, so each output element gets its own gradient.
    loss = sum((o * torch.linspace(0.5, 1.5, o.numel()).reshape(o.shape)).sum()
               for o in outputs)
    grads = torch.autograd.grad(loss, [*weights, x, *initial_state], allow_unused=True)
    return [o.detach().numpy() for o in outputs], [g.numpy() for g in grads]


def _compare(name, masked, go_backwards, return_state, return_sequences):
    kwargs = dict(go_backwards=go_backwards, return_state=return_state,
                  return_sequences=return_sequences)
    fused, loop = LAYERS[name](**kwargs), LAYERS[name](unroll=True, **kwargs)
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((3, 7, 4)).astype("float32")
    fused(x_np)
    loop(x_np)
    weights = [rng.standard_normal(w.shape).astype("float32") * 0.5
               for w in fused.get_weights()]
    fused.set_weights(weights)
    loop.set_weights(weights)
    assert fused.cell._can_fuse(training=False)
    states_np = [rng.standard_normal((3, 5)).astype("float32") * 0.1
                 for _ in fused.state_size]
    results = []
    for layer in (fused, loop):
        x = torch.tensor(x_np, requires_grad=True)
        states = [torch.tensor(s, requires_grad=True) for s in states_np]
        mask = ops.convert_to_tensor(MASK) if masked else None
        results.append(_run(layer, x, mask, states))
    (out_f, grad_f), (out_l, grad_l) = results
    for a, b in zip(out_f, out_l):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(grad_f, grad_l):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_fused_matches_step_loop(name):
    # Every combination of mask / go_backwards / return_state / return_sequences.
    for flags in itertools.product([False, True], repeat=4):
        try:
            _compare(name, *flags)
        except AssertionError as error:
            raise AssertionError(f"{name} masked, go_backwards, return_state, "
                                 f"return_sequences = {flags}") from error


def test_fused_path_is_taken(monkeypatch):
    """The fast path really runs the fused op (and the loop does not)."""
    from cornu.ops import rnn as rnn_ops

    calls = []
    original = rnn_ops.lstm
    monkeypatch.setattr(rnn_ops, "lstm", lambda *a, **k: calls.append(1) or original(*a, **k))
    x = np.zeros((2, 4, 3), "float32")
    layers.LSTM(3)(x)
    assert calls == [1]
    layers.LSTM(3, unroll=True)(x)
    layers.LSTM(3, activation="relu")(x)
    layers.LSTM(3, use_cudnn=False)(x)
    layers.LSTM(3)(x, mask=np.array([[1, 0, 1, 1], [1, 1, 1, 1]], bool))  # not right-padded
    assert calls == [1]


def test_mask_not_right_padded_uses_step_loop_and_matches_keras_semantics():
    from tests.layers.rnn import reference

    layer = layers.GRU(3, return_sequences=True)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 2)).astype("float32")
    mask = np.array([[1, 0, 1, 1, 0], [0, 0, 0, 0, 0]], bool)  # a hole, and an empty row
    out = ops.convert_to_numpy(layer(x, mask=mask))
    k, rk, b = layer.get_weights()
    _, expected, _ = reference.run(
        lambda xt, s: reference.gru_step(xt, s, k, rk, b), x, [np.zeros((2, 3))], mask)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_use_cudnn_true_refuses_unfusable_configuration():
    layer = layers.GRU(3, reset_after=False, use_cudnn=True)
    with pytest.raises(ValueError, match="use_cudnn=True"):
        layer(np.zeros((2, 4, 3), "float32"))


def test_input_dropout_in_training_stays_fused_and_matches_loop():
    """Input dropout uses one mask per sequence, which the fused path applies up front."""
    fused, loop = layers.LSTM(4, dropout=0.5, seed=3), layers.LSTM(4, dropout=0.5, seed=3,
                                                                   unroll=True)
    x = np.random.default_rng(0).standard_normal((2, 6, 3)).astype("float32")
    fused(x)
    loop(x)
    loop.set_weights(fused.get_weights())
    assert fused.cell._can_fuse(training=True)
    a = ops.convert_to_numpy(fused(x, training=True))
    b = ops.convert_to_numpy(loop(x, training=True))
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(a, ops.convert_to_numpy(fused(x, training=False)))
