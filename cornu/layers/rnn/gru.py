"""``GRUCell`` and ``GRU``: gated recurrent unit, Keras's gate order z, r, h."""

from __future__ import annotations

from typing import Any, Callable

from cornu import activations, ops
from cornu.layers.rnn.cell import RecurrentCell
from cornu.layers.rnn.rnn import CellRNN, cell_property
from cornu.ops import rnn as rnn_ops


class GRUCell(RecurrentCell):
    """One GRU step. Weights: ``kernel`` ``(input_dim, 3 * units)``, ``recurrent_kernel``
    ``(units, 3 * units)`` (gates z, r, h) and ``bias``: ``(2, 3 * units)`` (input and
    recurrent biases) with ``reset_after=True``, ``(3 * units,)`` otherwise.

    ``reset_after=True`` (the default, cuDNN's variant) applies the reset gate after the
    recurrent matmul; ``False`` before it.

    Example:
        >>> RNN(GRUCell(4))(np.zeros((2, 5, 3))).shape
        (2, 4)
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self) -> Any:
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def _step_function(self, training: Any) -> Callable:
        units, reset_after = self.units, self.reset_after
        activation, recurrent_activation = self.activation, self.recurrent_activation
        recurrent_kernel = self.recurrent_kernel
        recurrent_bias = self.bias[1] if self.bias is not None and reset_after else None
        kernel_zr, kernel_h = recurrent_kernel[:, :2 * units], recurrent_kernel[:, 2 * units:]

        def step(x_t, states):
            h = states[0]
            x_z, x_r, x_h = ops.split(x_t, 3, axis=-1)
            rec_masks = self._recurrent_masks(h, training)
            h_z = h_r = h_h = h
            if rec_masks is not None:  # one mask per gate (Keras's implementation 1)
                h_z, h_r, h_h = h * rec_masks[0], h * rec_masks[1], h * rec_masks[2]
            if rec_masks is None and reset_after:
                inner = ops.matmul(h, recurrent_kernel)
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
                r_z, r_r, r_h = ops.split(inner, 3, axis=-1)
            elif rec_masks is None:
                r_z, r_r = ops.split(ops.matmul(h, kernel_zr), 2, axis=-1)
            else:
                r_z = ops.matmul(h_z, kernel_zr[:, :units])
                r_r = ops.matmul(h_r, kernel_zr[:, units:])
                r_h = ops.matmul(h_h, kernel_h) if reset_after else None
                if recurrent_bias is not None:
                    r_z = r_z + recurrent_bias[:units]
                    r_r = r_r + recurrent_bias[units:2 * units]
                    r_h = r_h + recurrent_bias[2 * units:]
            z = recurrent_activation(x_z + r_z)
            r = recurrent_activation(x_r + r_r)
            candidate = activation(x_h + (r * r_h if reset_after
                                          else ops.matmul(r * h_h, kernel_h)))
            h = z * h + (1 - z) * candidate
            return h, [h]

        return step

    def _can_fuse(self, training: Any) -> bool:
        # torch's GRU is the reset_after=True variant only.
        return (type(self)._step_function is GRUCell._step_function and self.reset_after
                and self.activation is activations.tanh
                and self.recurrent_activation is activations.sigmoid
                and self._fusable_dropout(training))

    def _run_fused(self, sequences, states, lengths, go_backwards, return_sequences,
                   zero_output_for_mask, training):
        return rnn_ops.gru(
            self._fused_inputs(sequences, training), states[0], self.kernel,
            self.recurrent_kernel, self.bias, lengths=lengths, go_backwards=go_backwards,
            return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask)

    def get_config(self) -> dict:
        return {**self._config_head(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias, **self._config_tail(),
                "reset_after": self.reset_after, "seed": self.seed}


class GRU(CellRNN):
    """Gated recurrent unit layer (Cho et al., 2014).

    With ``reset_after=True``, ``activation="tanh"``, ``recurrent_activation="sigmoid"``,
    no recurrent dropout while training, ``unroll=False`` and a mask that is absent or
    right-padded, it runs torch's fused GRU kernel (cuDNN on a GPU); otherwise the step
    loop. Arguments are ``GRUCell``'s plus ``RNN``'s.

    Example:
        >>> GRU(4, return_state=True)(np.zeros((2, 5, 3)))[1].shape
        (2, 4)
    """

    recurrent_activation = cell_property("recurrent_activation")
    reset_after = cell_property("reset_after")

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, use_cudnn: Any = "auto", **kwargs: Any) -> None:
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid value received for argument `use_cudnn` of GRU: "
                             f"expected 'auto', True or False. Received: use_cudnn={use_cudnn}")
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn
