"""NumPy reference implementations of Keras's recurrent cells, for the tests."""

from __future__ import annotations

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def simple_rnn_step(x, states, kernel, recurrent_kernel, bias, activation=np.tanh):
    h = x @ kernel + states[0] @ recurrent_kernel
    if bias is not None:
        h = h + bias
    h = activation(h)
    return h, [h]


def lstm_step(x, states, kernel, recurrent_kernel, bias, activation=np.tanh,
              recurrent_activation=sigmoid):
    h, c = states
    z = x @ kernel + h @ recurrent_kernel
    if bias is not None:
        z = z + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c = recurrent_activation(f) * c + recurrent_activation(i) * activation(g)
    h = recurrent_activation(o) * activation(c)
    return h, [h, c]


def gru_step(x, states, kernel, recurrent_kernel, bias, reset_after=True, activation=np.tanh,
             recurrent_activation=sigmoid):
    h = states[0]
    units = h.shape[-1]
    input_bias = recurrent_bias = None
    if bias is not None:
        input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, None)
    mx = x @ kernel + (0 if input_bias is None else input_bias)
    x_z, x_r, x_h = np.split(mx, 3, axis=-1)
    rk_z, rk_r, rk_h = np.split(recurrent_kernel, 3, axis=-1)
    rb = np.zeros(3 * units) if recurrent_bias is None else recurrent_bias
    z = recurrent_activation(x_z + h @ rk_z + rb[:units])
    r = recurrent_activation(x_r + h @ rk_r + rb[units:2 * units])
    if reset_after:
        candidate = activation(x_h + r * (h @ rk_h + rb[2 * units:]))
    else:
        candidate = activation(x_h + (r * h) @ rk_h)
    h = z * h + (1 - z) * candidate
    return h, [h]


def run(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """Keras's RNN loop semantics; returns (last_output, outputs, states)."""
    steps = range(x.shape[1])
    if go_backwards:
        steps = reversed(steps)
    output, outputs = None, []
    for t in steps:
        new_output, new_states = step(x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            previous = np.zeros_like(new_output) if output is None or zero_output_for_mask \
                else output
            new_output = np.where(keep, new_output, previous)
            new_states = [np.where(keep, n, o) for n, o in zip(new_states, states)]
        output, states = new_output, new_states
        outputs.append(output)
    return output, np.stack(outputs, axis=1), states
