"""``RNN``: runs any recurrent cell over the time axis (the base of SimpleRNN, LSTM, GRU).

A cell is a layer with ``call(inputs, states) -> (output, new_states)`` and a
``state_size``. The layer runs the cell step by step (the "step loop", written with
``cornu.ops``), or, for the built-in cells in a configuration the backend's fused kernel
computes exactly, runs that kernel in one call.

Built-in cells also tell the loop how to hoist work out of it: ``_project_inputs`` maps
the whole sequence through the input kernel in one matmul, and ``_step_function`` returns
the per-step recurrent update.
"""

from __future__ import annotations

from typing import Any, Callable

from cornu import backend, ops
from cornu.core import tree
from cornu.layers.layer import Layer
from cornu.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from cornu.layers.rnn.stacked_rnn_cells import StackedRNNCells
from cornu.ops import rnn as rnn_ops
from cornu.saving import serialization_lib


def _defines(cls: type, method: str) -> type | None:
    """The class in ``cls``'s MRO whose body defines ``method``."""
    return next((k for k in cls.__mro__ if method in k.__dict__), None)


def uses_builtin_steps(cell: Any) -> bool:
    """True when ``cell`` is a built-in cell whose ``call`` a subclass has not replaced.

    Only then may the RNN hoist the input projection or use a fused kernel: both compute
    what the built-in ``call`` computes, not what an override would.
    """
    owner = _defines(type(cell), "_step_function")
    return owner is not None and _defines(type(cell), "call") is _defines(owner, "call")


def step_loop(step: Callable, inputs: Any, initial_states: list, mask: Any = None,
              go_backwards: bool = False, return_sequences: bool = True,
              zero_output_for_mask: bool = False) -> tuple:
    """Runs ``step(x_t, states) -> (output, states)`` over axis 1 of ``inputs``.

    Where ``mask`` (``(batch, time)``) is False the step keeps the previous states and
    outputs the previous output (zeros with ``zero_output_for_mask``), as Keras does.
    Returns ``(last_output, outputs or None, final_states)``; outputs are in processing
    order (reversed with ``go_backwards``).
    """
    xs = ops.unstack(inputs, axis=1)
    masks = None if mask is None else ops.unstack(mask, axis=1)
    if go_backwards:
        xs = xs[::-1]
        masks = None if masks is None else masks[::-1]
    states = initial_states
    outputs, output = [], None
    for t, x_t in enumerate(xs):
        new_output, new_states = step(x_t, states)
        if masks is not None:
            keep = _expand_like(masks[t], new_output)
            previous = ops.zeros_like(new_output) if output is None or zero_output_for_mask \
                else output
            new_output = ops.where(keep, new_output, previous)
            flat_old, flat_new = tree.flatten(states), tree.flatten(new_states)
            new_states = tree.pack_sequence_as(new_states, [
                ops.where(_expand_like(masks[t], n), n, o) for o, n in zip(flat_old, flat_new)])
        output, states = new_output, new_states
        if return_sequences:
            outputs.append(output)
    return output, (ops.stack(outputs, axis=1) if return_sequences else None), states


def _expand_like(mask_t: Any, x: Any) -> Any:
    return ops.reshape(mask_t, (-1,) + (1,) * (len(x.shape) - 1))


