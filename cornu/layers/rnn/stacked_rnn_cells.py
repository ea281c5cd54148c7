"""``StackedRNNCells``: several cells run as one, each feeding the next at every step."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.core import tree
from cornu.layers.layer import Layer
from cornu.saving import serialization_lib


class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so an ``RNN`` runs them as one deep cell.

    The states are nested: one entry per cell, in order.

    Example:
        >>> cells = StackedRNNCells([LSTMCell(8), GRUCell(4)])
        >>> RNN(cells)(np.zeros((2, 5, 3))).shape
        (2, 4)
    """

    def __init__(self, cells: list, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cells = list(cells)
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or \
                    getattr(cell, "state_size", None) is None:
                raise ValueError(
                    f"StackedRNNCells '{self.name}': every cell must have a `call` method and "
                    f"a `state_size` attribute. Received: cell={cell!r}")
        self.cells = cells

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        return tree.flatten(last.state_size)[0]

    def get_initial_state(self, batch_size: int | None = None) -> list:
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                states.append(make(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.compute_dtype))
            else:
                states.append([ops.zeros((batch_size, d), dtype=self.compute_dtype)
                               for d in cell.state_size])
        return states

    def build(self, input_shape: tuple) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            output_dim = getattr(cell, "output_size", None)
            if output_dim is None:
                output_dim = tree.flatten(cell.state_size)[0]
            input_shape = (tuple(input_shape)[0], output_dim)
        self.built = True

    def call(self, inputs: Any, states: list, training: bool = False) -> tuple:
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            if isinstance(cell, Layer):
                inputs, cell_states = cell(inputs, cell_states, training=training)
            else:
                inputs, cell_states = cell.call(inputs, cell_states)
            if tree.is_nested(cell_states) and len(cell_states) == 1 and not was_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def get_config(self) -> dict:
        return {**super().get_config(),
                "cells": [serialization_lib.serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "StackedRNNCells":
        config = dict(config)
        cells = [serialization_lib.deserialize_keras_object(c, custom_objects=custom_objects,
                                                            kind="RNN cell")
                 for c in config.pop("cells")]
        return cls(cells, **config)
