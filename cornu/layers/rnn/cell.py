"""The shared base of the built-in cells (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``).

A built-in cell splits one step into two parts so the ``RNN`` layer can hoist the first
out of its time loop:

* ``_project_inputs(inputs)``: ``inputs @ kernel + bias`` (after input dropout), for one
  step or, in a single matmul, for a whole sequence;
* ``_step_function(training)``: a function ``(projected_x_t, states) -> (output, states)``
  holding the recurrent update.

It also says whether the backend's fused kernel computes it exactly (``_can_fuse``) and
runs that kernel (``_run_fused``).
"""

from __future__ import annotations

from typing import Any, Callable

from cornu import activations, constraints, initializers, ops, random, regularizers
from cornu.layers.core import _maybe_serialize, check_positive_int
from cornu.layers.layer import Layer
from cornu.layers.rnn.dropout_rnn_cell import DropoutRNNCell


def _rate(layer: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{layer}: `{name}` must be a float between 0 and 1. "
                         f"Received: {name}={value!r}")
    return min(1.0, max(0.0, float(value)))


class RecurrentCell(Layer, DropoutRNNCell):
    """Weights, dropout and config common to the built-in cells.

    Subclasses set ``gates`` (the number of ``units``-wide blocks in the kernels) and
    define ``_step_function``, ``_can_fuse`` and ``_run_fused``.
    """

    gates = 1

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        self.implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.units = check_positive_int(cls, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _rate(cls, "dropout", dropout)
        self.recurrent_dropout = _rate(cls, "recurrent_dropout", recurrent_dropout)
        if self.recurrent_dropout != 0.0:
            self.implementation = 1
        if self.implementation == 1 and self.gates > 1:
            # Keras draws one mask per gate in this mode.
            self.dropout_mask_count = self.gates
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.state_size: Any = self.units
        self.output_size = self.units

    # --- weights ---------------------------------------------------------------------------
    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: tuple) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the feature dimension of "
                             f"the inputs must be known. Received input_shape={input_shape}")
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width), initializer=self.kernel_initializer, name="kernel",
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), initializer=self.recurrent_initializer,
            name="recurrent_kernel", regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = self.add_weight(
            shape=self._bias_shape(), initializer=self._bias_initializer(), name="bias",
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None
        self.built = True

    def get_initial_state(self, batch_size: int | None = None) -> list:
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) \
            else [self.state_size]
        return [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in sizes]

    # --- one step, split in two ------------------------------------------------------------
    def _input_bias(self) -> Any:
        return self.bias

    def _project_inputs(self, inputs: Any, training: Any = False, sequence: bool = False) -> Any:
        """``dropout(inputs) @ kernel + input bias`` for a step or (``sequence``) a sequence."""
        bias = self._input_bias()
        masks = None
        if training and 0.0 < self.dropout < 1.0:
            masks = self.get_dropout_mask(inputs[:, 0] if sequence else inputs)
            if sequence:  # one mask per sequence, shared by every step
                masks = ops.expand_dims(masks, 1) if not isinstance(masks, list) \
                    else [ops.expand_dims(m, 1) for m in masks]
        if not isinstance(masks, list):
            x = inputs if masks is None else inputs * masks
            return ops.dense(x, self.kernel, bias)
        kernels = ops.split(self.kernel, self.gates, axis=1)
        biases = [None] * self.gates if bias is None else ops.split(bias, self.gates, axis=0)
        return ops.concatenate([ops.dense(inputs * m, k, b)
                                for m, k, b in zip(masks, kernels, biases)], axis=-1)

    def _recurrent_masks(self, state: Any, training: Any) -> Any:
        """The recurrent dropout mask(s) for this batch, or None."""
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return self.get_recurrent_dropout_mask(state)
        return None

    def _step_function(self, training: Any) -> Callable:
        raise NotImplementedError

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple:
        was_list = isinstance(states, (list, tuple))
        states = list(states) if was_list else [states]
        step = self._step_function(training)
        output, new_states = step(self._project_inputs(inputs, training), states)
        if not was_list and len(new_states) == 1:
            return output, new_states[0]
        return output, new_states

    # --- the fused kernel ------------------------------------------------------------------
    def _fusable_dropout(self, training: Any) -> bool:
        """Recurrent dropout changes every step; the fused kernels have no place for it."""
        return not (training and 0.0 < self.recurrent_dropout < 1.0)

    def _fused_inputs(self, sequences: Any, training: Any) -> Any:
        """The sequence with input dropout applied (one mask per sequence, as Keras)."""
        if training and 0.0 < self.dropout < 1.0:
            mask = self.get_dropout_mask(sequences[:, 0])
            return sequences * ops.expand_dims(mask, 1)
        return sequences

    # --- config ----------------------------------------------------------------------------
    def _config_head(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation)}

    def _config_tail(self) -> dict:
        return {
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _maybe_serialize(self.kernel_regularizer),
            "recurrent_regularizer": _maybe_serialize(self.recurrent_regularizer),
            "bias_regularizer": _maybe_serialize(self.bias_regularizer),
            "kernel_constraint": _maybe_serialize(self.kernel_constraint),
            "recurrent_constraint": _maybe_serialize(self.recurrent_constraint),
            "bias_constraint": _maybe_serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }
