"""LossScaleOptimizer: dynamic loss scaling around another optimizer (mixed precision)."""

from __future__ import annotations

from typing import Any

from cornu import initializers, ops
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                  "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Scales the loss up (``scale_loss``) so float16 gradients do not underflow, and the
    gradients back down before ``inner_optimizer`` applies them.

    When a step's gradients hold an inf or NaN, the step is skipped and the scale halves;
    after ``dynamic_growth_steps`` finite steps in a row, the scale doubles. Deciding to
    skip reads one boolean back to the host per step (as ``torch.amp.GradScaler`` does).

    Example:
        >>> opt = LossScaleOptimizer(cornu.optimizers.Adam(), initial_scale=2.0 ** 15)
    """

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0 ** 15,
                 dynamic_growth_steps: int = 2000, name: str | None = None,
                 **kwargs: Any) -> None:
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                             "set `loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set "
                                 f"`{arg}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"`{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError("Argument `inner_optimizer` of LossScaleOptimizer must be an "
                             f"Optimizer. Received: inner_optimizer={inner_optimizer!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not unscale the gradients a second time.
        inner_optimizer.loss_scale_factor = None

    def build(self, variables: list) -> None:
        if self.built:
            return
        self.step_counter = self.add_variable((), dtype="int64", name="step_counter")
        self.dynamic_scale = self.add_variable(
            (), initializer=initializers.Constant(self.initial_scale), dtype="float32",
            name="dynamic_scale")
        self.inner_optimizer.build(variables)
        super().build(variables)

    @property
    def variables(self) -> list:
        return self._variables + self.inner_optimizer.variables

    def apply(self, grads: list, trainable_variables: list | None = None) -> None:
        grads = [None if g is None else ops.convert_to_tensor(g) for g in grads]
        if not self.built:
            self.build(trainable_variables if trainable_variables is not None else [])
        present = [g for g in grads if g is not None]
        if not present:
            raise ValueError("No gradients provided for any variable.")
        if bool(foreach.isfinite_all(present)):
            scale = self.dynamic_scale
            unscaled = [None if g is None else g / ops.cast(scale, g.dtype) for g in grads]
            self.inner_optimizer.apply(unscaled, trainable_variables)
            grow = ops.equal(self.step_counter, self.dynamic_growth_steps - 1)
            self.step_counter.assign(ops.where(grow, 0, self.step_counter + 1))
            self.dynamic_scale.assign(ops.where(grow, scale * 2.0, scale))
        else:
            self.step_counter.assign(0)
            self.dynamic_scale.assign(self.dynamic_scale * 0.5)

    @property
    def iterations(self) -> Any:
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self) -> Any:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self.inner_optimizer.learning_rate = value

    def scale_loss(self, loss: Any) -> Any:
        """``loss * dynamic_scale`` (the initial scale before the first step)."""
        return loss * (self.dynamic_scale if self.built else self.initial_scale)

    def finalize_variable_values(self, var_list: list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        from cornu.saving import serialization_lib

        return {"name": self.name,
                "inner_optimizer": serialization_lib.serialize_keras_object(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None
                    ) -> "LossScaleOptimizer":
        from cornu.saving import serialization_lib

        config = dict(config)
        inner = serialization_lib.deserialize_keras_object(config.pop("inner_optimizer"),
                                                           custom_objects=custom_objects)
        return cls(inner, **config)
