"""``Optimizer``: the base class that holds everything but the update rule.

Slots, learning-rate schedules, gradient clipping, weight decay, EMA, loss scaling,
gradient accumulation and constraints live here, once. A subclass supplies its rule:

* built-in optimizers override ``update(grads, variables, learning_rate)``, which works on
  whole lists with the multi-tensor ops in ``cornu.ops.foreach`` (one kernel per list,
  no Python loop over parameters);
* a user optimizer may instead override Keras's per-variable
  ``update_step(gradient, variable, learning_rate)``.
"""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.core.naming import to_snake_case, unique_name
from cornu.ops import foreach


def _check_non_negative(name: str, value: Any) -> None:
    if value is not None and (not isinstance(value, (int, float)) or value < 0):
        raise ValueError(f"Argument `{name}` must be a non-negative number. Received: "
                         f"{name}={value!r}")


class Optimizer:
    """Base optimizer with Keras 3's arguments.

    Args:
        learning_rate: a float, a ``LearningRateSchedule``, or a callable of the step.
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
    """

    def __init__(self, learning_rate: Any, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        kwargs.pop("decay", None)
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
        self._iterations = self._track(backend.Variable(0, dtype="int64", trainable=False,
                                                        name="iteration"))
        # A host copy of the step count, so schedules of accumulation and EMA overwrites
        # never read the device counter back (no sync per step).
        self._host_iterations = 0
        if hasattr(learning_rate, "__call__") and not isinstance(learning_rate, (int, float)):
            self._learning_rate = learning_rate
        else:
            if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) \
                    or learning_rate < 0:
                raise ValueError(
                    "Argument `learning_rate` should be a non-negative float, a "
                    "LearningRateSchedule, or a callable of the iteration. Received: "
                    f"learning_rate={learning_rate!r}")
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
                                 dtype=reference_variable.dtype, name=f"{path}_{name}")

    def add_optimizer_variables(self, trainable_variables: list, name: Any,
                                initializer: Any = "zeros") -> Any:
        """One slot per variable for each name in ``name``, interleaved as Keras creates them."""
        names = [name] if isinstance(name, str) else list(name)
        out = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, slot_name in enumerate(names):
                out[i].append(self.add_variable_from_reference(variable, slot_name, initializer))
        return out[0] if isinstance(name, str) else out

    def build(self, variables: list) -> None:
        """Creates the slots for ``variables``; subclasses add theirs, then call this."""
        if self.use_ema:
            self._ema = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulators = self.add_optimizer_variables(variables, "gradient_accumulator")
        self._trainable_variables = list(variables)
        self._indices = {id(v): i for i, v in enumerate(variables)}
        self._exclude_ids = {id(v) for v in variables if self._excluded(v)}
        self.built = True

    @property
    def variables(self) -> list:
        return list(self._variables)

    def _sync_host_iterations(self) -> None:
        """Re-reads the step count after the iteration variable was set (e.g. on load)."""
        self._host_iterations = int(backend.convert_to_numpy(self._iterations))

    @property
    def iterations(self) -> Any:
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations, self.gradient_accumulation_steps)
        return self._iterations

    # --- learning rate ------------------------------------------------------------------------
    @property
    def learning_rate(self) -> Any:
        """The current learning rate (a schedule is evaluated at the current iteration)."""
        if isinstance(self._learning_rate, backend.Variable):
            return self._learning_rate
        return self._learning_rate(self.iterations)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(self._learning_rate, backend.Variable) and not callable(value):
            self._learning_rate.assign(float(value))
        elif callable(value) and not backend.is_tensor(value):
            self._learning_rate = value
        else:
            raise TypeError(f"{type(self).__name__} uses a learning-rate schedule; it cannot be "
                            f"set to a number ({value!r}).")

    def _current_learning_rate(self) -> Any:
        lr = self.learning_rate
        return lr if backend.is_tensor(lr) else ops.convert_to_tensor(lr, dtype="float32")

    # --- weight decay -------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list: list | None = None,
                                  var_names: list | None = None) -> None:
        """Skips weight decay for these variables, or those whose name contains a var_name."""
        self._exclude_names = tuple(var_names or ())
        self._exclude_ids = {id(v) for v in var_list or ()}
        if self.built:
            self._exclude_ids |= {id(v) for v in self._trainable_variables if self._excluded(v)}

    def _excluded(self, variable: Any) -> bool:
        if id(variable) in self._exclude_ids:
            return True
        return any(name in variable.name for name in self._exclude_names)

    def _apply_weight_decay(self, variables: list, lr: Any) -> None:
        if not self.weight_decay:
            return
        decayed = [v for v in variables if id(v) not in self._exclude_ids]
        if decayed:
            foreach.mul_(decayed, 1.0 - lr * self.weight_decay)

    # --- clipping -----------------------------------------------------------------------------
    def _clip_gradients(self, grads: list) -> list:
        if self.clipvalue is not None:
            grads = [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        elif self.clipnorm is not None:
            norms = foreach.norm(grads)
            grads = [g * self.clipnorm / ops.maximum(n, self.clipnorm)
                     for g, n in zip(grads, norms)]
        elif self.global_clipnorm is not None:
            total = ops.sqrt(ops.sum(ops.stack([n * n for n in foreach.norm(grads)])))
            scale = self.global_clipnorm * ops.minimum(1.0 / total, 1.0 / self.global_clipnorm)
            grads = foreach.mul(grads, scale + (total - total))
        return grads

    # --- applying gradients -------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Any) -> Any:
        """Applies ``[(gradient, variable), ...]``; returns the iteration count."""
        grads, variables = zip(*grads_and_vars) if grads_and_vars else ((), ())
        return self.apply(list(grads), list(variables))

    def apply(self, grads: list, trainable_variables: list | None = None) -> Any:
        """Updates ``trainable_variables`` (default: those the optimizer was built with)."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{type(self).__name__} has not been built: pass "
                                 "`trainable_variables` to apply() the first time.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"apply(): received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables.")
        if not self.built:
            self.build(trainable_variables)
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            return self._iterations
        grads = [g if g.dtype == v.dtype else ops.cast(g, v.dtype) for g, v in pairs]
        variables = [v for _, v in pairs]
        unknown = [v.path for v in variables if id(v) not in self._indices]
        if unknown:
            raise KeyError(f"{type(self).__name__} was built for other variables; it does not "
                           f"track {unknown}. Use a new optimizer for a new set of variables.")
        if self.loss_scale_factor:
            grads = foreach.mul(grads, 1.0 / self.loss_scale_factor)
        with backend.no_grad():
            if self.gradient_accumulation_steps:
                self._accumulate_and_maybe_update(grads, variables)
            else:
                self._update_variables(grads, variables)
            self._iterations.assign_add(1)
        self._host_iterations += 1
        return self._iterations

    def _update_variables(self, grads: list, variables: list) -> None:
        grads = self._clip_gradients(grads)
        lr = self._current_learning_rate()
        self._apply_weight_decay(variables, lr)
        self.update(grads, variables, lr)
        for v in variables:
            if v.constraint is not None:
                v.assign(v.constraint(v))
        if self.use_ema:
            self._update_ema(variables)

    def _accumulate_and_maybe_update(self, grads: list, variables: list) -> None:
        accumulators = self.slots("_accumulators", variables)
        steps = self.gradient_accumulation_steps
        if self._host_iterations % steps != steps - 1:
            foreach.add_(accumulators, grads)
            return
        mean = foreach.div(foreach.add(grads, accumulators), float(steps))
        self._update_variables(mean, variables)
        foreach.zero_(accumulators)

    def _update_ema(self, variables: list) -> None:
        averages = self.slots("_ema", variables)
        momentum = 0.0 if self._host_iterations == 0 else self.ema_momentum
        foreach.lerp_(averages, variables, 1.0 - momentum)
        frequency = self.ema_overwrite_frequency
        if frequency and (self._host_iterations + 1) % frequency == 0:
            foreach.copy_(variables, averages)

    def slots(self, name: str, variables: list) -> list:
        """The slots ``self.<name>`` that belong to ``variables``, in their order."""
        all_slots = getattr(self, name)
        if len(variables) == len(all_slots):
            return all_slots
        return [all_slots[self._indices[id(v)]] for v in variables]

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

    def finalize_variable_values(self, var_list: list) -> None:
        """Writes the EMA into the weights at the end of training, when ``use_ema``."""
        if self.use_ema and self.built:
            foreach.copy_(list(var_list), self.slots("_ema", list(var_list)))

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

