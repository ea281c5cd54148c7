"""``Optimizer``: the base class that holds everything but the update rule.

Slots, learning-rate schedules, gradient clipping, weight decay, EMA, loss scaling,
gradient accumulation and constraints live here, once. A subclass supplies its rule:

* built-in optimizers override ``update(grads, variables, learning_rate)``, which works on
  whole lists with the multi-tensor ops in ``cornu.ops.foreach`` (one kernel per list,
  no Python loop over parameters);
* a user optimizer may instead override Keras's per-variable
  ``update_step(gradient, variable, learning_rate)``.

Subclasses create their slots in ``build`` after calling ``super().build(variables)``,
so ``optimizer.variables`` lists them in Keras's order (iteration, learning rate, EMA
averages, gradient accumulators, then the optimizer's own slots).
"""

from __future__ import annotations

import warnings
from typing import Any

from cornu import backend, ops
from cornu.core.naming import to_snake_case, unique_name
from cornu.ops import foreach
from cornu.optimizers.schedules import LearningRateSchedule


def _check_state(optimizer: Any, argument: str, variables: list, values: list) -> None:
    if len(values) != len(variables):
        raise ValueError(f"{type(optimizer).__name__}.stateless_apply: argument `{argument}` "
                         f"must have {len(variables)} values, one per variable. Received "
                         f"{len(values)}.")
    for variable, value in zip(variables, values):
        shape = tuple(getattr(value, "shape", ()))
        if shape != tuple(variable.shape):
            raise ValueError(f"{type(optimizer).__name__}.stateless_apply: the value for "
                             f"'{variable.path}' in `{argument}` has shape {shape}; expected "
                             f"{tuple(variable.shape)}.")


def _check_non_negative(name: str, value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or value < 0):
        raise ValueError(f"Argument `{name}` must be a non-negative number. Received: "
                         f"{name}={value!r}")