class RNN(Layer):
    """Runs a recurrent ``cell`` over sequences ``(batch, timesteps, features)``.

    Args:
        cell: an RNN cell (``LSTMCell``, ``GRUCell``, a user cell with ``call(inputs,
            states)`` and ``state_size``), or a list of cells (stacked).
        return_sequences: return the output of every step, not just the last.
        return_state: also return the final states.
        go_backwards: process the sequence in reverse (outputs come in that order).
        stateful: carry the final states of a batch over as the initial states of the
            next (needs a fixed batch size; ``reset_states()`` zeroes them).
        unroll: run the step loop even where a fused kernel would apply.
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments: ``sequences``, ``initial_state`` (a list of state tensors), ``mask``
    (``(batch, timesteps)`` booleans), ``training``.

    Example:
        >>> layer = RNN(LSTMCell(8), return_sequences=True)
        >>> layer(np.zeros((4, 10, 3))).shape
        (4, 10, 8)
    """

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        super().__init__(**kwargs)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"{type(self).__name__} '{self.name}': argument `cell` must have "
                             f"a `call` method. Received: cell={cell!r}")
        state_size = getattr(cell, "state_size", None)
        if state_size is None or not isinstance(state_size, (int, list, tuple)):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the cell must have a `state_size` "
                "attribute: an integer, or a list of integers with one entry per state. "
                f"Received: cell={cell!r} with state_size={state_size!r}")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)
        self.states = None

    # --- shapes ----------------------------------------------------------------------------
    def _check_sequences_shape(self, shape: tuple) -> None:
        if len(shape) < 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects input of rank 3 (batch, "
                f"timesteps, features), received shape {tuple(shape)}. Add a time axis, e.g. "
                "reshape (batch, features) to (batch, 1, features).")

    def build(self, sequences_shape: tuple) -> None:
        self._check_sequences_shape(sequences_shape)
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}' has stateful=True, which needs a "
                    f"fixed batch size; received input shape {tuple(sequences_shape)} with "
                    "an unknown batch size. Pass `batch_size=` to `Input` (or "
                    "`batch_shape=`).")
            self.states = tree.map_structure(
                lambda s: backend.Variable(s, trainable=False, name="rnn_state"),
                self.get_initial_state(sequences_shape[0]))
        self.built = True

    def compute_output_shape(self, sequences_shape: tuple, initial_state_shape: Any = None) -> Any:
        self._check_sequences_shape(sequences_shape)
        batch = sequences_shape[0]
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = tree.flatten(self.state_size)[0]
        output_shape = (batch, sequences_shape[1], output_size) if self.return_sequences \
            else (batch, output_size)
        if not self.return_state:
            return output_shape
        states = [tuple(s) for s in self._state_shapes(sequences_shape)]
        return (output_shape, *tree.pack_sequence_as(self.state_size, states))

    def _state_shapes(self, sequences_shape: tuple) -> list:
        """The flat list of state shapes for inputs of ``sequences_shape``."""
        return [(sequences_shape[0], s) for s in tree.flatten(self.state_size)]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        mask = tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_size]
        return output_mask

    # --- states ----------------------------------------------------------------------------
    def get_initial_state(self, batch_size: int) -> list:
        """Zero states (or the cell's own ``get_initial_state``), one entry per state."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is None:
            dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
            return [ops.zeros((batch_size, d), dtype=dtype) for d in self.state_size]
        states = make(batch_size=batch_size)
        return list(states) if tree.is_nested(states) else [states]

    def reset_state(self) -> None:
        """Zeroes the carried states of a stateful layer."""
        if self.states is not None:
            for v in tree.flatten(self.states):
                v.assign(ops.zeros_like(v))

    reset_states = reset_state

    def _standardize_initial_state(self, initial_state: Any, sequences: Any) -> list:
        """Checks count and shapes of user-given states; returns them nested as state_size."""
        given = initial_state if tree.is_nested(initial_state) else [initial_state]
        flat = [ops.convert_to_tensor(s) for s in tree.flatten(given)]
        expected = self._state_shapes(tuple(ops.shape(sequences)))
        if len(flat) != len(expected) or any(tuple(ops.shape(s)) != tuple(e)
                                             for s, e in zip(flat, expected)):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects {len(expected)} initial state "
                f"tensor(s) of shapes {[tuple(e) for e in expected]}; received {len(flat)} "
                f"of shapes {[tuple(ops.shape(s)) for s in flat]}. Pass `initial_state` as a "
                "list with one (batch, size) tensor per state.")
        flat = [ops.cast(s, self.compute_dtype) for s in flat]
        return list(tree.pack_sequence_as(self.state_size, flat))

    # --- call ------------------------------------------------------------------------------
    def call(self, sequences: Any, initial_state: Any = None, mask: Any = None,
             training: bool = False) -> Any:
        shape = tuple(ops.shape(sequences))
        self._check_sequences_shape(shape)
        if mask is not None:
            mask = tree.flatten(mask)[0]
            if tuple(ops.shape(mask)) != shape[:2]:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}' expects a mask of shape (batch, "
                    f"timesteps) = {shape[:2]}; received a mask of shape "
                    f"{tuple(ops.shape(mask))}.")
        if initial_state is not None:
            states = self._standardize_initial_state(initial_state, sequences)
        elif self.stateful:
            if tuple(ops.shape(tree.flatten(self.states)[0]))[0] != shape[0]:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}' is stateful with batch size "
                    f"{tuple(ops.shape(tree.flatten(self.states)[0]))[0]}; received a batch "
                    f"of {shape[0]}. Keep the batch size fixed (drop the last partial batch) "
                    "or call reset_states() after rebuilding.")
            # Copies: the variables are overwritten after this call, and autograd must still
            # see the values this call used.
            states = tree.map_structure(ops.copy, self.states)
        else:
            states = self.get_initial_state(shape[0])
        try:
            last, outputs, states = self.inner_loop(sequences, states, mask, training)
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            for variable, value in zip(tree.flatten(self.states), tree.flatten(states)):
                variable.assign(value)
        output = outputs if self.return_sequences else last
        if self.return_state:
            return (output, *states)
        return output

    def inner_loop(self, sequences: Any, initial_state: list, mask: Any, training: Any) -> tuple:
        """Runs the cell over the sequence: the fused kernel when it applies, else the loop."""
        cell = self.cell
        builtin = uses_builtin_steps(cell)
        use_cudnn = getattr(self, "use_cudnn", "auto")
        if builtin and use_cudnn is not False and not self.unroll and cell._can_fuse(training):
            lengths = None if mask is None else rnn_ops.mask_lengths(mask)
            if mask is None or lengths is not None:
                return cell._run_fused(sequences, initial_state, lengths, self.go_backwards,
                                       self.return_sequences, self.zero_output_for_mask,
                                       training)
        if use_cudnn is True:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': use_cudnn=True was specified, but the "
                "fused kernel cannot compute this configuration (it needs tanh/sigmoid "
                "activations, reset_after=True for GRU, no recurrent dropout in training, "
                "unroll=False and a right-padded mask). Pass use_cudnn='auto' to fall back "
                "to the step loop.")
        if builtin:
            inputs = cell._project_inputs(sequences, training, sequence=True)
            step_fn = cell._step_function(training)

            def step(x_t, states):
                return step_fn(x_t, list(states))
        else:
            inputs = sequences
            step = _generic_step(cell)
        return step_loop(step, inputs, initial_state, mask, self.go_backwards,
                         self.return_sequences, self.zero_output_for_mask)

    # --- config ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialization_lib.serialize_keras_object(self.cell)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "RNN":
        config = dict(config)
        cell = serialization_lib.deserialize_keras_object(
            config.pop("cell"), custom_objects=custom_objects, kind="RNN cell")
        return cls(cell, **config)


def _generic_step(cell: Any) -> Callable:
    """The step of a user cell, called as Keras does (states always passed as a list).

    A layer cell is called through ``Layer.__call__``, which hands it the RNN's
    ``training`` flag.
    """
    call = cell if isinstance(cell, Layer) else cell.call

    def step(x_t, states):
        output, new_states = call(x_t, list(states))
        return output, (list(new_states) if tree.is_nested(new_states) else [new_states])

    return step


def _reset_dropout_masks(cell: Any) -> None:
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for inner in getattr(cell, "cells", ()):
        _reset_dropout_masks(inner)


def cell_property(name: str) -> property:
    """A read-only layer attribute that reads the cell's (``LSTM(...).units`` ...)."""
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``.")


class CellRNN(RNN):
    """Base of the RNN layers that own one built-in cell (``SimpleRNN``, ``LSTM``, ``GRU``).

    Their config is the RNN's (without ``cell``) plus the cell's arguments, as in Keras.
    """

    units = cell_property("units")
    activation = cell_property("activation")
    use_bias = cell_property("use_bias")
    kernel_initializer = cell_property("kernel_initializer")
    recurrent_initializer = cell_property("recurrent_initializer")
    bias_initializer = cell_property("bias_initializer")
    kernel_regularizer = cell_property("kernel_regularizer")
    recurrent_regularizer = cell_property("recurrent_regularizer")
    bias_regularizer = cell_property("bias_regularizer")
    kernel_constraint = cell_property("kernel_constraint")
    recurrent_constraint = cell_property("recurrent_constraint")
    bias_constraint = cell_property("bias_constraint")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        activity = self.activity_regularizer
        return {**config, **cell_config, "activity_regularizer": None if activity is None
                else serialization_lib.serialize_keras_object(activity)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "CellRNN":
        return cls(**config)
