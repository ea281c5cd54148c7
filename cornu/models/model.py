"""``Model``: a layer with training (compile/fit/evaluate/predict) and, when built from
``inputs`` and ``outputs``, a functional graph.

Two ways to make one, as in Keras:

    model = cornu.Model(inputs, outputs)          # functional

    class MyModel(cornu.Model):                   # subclassed
        def __init__(self):
            super().__init__()
            self.dense = cornu.layers.Dense(10)
        def call(self, x):
            return self.dense(x)
"""

from __future__ import annotations

from typing import Any

from cornu.core import tree
from cornu.layers.layer import Layer
from cornu.models.functional import Graph
from cornu.training.trainer import Trainer


class Model(Trainer, Layer):
    """A trainable model; functional when given ``inputs`` and ``outputs``.

    Args:
        inputs: the symbolic input(s) (from ``cornu.Input``), single, list or dict.
        outputs: the symbolic output(s), single, list or dict.
        name: the model's name.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if len(args) > 2:
            raise TypeError(f"Model() takes at most 2 positional arguments (inputs, outputs), "
                            f"received {len(args)}.")
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)
        self._graph: Graph | None = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("A functional Model needs both `inputs` and `outputs`. "
                                 f"Received: inputs={inputs!r}, outputs={outputs!r}")
            self._init_graph(inputs, outputs)

    # --- functional graph ---------------------------------------------------------------------
    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        graph = Graph(inputs, outputs)
        layers = [op for op in graph.operations if isinstance(op, Layer)]
        names = [layer.name for layer in layers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"All layer names in model '{self.name}' should be unique; "
                             f"{duplicates} appear more than once. Give the layers distinct "
                             "`name`s.")
        self._graph = graph
        self._layers = []
        for layer in layers:
            self._attach_layer(layer)
        shapes = tree.map_structure(lambda t: t.shape, inputs)
        self._build_shapes = {"input_shape": shapes}
        self.built = True

    def _attach_layer(self, layer: Layer) -> None:
        """Tracks ``layer`` for weights and registers it as a torch submodule."""
        if not any(layer is known for known in self._layers):
            self._layers.append(layer)
        key = layer.name.replace(".", "_")
        while key in self._modules and self._modules[key] is not layer:
            key += "_"
        self._modules[key] = layer

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        if self._graph is None:
            raise NotImplementedError(
                f"Model '{self.name}' has no call(): subclass Model and define call(), or build "
                "a functional model with Model(inputs, outputs).")
        return self._graph.run(inputs)

    def build(self, input_shape: Any = None) -> None:
        if self._graph is not None:
            return
        if input_shape is None:
            raise ValueError(f"Model '{self.name}': build() needs an `input_shape`.")
        from cornu.layers.input_layer import Input

        def symbolic(shape):
            return Input(batch_shape=tuple(shape))

        inputs = tree.map_structure(symbolic, input_shape) if _is_structure_of_shapes(
            input_shape) else symbolic(input_shape)
        try:
            self.call(inputs)
        except Exception as error:
            raise ValueError(
                f"Model '{self.name}' could not be built for input_shape={input_shape}: "
                f"{error}. Call the model on real data to build it instead.") from error
        self._build_shapes = {"input_shape": input_shape}
        self.built = True

    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        if not self.built and self._graph is None and type(self).build is Model.build:
            # A subclassed model builds its layers as its call() first uses them.
            self.built = True
            first = args[0] if args else next(iter(kwargs.values()), None)
            self._build_shapes = {"input_shape": tree.map_structure(
                lambda t: tuple(t.shape), first)}
            return
        super()._maybe_build(args, kwargs)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        if self._graph is not None:
            return self._graph.run(args[0], spec_only=True)
        return super().compute_output_spec(*args, **kwargs)

    # --- introspection ------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The model's layers (input layers included for functional models, as in Keras)."""
        return list(self._layers)

    @property
    def inputs(self) -> list | None:
        return None if self._graph is None else list(self._graph.inputs)

    @property
    def outputs(self) -> list | None:
        return None if self._graph is None else list(self._graph.outputs)

    @property
    def input(self) -> Any:
        if self._graph is None:
            return super().input
        return self._graph.inputs_struct

    @property
    def output(self) -> Any:
        if self._graph is None:
            return super().output
        return self._graph.outputs_struct

    @property
    def input_names(self) -> list:
        return [t.name for t in self.inputs or []]

    @property
    def output_names(self) -> list:
        """Names of the outputs: the names of the layers that produce them."""
        if self._graph is None:
            return []
        if isinstance(self._graph.outputs_struct, dict):
            return sorted(self._graph.outputs_struct)
        return [t._keras_history.operation.name for t in self._graph.outputs]

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self.inputs or []]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs or []]
        return shapes[0] if len(shapes) == 1 else shapes

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Returns a layer by ``name`` or by ``index`` in ``model.layers``."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}.")

    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Any = None, expand_nested: bool = False, show_trainable: bool = False,
                layer_range: Any = None) -> None:
        """Prints Keras's table of layers, output shapes and parameter counts."""
        from cornu.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    # --- serialization and saving (implemented in cornu.saving) -------------------------------
    def get_config(self) -> dict:
        """A functional model's graph in Keras 3's format; a subclassed model's base config."""
        if self._graph is not None:
            from cornu.models.functional_config import get_functional_config

            return get_functional_config(self)
        return super().get_config()

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Model":
        from cornu.models.functional_config import functional_from_config, subclass_from_config

        if "layers" in config and "output_layers" in config:
            return functional_from_config(cls, config, custom_objects)
        return subclass_from_config(cls, config)

    def get_compile_config(self) -> dict | None:
        """The arguments of ``compile()``, serialized (``None`` if not compiled)."""
        from cornu.saving.compile_config import get_compile_config

        return get_compile_config(self)

    def compile_from_config(self, config: dict) -> None:
        """Compiles the model from :meth:`get_compile_config` output."""
        from cornu.saving.compile_config import compile_from_config

        compile_from_config(self, config)

    def save(self, filepath: Any, overwrite: bool = True, zipped: bool | None = None,
             **kwargs: Any) -> None:
        """Saves the model: ``.keras`` (Keras 3 archive) or ``.h5`` (legacy tf.keras HDF5)."""
        from cornu.saving.saving_api import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True,
                     max_shard_size: Any = None) -> None:
        """Saves the weights (and optimizer state) to a ``.weights.h5`` file."""
        from cornu.saving.saving_api import save_weights

        save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Loads weights from ``.weights.h5``, ``.keras`` or legacy ``.h5`` files."""
        from cornu.saving.saving_api import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """The model's config as a JSON string (``cornu.models.model_from_json`` reads it)."""
        from cornu.saving.saving_api import model_to_json

        return model_to_json(self, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _is_structure_of_shapes(x: Any) -> bool:
    if isinstance(x, dict):
        return True
    return isinstance(x, (list, tuple)) and bool(x) and all(
        isinstance(e, (list, tuple)) for e in x)

