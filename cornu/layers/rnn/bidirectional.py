"""``Bidirectional``: runs a recurrent layer forwards and a copy backwards, then merges."""

from __future__ import annotations

import copy
from typing import Any

from cornu import ops
from cornu.layers.layer import Layer
from cornu.saving import serialization_lib

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy_layer(layer: Layer, **overrides: Any) -> Layer:
    """A fresh layer with ``layer``'s config (and ``overrides``), as Keras builds the copies."""
    config = serialization_lib.serialize_keras_object(layer)
    config["config"].update(overrides)
    return serialization_lib.deserialize_keras_object(config, kind="layer")


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    The forward layer is a copy of ``layer`` named ``forward_<name>``; the backward one is
    ``backward_layer`` or a copy with ``go_backwards=True``. Their outputs (the backward
    one flipped back into time order) are merged by ``merge_mode``: ``"concat"``,
    ``"sum"``, ``"mul"``, ``"ave"``, or ``None`` (a list of both). Weights: forward, then
    backward. ``initial_state`` is a list: the forward states, then the backward ones.

    Example:
        >>> Bidirectional(LSTM(8, return_sequences=True))(np.zeros((2, 5, 3))).shape
        (2, 5, 16)
    """

    def __init__(self, layer: Layer, merge_mode: str | None = "concat", weights: Any = None,
                 backward_layer: Layer | None = None, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("Bidirectional: `layer` must be a cornu layer (an RNN such as "
                             f"LSTM or GRU). Received: layer={layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("Bidirectional: `backward_layer` must be a cornu layer. "
                             f"Received: backward_layer={backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid `merge_mode`; expected one of "
                             f"{list(_MERGE_MODES)}. Received: merge_mode={merge_mode!r}")
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, name=f"forward_{_strip(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _copy_layer(
                layer, go_backwards=True, name=f"backward_{_strip(layer.name, 'backward_')}")
        self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
            self.backward_layer.use_cudnn = layer.use_cudnn
        self._verify_layers()
        for sub in (self.forward_layer, self.backward_layer):
            # Merged outputs must not mix one direction's repeated last output with the
            # other's valid step: masked steps output zeros when sequences are returned.
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _verify_layers(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                f"Bidirectional '{self.name}': the forward and backward layers must have "
                f"different `go_backwards` values. Received: forward_layer.go_backwards="
                f"{forward.go_backwards}, backward_layer.go_backwards={backward.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attr) != getattr(backward, attr):
                raise ValueError(
                    f"Bidirectional '{self.name}': the forward and backward layers must have "
                    f"the same `{attr}`. Received: {getattr(forward, attr)} (forward) and "
                    f"{getattr(backward, attr)} (backward)")

    def build(self, sequences_shape: tuple) -> None:
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(sequences_shape)
                sub.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_output_shape(self, sequences_shape: tuple, initial_state_shape: Any = None) -> Any:
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes: tuple = ()
        if self.return_state:
            output_shape, state_shapes = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = (*tuple(output_shape)[:-1], output_shape[-1] * 2)
        outputs = (output_shape, output_shape) if self.merge_mode is None else (output_shape,)
        if self.return_state:
            return outputs + state_shapes + state_shapes
        return list(outputs) if self.merge_mode is None else output_shape

    def call(self, sequences: Any, initial_state: Any = None, mask: Any = None,
             training: Any = None) -> Any:
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                    training=training)
        states: tuple = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            output: Any = ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (*output, *states) if self.merge_mode is None else (output, *states)
        return output

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        mask = previous_mask[0] if isinstance(previous_mask, list) else previous_mask
        if self.return_sequences:
            output_mask: Any = [mask, mask] if self.merge_mode is None else mask
        else:
            output_mask = [None, None] if self.merge_mode is None else None
        if self.return_state:
            n_states = len(self.forward_layer.state_size) * 2
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + [None] * n_states
        return output_mask

    @property
    def states(self) -> tuple | None:
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states) + tuple(self.backward_layer.states)
        return None

    def reset_state(self) -> None:
        if not self.stateful:
            raise AttributeError(f"Bidirectional '{self.name}' is not stateful; there are no "
                                 "states to reset.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialization_lib.serialize_keras_object(self.forward_layer),
                "backward_layer": serialization_lib.serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Bidirectional":
        config = copy.deepcopy(config)
        config["layer"] = serialization_lib.deserialize_keras_object(
            config["layer"], custom_objects=custom_objects, kind="layer")
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = serialization_lib.deserialize_keras_object(
                backward, custom_objects=custom_objects, kind="layer")
        return cls(**config)
