"""``SimpleRNNCell`` and ``SimpleRNN``: ``h_t = activation(x_t @ W + h_{t-1} @ U + b)``."""

from __future__ import annotations

from typing import Any, Callable

from cornu import activations, ops
from cornu.layers.rnn.cell import RecurrentCell
from cornu.layers.rnn.rnn import CellRNN
from cornu.ops import rnn as rnn_ops

_FUSED_ACTIVATIONS = {activations.tanh: "tanh", activations.relu: "relu"}


class SimpleRNNCell(RecurrentCell):
    """One step of a fully connected RNN; weights ``kernel`` ``(input_dim, units)``,
    ``recurrent_kernel`` ``(units, units)``, ``bias`` ``(units,)``.

    Example:
        >>> RNN(SimpleRNNCell(4))(np.zeros((2, 5, 3))).shape
        (2, 4)
    """

    def _step_function(self, training: Any) -> Callable:
        recurrent_kernel, activation = self.recurrent_kernel, self.activation

        def step(x_t, states):
            h = states[0]
            rec_mask = self._recurrent_masks(h, training)
            if rec_mask is not None:
                h = h * rec_mask
            output = x_t + ops.matmul(h, recurrent_kernel)
            if activation is not None:
                output = activation(output)
            return output, [output]

        return step

    def _can_fuse(self, training: Any) -> bool:
        return (type(self)._step_function is SimpleRNNCell._step_function
                and _FUSED_ACTIVATIONS.get(self.activation) is not None
                and self._fusable_dropout(training))

    def _run_fused(self, sequences, states, lengths, go_backwards, return_sequences,
                   zero_output_for_mask, training):
        return rnn_ops.simple_rnn(
            self._fused_inputs(sequences, training), states[0], self.kernel,
            self.recurrent_kernel, self.bias, activation=_FUSED_ACTIVATIONS[self.activation],
            lengths=lengths, go_backwards=go_backwards, return_sequences=return_sequences,
            zero_output_for_mask=zero_output_for_mask)

    def get_config(self) -> dict:
        return {**self._config_head(), "use_bias": self.use_bias, **self._config_tail(),
                "seed": self.seed}


class SimpleRNN(CellRNN):
    """A fully connected RNN whose output is fed back as the next step's state.

    Runs torch's fused RNN kernel for ``tanh`` and ``relu`` activations, the step loop
    otherwise. Arguments are ``SimpleRNNCell``'s plus ``RNN``'s.

    Example:
        >>> SimpleRNN(4, return_sequences=True)(np.zeros((2, 5, 3))).shape
        (2, 5, 4)
    """

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False,
                 unroll: bool = False, seed: int | None = None, **kwargs: Any) -> None:
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