class Optimizer:
    """Base optimizer with Keras 3's arguments.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` (called with the iteration),
            or a callable without arguments returning the rate.
        weight_decay: decoupled weight decay (``w -= lr * weight_decay * w`` before each step).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients jointly to this global L2 norm.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: the EMA's momentum.
        ema_overwrite_frequency: every this many steps, overwrite the weights with the EMA.
        loss_scale_factor: gradients are divided by it (the loss was multiplied by it).
        gradient_accumulation_steps: update the weights every this many steps with the
            mean gradient.
        name: the optimizer's name (default: the class name in snake_case, made unique).
    """

    def __init__(self, learning_rate: Any, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized by {type(self).__name__}: "
                             f"{sorted(kwargs)}")
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                           ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            _check_non_negative(arg, value)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency is not None and (
                    not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        if gradient_accumulation_steps is not None and (
                not isinstance(gradient_accumulation_steps, int) or
                gradient_accumulation_steps < 2):
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list = []
        self._trainable_variables: list = []
        self._indices: dict[int, int] = {}
        self._exclude_names: tuple = ()
        self._exclude_ids: set = set()
        self._decayed_ids: set = set()
        # Everything a rule reads is in optimizer variables (the step count included), so a
        # compiled or stateless step does not freeze a host counter as a constant.
        self._iterations = self._track(backend.Variable(0, dtype="int64", trainable=False,
                                                        name="iteration"))
        if isinstance(learning_rate, LearningRateSchedule) or (
                callable(learning_rate) and not backend.is_tensor(learning_rate)):
            self._learning_rate = learning_rate
        else:
            if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) \
                    or learning_rate < 0:
                raise ValueError(
                    f"{type(self).__name__}: argument `learning_rate` should be a "
                    "non-negative float, a LearningRateSchedule, or a callable returning the "
                    f"rate. Received: learning_rate={learning_rate!r}")
            self._learning_rate = self._track(backend.Variable(
                float(learning_rate), dtype=backend.floatx(), trainable=False,
                name="learning_rate"))

    # --- variables ----------------------------------------------------------------------------
    def _track(self, variable: Any) -> Any:
        self._variables.append(variable)
        return variable

    def add_variable(self, shape: tuple, initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "none", name: str | None = None) -> Any:
        """Creates an optimizer variable (a slot or a counter)."""
        from cornu import initializers

        return self._track(backend.Variable(initializers.get(initializer), shape=tuple(shape),
                                            dtype=dtype or backend.floatx(), trainable=False,
                                            name=name or "variable"))

    def add_variable_from_reference(self, reference_variable: Any, name: str | None = None,
                                    initializer: Any = "zeros") -> Any:
        """A slot shaped like ``reference_variable``, named ``<var path>_<name>``."""
        path = getattr(reference_variable, "path", "variable").replace("/", "_")
        return self.add_variable(tuple(reference_variable.shape), initializer=initializer,
                                 dtype=backend.dtype(reference_variable),
                                 name=f"{path}_{name or 'var'}")

    def add_optimizer_variables(self, trainable_variables: list, name: Any,
                                initializer: Any = "zeros") -> Any:
        """One slot per variable for each name in ``name``, interleaved as Keras creates them.

        ``initializer`` is one initializer for all names or a list, one per name.
        """
        names = [name] if isinstance(name, str) else list(name)
        inits = list(initializer) if isinstance(initializer, (list, tuple)) else \
            [initializer] * len(names)
        if len(inits) != len(names):
            raise ValueError("The number of provided names must match the number of provided "
                             f"initializers. Received name={name!r}, initializer={initializer!r}")
        out = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, (slot_name, init) in enumerate(zip(names, inits)):
                out[i].append(self.add_variable_from_reference(variable, slot_name, init))
        return out[0] if isinstance(name, str) else out

    def build(self, variables: list) -> None:
        """Creates the EMA and accumulation slots and indexes ``variables``; subclasses
        call this first, then add their own slots."""
        variables = list(variables)
        self._trainable_variables = variables
        self._indices = {id(v): i for i, v in enumerate(variables)}
        if self.use_ema:
            self._ema = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulators = self.add_optimizer_variables(variables, "gradient_accumulator")
        self._decayed_ids = {id(v) for v in variables if not self._excluded(v)}
        self.built = True

    @property
    def variables(self) -> list:
        return list(self._variables)

    @property
    def iterations(self) -> Any:
        """The number of weight updates (apply() calls, divided by the accumulation steps)."""
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations, self.gradient_accumulation_steps)
        return self._iterations

    # --- learning rate ------------------------------------------------------------------------
    @property
    def learning_rate(self) -> Any:
        """The current learning rate (a schedule is evaluated at the current iteration)."""
        lr = self._learning_rate
        if isinstance(lr, backend.Variable):
            return lr
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        return lr()

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, LearningRateSchedule) or (callable(value) and
                                                       not backend.is_tensor(value)):
            self._learning_rate = value
        elif isinstance(self._learning_rate, backend.Variable):
            self._learning_rate.assign(float(value))
        else:
            raise TypeError(f"{type(self).__name__} was created with a learning-rate schedule "
                            "as its `learning_rate`, so the rate cannot be set to a number "
                            f"({value!r}). Create the optimizer with a float learning_rate "
                            "to set it later.")

    def _current_learning_rate(self) -> Any:
        lr = self.learning_rate
        return lr if backend.is_tensor(lr) else ops.convert_to_tensor(lr, dtype="float32")

    # --- weight decay -------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list: list | None = None,
                                  var_names: list | None = None) -> None:
        """Skips weight decay for these variables, or those whose name contains a var_name.

        Must be called before the optimizer is built.
        """
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_names = tuple(var_names or ())
        self._exclude_ids = {id(v) for v in var_list or ()}

    def _excluded(self, variable: Any) -> bool:
        if id(variable) in self._exclude_ids:
            return True
        return any(name in variable.name for name in self._exclude_names)

    def _apply_weight_decay(self, variables: list, lr: Any) -> None:
        if self.weight_decay is None:
            return
        decayed = [v for v in variables if id(v) in self._decayed_ids]
        if decayed:
            foreach.mul_(decayed, 1.0 - lr * self.weight_decay)

    # --- clipping -----------------------------------------------------------------------------
    def _clip_gradients(self, grads: list) -> list:
        if self.clipnorm and self.clipnorm > 0:
            norms = foreach.norm(grads)
            return [g * self.clipnorm / ops.maximum(n, self.clipnorm)
                    for g, n in zip(grads, norms)]
        if self.global_clipnorm and self.global_clipnorm > 0:
            total = ops.sqrt(ops.sum(ops.stack([n * n for n in foreach.norm(grads)])))
            # Non-finite norms make the scale NaN (the step is then visibly broken).
            scale = self.global_clipnorm * ops.minimum(1.0 / total, 1.0 / self.global_clipnorm)
            return foreach.mul(grads, scale + (total - total))
        if self.clipvalue and self.clipvalue > 0:
            return foreach.clip(grads, -self.clipvalue, self.clipvalue)
        return grads

    # --- applying gradients -------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Any) -> Any:
        """Applies ``[(gradient, variable), ...]``; returns the iteration count."""
        grads, variables = zip(*grads_and_vars) if grads_and_vars else ((), ())
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads: list, trainable_variables: list | None = None) -> None:
        """Updates ``trainable_variables`` (default: those the optimizer was built with)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer "
                                 "must already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"{type(self).__name__}.apply(): received {len(grads)} gradients "
                             f"for {len(trainable_variables)} variables.")
        if not self.built:
            self.build(trainable_variables)
        unknown = [getattr(v, "path", str(v)) for v in trainable_variables
                   if id(v) not in self._indices]
        if unknown:
            raise ValueError(f"{type(self).__name__} was built for other variables; it does "
                             f"not track {unknown}. Use a new optimizer for a new set of "
                             "variables; if you set `trainable` on a layer after training "
                             "started, call `model.compile()` again.")
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if len(pairs) < len(grads):
            missing = [v.path for g, v in zip(grads, trainable_variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a "
                          "`loss` argument?", stacklevel=2)
        variables = [v for _, v in pairs]
        grads = [g if g.dtype == v.dtype else ops.cast(g, v.dtype) for g, v in pairs]
        with backend.no_grad():
            if self.loss_scale_factor is not None:
                grads = foreach.div(grads, float(self.loss_scale_factor))
            self._apply_updates(grads, variables)
            for v in variables:
                if v.constraint is not None:
                    v.assign(v.constraint(v))
            self._iterations.assign_add(1)

    def stateless_apply(self, optimizer_variables: list, grads: list,
                        trainable_variables: list) -> tuple:
        """One update as a pure function: returns ``(trainable_variables,
        optimizer_variables)``, the new values, leaving the optimizer's and the model's
        variables as they were. The optimizer must be built.

        Example:
            >>> opt = cornu.optimizers.SGD(learning_rate=0.5)
            >>> w = cornu.Variable(np.ones(2, "float32"))
            >>> opt.build([w])
            >>> (new_w,), _ = opt.stateless_apply(
            ...     [v.value for v in opt.variables], [np.ones(2, "float32")], [np.ones(2, "float32")])
            >>> cornu.ops.convert_to_numpy(new_w).tolist(), w.numpy().tolist()
            ([0.5, 0.5], [1.0, 1.0])
        """
        if not self.built:
            raise ValueError(f"{type(self).__name__}.stateless_apply: the optimizer must be "
                             "built first. Call `optimizer.build(trainable_variables)`.")
        own, variables = self.variables, self._trainable_variables
        for argument, expected, values in (("optimizer_variables", own, optimizer_variables),
                                           ("trainable_variables", variables,
                                            trainable_variables)):
            _check_state(self, argument, expected, list(values))
        mapping = list(zip(variables, trainable_variables)) + list(zip(own, optimizer_variables))
        with backend.StatelessScope(state_mapping=mapping) as scope:
            self.apply(grads)
        return ([scope.get_current_value(v) for v in variables],
                [scope.get_current_value(v) for v in own])

    def _apply_updates(self, grads: list, variables: list) -> None:
        steps = self.gradient_accumulation_steps
        if steps:
            self._accumulate_then_update(grads, variables, steps)
        else:
            self._update_variables(grads, variables)
        if self.use_ema:
            self._update_ema()

    def _accumulate_then_update(self, grads: list, variables: list, steps: int) -> None:
        """Adds to the accumulators; every ``steps``-th call updates with their mean. The
        choice is made on the device: the update runs each time and is kept only on an
        update step, so no step count is read back."""
        accumulators = self.slots("_accumulators", variables)
        foreach.add_(accumulators, grads)
        is_update = ops.equal(ops.mod(self._iterations + 1, steps), 0)
        state = variables + [v for v in self._variables[1:] if not
                             any(v is a for a in self._accumulators)]
        before = [ops.copy(v) for v in state]
        self._update_variables(foreach.div(accumulators, float(steps)), variables)
        for v, old in zip(state, before):
            v.assign(ops.where(is_update, v, old))
        for a in accumulators:
            a.assign(ops.where(is_update, ops.zeros_like(a), a))

    def _update_variables(self, grads: list, variables: list) -> None:
        grads = self._clip_gradients(grads)
        lr = self._current_learning_rate()
        self._apply_weight_decay(variables, lr)
        self.update(grads, variables, lr)

    def _update_ema(self) -> None:
        variables = self._trainable_variables
        count = self.iterations
        # The first update copies the weights into the averages (weight 1).
        weight = ops.where(ops.equal(count, 0), 1.0, 1.0 - self.ema_momentum)
        for average, v in zip(self._ema, variables):
            average.assign(average + (v - average) * ops.cast(weight, average.dtype))
        frequency = self.ema_overwrite_frequency
        if frequency:
            overwrite = ops.equal(ops.mod(count + 1, frequency), 0)
            for average, v in zip(self._ema, variables):
                v.assign(ops.where(overwrite, average, v))

    def slots(self, name: str, variables: list) -> list:
        """The slots ``self.<name>`` that belong to ``variables``, in their order."""
        all_slots = getattr(self, name)
        if len(variables) == len(all_slots) and all(
                a is b for a, b in zip(variables, self._trainable_variables)):
            return all_slots
        return [all_slots[self._indices[id(v)]] for v in variables]

    def _get_variable_index(self, variable: Any) -> int:
        return self._indices[id(variable)]

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        """The update rule on whole lists; defaults to ``update_step`` per variable."""
        for g, v in zip(grads, variables):
            self.update_step(g, v, learning_rate)

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update() or "
                                  "update_step().")

    def assign(self, variable: Any, value: Any) -> None:
        variable.assign(value)

    def assign_add(self, variable: Any, value: Any) -> None:
        variable.assign_add(value)

    def assign_sub(self, variable: Any, value: Any) -> None:
        variable.assign_sub(value)

    def scale_loss(self, loss: Any) -> Any:
        """``loss * loss_scale_factor`` (unchanged without a factor)."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def finalize_variable_values(self, var_list: list) -> None:
        """Writes the EMA into the weights at the end of training, when ``use_ema``."""
        if self.use_ema and self.built:
            foreach.copy_(list(var_list), self.slots("_ema", list(var_list)))

    # --- state --------------------------------------------------------------------------------
    def set_weights(self, weights: list) -> None:
        """Sets the optimizer's variables (``optimizer.variables`` order) from arrays."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet "
                             "been built. Call `optimizer.build(trainable_variables)` first.")
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(weight.shape):
                raise ValueError(f"Optimizer variable {variable.name!r} has shape "
                                 f"{tuple(variable.shape)}, not compatible with the provided "
                                 f"weight shape {tuple(weight.shape)}.")
            variable.assign(weight)

    def save_own_variables(self, store: dict) -> None:
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store: Any) -> None:
        if len(store.keys()) != len(self.variables):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it "
                          f"has {len(self.variables)} variables whereas the saved optimizer "
                          f"has {len(store.keys())} variables.", stacklevel=2)
            return
        for i, variable in enumerate(self.variables):
            variable.assign(store[str(i)])

    # --- serialization ------------------------------------------------------------------------
    def get_config(self) -> dict:
        from cornu.saving import serialization_lib

        lr = self._learning_rate
        lr = float(backend.convert_to_numpy(lr)) if isinstance(lr, backend.Variable) else \
            serialization_lib.serialize_keras_object(lr)
        return {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Optimizer":
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from cornu.saving import serialization_lib

            config["learning_rate"] = serialization_lib.deserialize_keras_object(
                config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
