"""``LSTMCell`` and ``LSTM``: long short-term memory, Keras's gate order i, f, c, o."""

from __future__ import annotations

from typing import Any, Callable

from cornu import activations, initializers, ops
from cornu.layers.rnn.cell import RecurrentCell
from cornu.layers.rnn.rnn import CellRNN, cell_property
from cornu.ops import rnn as rnn_ops


class LSTMCell(RecurrentCell):
    """One LSTM step. Weights: ``kernel`` ``(input_dim, 4 * units)``, ``recurrent_kernel``
    ``(units, 4 * units)``, ``bias`` ``(4 * units,)``, gates in the order i, f, c, o.

    ``unit_forget_bias=True`` starts the forget-gate bias at 1. States are ``[h, c]``.

    Example:
        >>> RNN(LSTMCell(4))(np.zeros((2, 5, 3))).shape
        (2, 4)
    """

    gates = 4

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def _bias_initializer(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def init(shape, dtype=None):
            return ops.concatenate([base((units,), dtype=dtype),
                                    initializers.get("ones")((units,), dtype=dtype),
                                    base((2 * units,), dtype=dtype)])

        return init

    def _step_function(self, training: Any) -> Callable:
        recurrent_kernel = self.recurrent_kernel
        activation, recurrent_activation = self.activation, self.recurrent_activation

        def step(x_t, states):
            h, c = states[0], states[1]
            rec_masks = self._recurrent_masks(h, training)
            if rec_masks is None:
                z = x_t + ops.matmul(h, recurrent_kernel)
            else:  # one mask per gate (Keras's implementation 1)
                z = x_t + ops.concatenate(
                    [ops.matmul(h * m, k) for m, k in
                     zip(rec_masks, ops.split(recurrent_kernel, 4, axis=1))], axis=-1)
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
            c = recurrent_activation(z_f) * c + recurrent_activation(z_i) * activation(z_c)
            h = recurrent_activation(z_o) * activation(c)
            return h, [h, c]

        return step

    def _can_fuse(self, training: Any) -> bool:
        return (type(self)._step_function is LSTMCell._step_function
                and self.activation is activations.tanh
                and self.recurrent_activation is activations.sigmoid
                and self._fusable_dropout(training))

    def _run_fused(self, sequences, states, lengths, go_backwards, return_sequences,
                   zero_output_for_mask, training):
        return rnn_ops.lstm(
            self._fused_inputs(sequences, training), states[0], states[1], self.kernel,
            self.recurrent_kernel, self.bias, lengths=lengths, go_backwards=go_backwards,
            return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask)

    def get_config(self) -> dict:
        return {**self._config_head(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias, "unit_forget_bias": self.unit_forget_bias,
                **self._config_tail(), "seed": self.seed}


class LSTM(CellRNN):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997).

    With ``activation="tanh"``, ``recurrent_activation="sigmoid"``, no recurrent dropout
    while training, ``unroll=False`` and a mask that is absent or right-padded, it runs
    torch's fused LSTM kernel (cuDNN on a GPU); otherwise the step loop. Both give the same
    numbers. Arguments are ``LSTMCell``'s plus ``RNN``'s.

    Example:
        >>> model = cornu.Sequential([cornu.Input((10, 1)), LSTM(50, activation="relu"),
        ...                           cornu.layers.Dense(1)])
    """

    recurrent_activation = cell_property("recurrent_activation")
    unit_forget_bias = cell_property("unit_forget_bias")

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 use_cudnn: Any = "auto", **kwargs: Any) -> None:
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid value received for argument `use_cudnn` of LSTM: "
                             f"expected 'auto', True or False. Received: use_cudnn={use_cudnn}")
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell",
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn
