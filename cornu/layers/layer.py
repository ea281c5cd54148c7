"""``Layer``: the base class of every layer and model.

A layer creates its weights in ``build(input_shape)`` on first use, computes in
``call(inputs, training=None, mask=None)``, and serializes through ``get_config``.
On the torch backend it is also a ``torch.nn.Module``.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, NamedTuple

from cornu import backend, constraints, dtype_policies, initializers, regularizers
from cornu.backend import StatelessScope
from cornu.core import tree
from cornu.core.keras_tensor import KerasTensor, any_symbolic
from cornu.core.naming import to_snake_case, unique_name
from cornu.core.node import Node
from cornu.core.operation import trace_output_spec
from cornu.layers.input_spec import assert_input_compatibility
from cornu.random import SeedGenerator

_ALLOWED_KWARGS = {"input_shape", "input_dim", "batch_input_shape", "batch_size"}


class _CallContext(threading.local):
    """State of the layer call in progress: the outermost call's ``training`` flag (inherited
    by inner calls), the nesting depth, and an id per outermost call (to scope ``add_loss``)."""

    def __init__(self) -> None:
        self.training = None
        self.depth = 0
        self.call_id = 0


_CONTEXT = _CallContext()


class _ClassInfo(NamedTuple):
    takes_training: bool
    takes_mask: bool
    computes_mask: bool  # overrides compute_mask


def _class_info(cls: type) -> _ClassInfo:
    """What a layer class's ``call`` accepts and overrides; computed once per class and kept
    on the class itself (compilers trace a class attribute reliably)."""
    found = getattr(cls, "_cornu_call_info", None)
    if found is None or found[0] is not cls:  # None, or inherited from a base class
        params = inspect.signature(cls.call).parameters
        found = (cls, _ClassInfo("training" in params, "mask" in params,
                                 cls.compute_mask is not Layer.compute_mask))
        type.__setattr__(cls, "_cornu_call_info", found)
    return found[1]


def _overrides(layer: Any, method: str) -> bool:
    return getattr(type(layer), method) is not getattr(Layer, method)


def _shape_of(x: Any) -> Any:
    return tree.map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else t, x)


class Layer(backend.Module):
    """Base class of layers: weights, deferred build, call, masks, losses and config.

    Example:
        >>> class Scale(cornu.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...     def call(self, x):
        ...         return x * self.w
    """

    def __init__(self, *, activity_regularizer: Any = None, trainable: bool = True,
                 dtype: Any = None, autocast: bool = True, name: str | None = None,
                 **kwargs: Any) -> None:
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{ {k: kwargs[k] for k in sorted(unknown)} }")
        super().__init__()
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype_policy = dtype_policies.get(dtype)
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self.supports_masking = getattr(self, "supports_masking", False)
        self.input_spec = None
        self._trainable_variables: list = []
        self._non_trainable_variables: list = []
        self._layers: list = []
        self._seed_generators: list = []
        self._losses: list = []
        self._loss_call_id = -1
        self._last_call_id = -1
        self._inbound_nodes: list = []
        self._outbound_nodes: list = []
        self._build_shapes: Any = None
        input_shape = kwargs.get("input_shape")
        if input_shape is None and kwargs.get("input_dim") is not None:
            input_shape = (kwargs["input_dim"],)
        if kwargs.get("batch_input_shape") is not None:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif input_shape is not None:
            self._batch_input_shape = (kwargs.get("batch_size"),) + tuple(input_shape)
        else:
            self._batch_input_shape = None

    # --- attributes and tracking --------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, backend.Variable):
            self._track_variable(value)
        elif isinstance(value, SeedGenerator) and "_seed_generators" in self.__dict__:
            if not any(value is g for g in self._seed_generators):
                self._seed_generators.append(value)
        elif isinstance(value, Layer) and "_layers" in self.__dict__:
            if not any(value is layer for layer in self._layers):
                self._layers.append(value)
        elif isinstance(value, (list, tuple)) and value and "_layers" in self.__dict__ \
                and all(isinstance(v, Layer) for v in value):
            for i, layer in enumerate(value):
                if not any(layer is known for known in self._layers):
                    self._layers.append(layer)
                backend.Module.__setattr__(self, f"{name}_{i}", layer)
        super().__setattr__(name, value)

    def _track_variable(self, variable: Any) -> None:
        if any(variable is v for v in self._trainable_variables + self._non_trainable_variables):
            return
        target = self._trainable_variables if variable.trainable else \
            self._non_trainable_variables
        target.append(variable)

    def _unique_key(self, name: str) -> str:
        key = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "variable"
        candidate, i = key, 1
        while self._has_key(candidate) or hasattr(type(self), candidate):
            candidate = f"{key}_{i}"
            i += 1
        return candidate

    def add_weight(self, shape: tuple | None = None, initializer: Any = None,
                   dtype: Any = None, trainable: bool = True, autocast: bool = True,
                   regularizer: Any = None, constraint: Any = None,
                   aggregation: str = "none", overwrite_with_gradient: bool = False,
                   name: str | None = None) -> Any:
        """Creates a weight variable tracked by this layer.

        Args:
            shape: the variable's shape (``()`` for a scalar).
            initializer: an initializer object, its string name, or a callable.
            dtype: defaults to the layer's variable dtype.
            trainable: whether the optimizer updates it.
            regularizer: adds a penalty to ``layer.losses``.
            constraint: a projection applied after each optimizer update.
            name: the variable's name, e.g. ``"kernel"``.
        """
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = backend.standardize_dtype(dtype or self.dtype_policy.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if backend.is_float_dtype(dtype) else "zeros"
        init = initializers.get(initializer)
        variable = backend.Variable(init, shape=shape, dtype=dtype, trainable=trainable,
                                    name=name or "variable")
        variable._cornu_path = f"{self.name}/{variable.name}"
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        if not self._trainable:
            variable.requires_grad_(False)  # a frozen layer's new weights get no gradients
        self._track_variable(variable)
        self._register_variable(self._unique_key(variable.name), variable)
        return variable

    # --- weights ------------------------------------------------------------------------------
    def _own_variables(self) -> list:
        return self._trainable_variables + [
            v for v in self._non_trainable_variables
            if not any(v is t for t in self._trainable_variables)]

    @property
    def weights(self) -> list:
        """All weights: this layer's (trainable first), then its sublayers', in creation order."""
        out, seen = [], set()
        for w in self._own_variables():
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def variables(self) -> list:
        """All state: the weights, plus the states of the layers' seed generators (as in
        Keras, these are variables but not weights: they are not saved)."""
        out, seen = [], set()
        for layer in self._flatten_layers():
            for v in layer._own_variables() + [g.state for g in layer._seed_generators]:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    def _frozen_ids(self) -> set:
        """Ids of the weights of frozen sublayers (``trainable=False`` at any depth), which
        the optimizer must not see even if the variables themselves are trainable."""
        frozen, stack = set(), [layer for layer in self._layers]
        while stack:
            layer = stack.pop()
            if not layer.trainable:
                frozen.update(id(w) for w in layer.weights)
            else:
                stack.extend(layer._layers)
        return frozen

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        frozen = self._frozen_ids()
        return [w for w in self.weights if w.trainable and id(w) not in frozen]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return self.weights
        frozen = self._frozen_ids()
        return [w for w in self.weights if not w.trainable or id(w) in frozen]

    @property
    def non_trainable_variables(self) -> list:
        """Every variable the optimizer does not update: non-trainable weights and the
        seed generators' states."""
        if not self.trainable:
            return self.variables
        frozen = self._frozen_ids()
        return [v for v in self.variables if not v.trainable or id(v) in frozen]

    # --- stateless execution ------------------------------------------------------------------
    def stateless_call(self, trainable_variables: list, non_trainable_variables: list,
                       *args: Any, return_losses: bool = False, **kwargs: Any) -> tuple:
        """Calls the layer as a pure function of the given variable values.

        Returns ``(outputs, non_trainable_variables)`` (with ``return_losses``:
        ``(outputs, non_trainable_variables, losses)``), the second being the new values of
        the non-trainable state (moving statistics, seed states, ...). The layer's own
        variables are left as they were.

        Example:
            >>> layer = cornu.layers.Dense(2)
            >>> layer.build((None, 3))
            >>> kernel, bias = [cornu.ops.ones(v.shape) for v in layer.trainable_variables]
            >>> out, _ = layer.stateless_call([kernel, bias], [], cornu.ops.ones((1, 3)))
            >>> cornu.ops.convert_to_numpy(out).tolist()
            [[4.0, 4.0]]
        """
        if not self.built:
            raise ValueError(f"To call stateless_call, layer '{self.name}' must be built (i.e. "
                             "its variables must have been already created). You can build "
                             "it by calling it on some data.")
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        _check_values(self, "trainable_variables", trainable, trainable_variables)
        _check_values(self, "non_trainable_variables", non_trainable, non_trainable_variables)
        mapping = list(zip(trainable, trainable_variables)) + list(
            zip(non_trainable, non_trainable_variables))
        with StatelessScope(state_mapping=mapping, collect_losses=return_losses) as scope:
            outputs = self(*args, **kwargs)
            losses = self.losses if return_losses else None
        new_values = [scope.get_current_value(v) for v in non_trainable]
        if return_losses:
            return outputs, new_values, losses
        return outputs, new_values

    def get_weights(self) -> list:
        """The weights as NumPy arrays, in Keras's order."""
        return [backend.convert_to_numpy(w) for w in self.weights]

    def set_weights(self, weights: list) -> None:
        """Sets the weights from NumPy arrays in the order of :meth:`get_weights`.

        Every shape is checked before any weight changes, so a mismatch leaves the layer whole.
        """
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"Layer '{self.name}' weight list length mismatch: expected {len(params)} arrays "
                f"(shapes {[tuple(p.shape) for p in params]}), received {len(weights)}. "
                "Pass the list returned by get_weights() of a layer with the same configuration.")
        for p, w in zip(params, weights):
            shape = tuple(getattr(w, "shape", ()))
            if shape != tuple(p.shape):
                raise ValueError(
                    f"Layer '{self.name}' weight shape mismatch for '{p.name}': expected "
                    f"{tuple(p.shape)}, received {shape}.")
        for p, w in zip(params, weights):
            p.assign(w)

    def save_own_variables(self, store: dict) -> None:
        """Writes this layer's own variables (not its sublayers') to ``store`` as ``"0"``,
        ``"1"``, ... in Keras's order; override it together with ``load_own_variables``."""
        from cornu.saving.state_tree import write_own_variables

        write_own_variables(self, store)

    def load_own_variables(self, store: dict) -> None:
        """Sets this layer's own variables from ``store`` (as written by ``save_own_variables``)."""
        from cornu.saving.state_tree import load_own_variables

        load_own_variables(self, store)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    def _flatten_layers(self, include_self: bool = True) -> list:
        out, seen, stack = [], set(), [self] if include_self else list(reversed(self._layers))
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack = list(layer._layers) + stack
        return out

    # --- losses -------------------------------------------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Adds a loss term (e.g. a penalty computed in ``call``) to ``layer.losses``."""
        if self._loss_call_id != _CONTEXT.call_id:
            self._losses = []  # losses belong to the most recent call only
            self._loss_call_id = _CONTEXT.call_id
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        """Losses added during this layer's last call plus weight-regularization penalties."""
        out = []
        for layer in self._flatten_layers():
            current = layer._loss_call_id == self._last_call_id or (
                layer is self and layer._loss_call_id == _CONTEXT.call_id)  # added outside call
            if current:
                out.extend(layer._losses)
            if not layer.trainable:
                continue
            for v in layer._own_variables():
                if v.regularizer is not None:
                    out.append(v.regularizer(v.value))
        return out

    # --- build --------------------------------------------------------------------------------
    def build(self, input_shape: Any = None) -> None:
        """Creates the weights for inputs of ``input_shape``; the default creates none."""
        self.built = True

    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        if self.built:
            return
        first = args[0] if args else next(iter(kwargs.values()), None)
        shapes = _shape_of(first)
        params = [p for p in inspect.signature(self.build).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(params) > 1:
            names = inspect.signature(self.call).parameters
            bound = dict(zip(list(names), args))
            bound.update(kwargs)
            shape_kwargs = {p.name: _shape_of(bound.get(p.name[:-len("_shape")]))
                            for p in params if p.name.endswith("_shape")
                            and bound.get(p.name[:-len("_shape")]) is not None}
            self.build(**shape_kwargs)
            self._build_shapes = shape_kwargs
        else:
            self.build(shapes)
            self._build_shapes = {"input_shape": shapes}
        self.built = True

    def build_from_config(self, config: dict) -> None:
        if not config:
            return
        if "input_shape" in config:
            self.build(config["input_shape"])
            self._build_shapes = self._build_shapes or {"input_shape": config["input_shape"]}
        elif "shapes_dict" in config:
            self.build(**config["shapes_dict"])
            self._build_shapes = self._build_shapes or dict(config["shapes_dict"])
        self.built = True

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        if list(self._build_shapes) == ["input_shape"]:
            return {"input_shape": self._build_shapes["input_shape"]}
        return {"shapes_dict": self._build_shapes}

    # --- call ---------------------------------------------------------------------------------
    def call(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call().")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Keras's ``__call__``: build, resolve ``training`` and masks, then ``call``."""
        if any_symbolic(args, kwargs):
            return self._symbolic_call(args, kwargs)
        if args:
            first = args[0]
            if backend.is_tensor(first):
                if self.autocast:
                    first = backend.cast_floating(first, self.dtype_policy.compute_dtype)
            else:
                first = self._convert_inputs(first)
            args = (first,) + args[1:]
        if not self.built:
            self._maybe_build(args, kwargs)
        info = _class_info(type(self))
        kwargs = self._resolve_call_kwargs(info, args, kwargs)
        context = _CONTEXT
        previous = context.training
        if context.depth == 0:
            context.call_id += 1
        self.__dict__["_last_call_id"] = context.call_id  # skips torch's slow __setattr__
        context.depth += 1
        if "training" in kwargs:
            context.training = kwargs["training"]
        policy = self.dtype_policy
        try:
            if policy.compute_dtype != policy.variable_dtype:  # mixed precision
                with backend.autocast(policy.compute_dtype):
                    outputs = self.call(*args, **kwargs)
            else:
                outputs = self.call(*args, **kwargs)
        except (ValueError, RuntimeError, TypeError) as error:
            if self.input_spec is not None and args:
                # Check the spec only on failure: the happy path pays nothing for it.
                try:
                    assert_input_compatibility(self.input_spec, args[0], self.name)
                except ValueError as explained:
                    raise explained from error
            raise
        finally:
            context.depth -= 1
            context.training = previous
        if self.activity_regularizer is not None:
            for out in tree.flatten(outputs):
                self.add_loss(self.activity_regularizer(out) / out.shape[0])
        if args and (self.supports_masking or info.computes_mask):
            self._set_output_mask(info, args, kwargs, outputs)
        return outputs

    def _convert_inputs(self, inputs: Any) -> Any:
        compute = self.dtype_policy.compute_dtype

        def convert(x):
            if not backend.is_tensor(x):
                if not (hasattr(x, "__array__") or isinstance(x, (float, int))):
                    return x
                x = backend.convert_to_tensor(x)
            return backend.cast_floating(x, compute) if self.autocast else x

        return tree.map_structure(convert, inputs)

    def _resolve_call_kwargs(self, info: _ClassInfo, args: tuple, kwargs: dict) -> dict:
        if info.takes_training:
            training = kwargs.get("training")
            if training is None:
                training = _CONTEXT.training
            if training is not None or "training" in kwargs:
                kwargs = dict(kwargs, training=training)
        elif "training" in kwargs:
            kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        if info.takes_mask and kwargs.get("mask") is None and args:
            mask = self._input_mask(args[0])
            if mask is not None:
                kwargs = dict(kwargs, mask=mask)
        return kwargs

    @staticmethod
    def _input_mask(inputs: Any) -> Any:
        if isinstance(inputs, (list, tuple)):
            masks = [getattr(x, "_keras_mask", None) for x in inputs]
            return None if all(m is None for m in masks) else masks
        return getattr(inputs, "_keras_mask", None)

    def _set_output_mask(self, info: _ClassInfo, args: tuple, kwargs: dict,
                         outputs: Any) -> None:
        previous = kwargs.get("mask", self._input_mask(args[0]))
        if previous is None and not info.computes_mask:
            return
        mask = self.compute_mask(args[0], previous)
        if mask is None:
            return
        flat_out, flat_mask = tree.flatten(outputs), tree.flatten(mask)
        if len(flat_mask) == 1:
            flat_mask = flat_mask * len(flat_out)
        for out, m in zip(flat_out, flat_mask):
            try:
                out._keras_mask = m
            except AttributeError:
                pass

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """The mask of the outputs; layers that keep the time axis pass the input mask on."""
        return previous_mask if self.supports_masking else None

    # --- symbolic (functional API) ------------------------------------------------------------
    def _symbolic_call(self, args: tuple, kwargs: dict) -> Any:
        if self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        self._maybe_build(args, kwargs)
        if self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        outputs = self.compute_output_spec(*args, **kwargs)
        if args:
            self._set_symbolic_mask(args, kwargs, outputs)
        Node(self, args, kwargs, outputs)
        return outputs

    def _set_symbolic_mask(self, args: tuple, kwargs: dict, outputs: Any) -> None:
        if not (self.supports_masking or _overrides(self, "compute_mask")):
            return
        previous = kwargs.get("mask", self._input_mask(args[0]))
        if previous is None and not _overrides(self, "compute_mask"):
            return
        # compute_mask runs on the symbolic tensors themselves: most return the previous mask
        # or None without computing anything, and ops on masks infer shapes cheaply.
        mask = self.compute_mask(args[0], previous)
        if mask is None:
            return
        flat_out, flat_mask = tree.flatten(outputs), tree.flatten(mask)
        if len(flat_mask) == 1:
            flat_mask = flat_mask * len(flat_out)
        for out, m in zip(flat_out, flat_mask):
            if isinstance(out, KerasTensor) and isinstance(m, KerasTensor):
                out._keras_mask = m

    def compute_output_shape(self, *args: Any, **kwargs: Any) -> Any:
        """The output shape for inputs of the given shape(s); traced from ``call`` by default."""
        specs = [_shapes_to_specs(a, self.dtype_policy.compute_dtype) for a in args]
        out = self.compute_output_spec(*specs, **kwargs)
        return tree.map_structure(lambda t: t.shape, out)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        if _overrides(self, "compute_output_shape"):
            shapes = [_shape_of(a) for a in args if any_symbolic((a,))]
            out_shape = self.compute_output_shape(*shapes)
            return _shapes_to_specs(out_shape, self.dtype_policy.compute_dtype)
        kwargs = self._resolve_call_kwargs(_class_info(type(self)), args, kwargs)
        return trace_output_spec(self.call, args, kwargs)

    # --- functional-graph helpers -------------------------------------------------------------
    def _node_attr(self, attr: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no "
                                 f"defined {attr}.")
        node = self._inbound_nodes[0]
        values = node.input_tensors if attr == "input" else node.outputs
        return values[0] if len(values) == 1 else values

    @property
    def input(self) -> Any:
        return self._node_attr("input")

    @property
    def output(self) -> Any:
        return self._node_attr("output")

    @property
    def dtype(self) -> str:
        return self.dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self.dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self.dtype_policy.variable_dtype

    # --- serialization ------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policies.serialize(self.dtype_policy)}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"{cls.__name__}.from_config could not rebuild the layer from {config}: {error}. "
                f"If {cls.__name__} takes custom arguments, override get_config() to return them."
            ) from error

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             "layer isn't built. Build it first by calling it on data or with "
                             "`layer.build(input_shape)`.")
        return int(sum(int(_prod(w.shape)) for w in self.weights))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def extra_repr(self) -> str:
        return f"name={self.name!r}"



def _check_values(layer: Layer, argument: str, variables: list, values: Any) -> None:
    """Raises before anything runs if ``values`` do not match ``variables`` one to one."""
    values = list(values)
    if len(values) != len(variables):
        raise ValueError(f"Layer '{layer.name}'.stateless_call: argument `{argument}` must have "
                         f"{len(variables)} values (one per variable, in the order of "
                         f"`layer.{argument}`). Received {len(values)}.")
    for variable, value in zip(variables, values):
        shape = tuple(getattr(value, "shape", ()))
        if shape != tuple(variable.shape):
            raise ValueError(f"Layer '{layer.name}'.stateless_call: the value for variable "
                             f"'{variable.path}' in `{argument}` has shape {shape}; expected "
                             f"{tuple(variable.shape)}.")


def _prod(shape: Any) -> int:
    out = 1
    for d in shape:
        out *= int(d)
    return out


def _is_shape(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


def _shapes_to_specs(shape: Any, dtype: str) -> Any:
    """Turns a shape (tuple of ints/None) or a structure of shapes into KerasTensors."""
    if _is_shape(shape):
        return KerasTensor(shape, dtype=dtype)
    if isinstance(shape, dict):
        return {k: _shapes_to_specs(v, dtype) for k, v in shape.items()}
    return type(shape)(_shapes_to_specs(s, dtype) for s in shape)
