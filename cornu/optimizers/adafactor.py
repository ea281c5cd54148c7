"""Adafactor: Adam-like steps with factored second moments (sublinear memory)."""

from __future__ import annotations

from typing import Any

from cornu import backend, ops
from cornu.optimizers.optimizer import Optimizer


def _rms(x: Any) -> Any:
    return ops.sqrt(ops.mean(ops.square(x)))


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018). For variables of rank >= 2 the second moment is
    kept as row and column averages over the last two axes; smaller ones keep it whole.

    Args:
        beta_2_decay: the second-moment decay is ``1 - t ** beta_2_decay``.
        epsilon_1: added to the squared gradients.
        epsilon_2: the floor of the parameter scale ``max(epsilon_2, rms(w))``.
        clip_threshold: updates are scaled down when their RMS exceeds it.
        relative_step: cap a constant learning rate at ``1 / sqrt(t)``.
    """

    def __init__(self, learning_rate: Any = 0.001, beta_2_decay: float = -0.8,
                 epsilon_1: float = 1e-30, epsilon_2: float = 1e-3, clip_threshold: float = 1.0,
                 relative_step: bool = True, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for variable in variables:
            shape, dtype = tuple(variable.shape), backend.dtype(variable)
            # Variables of rank < 2 are not factored; Keras still gives them two scalar
            # placeholders, kept here so saved optimizer states line up.
            factored = len(shape) >= 2
            self._r.append(self.add_variable(shape[:-1] if factored else (), dtype=dtype,
                                             name=variable.name))
            self._c.append(self.add_variable(shape[:-2] + shape[-1:] if factored else (),
                                             dtype=dtype, name=variable.name))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        # The factored moments reduce over axes that differ per variable, so this rule runs
        # per variable; each step is a handful of fused tensor ops.
        step = ops.cast(self.iterations + 1, "float32")
        lr = learning_rate
        if self.relative_step and isinstance(self._learning_rate, backend.Variable):
            lr = ops.minimum(lr, 1.0 / ops.sqrt(step))
        rho = ops.minimum(lr, 1.0 / ops.sqrt(step))
        beta = 1.0 - ops.power(step, self.beta_2_decay)
        for gradient, variable in zip(grads, variables):
            index = self._get_variable_index(variable)
            r, c, v = self._r[index], self._c[index], self._v[index]
            alpha = ops.maximum(self.epsilon_2, _rms(variable)) * rho
            squared = ops.square(gradient) + self.epsilon_1
            if len(variable.shape) >= 2:
                r.assign(beta * r + (1.0 - beta) * ops.mean(squared, axis=-1))
                c.assign(beta * c + (1.0 - beta) * ops.mean(squared, axis=-2))
                row = r / ops.mean(r, axis=-1, keepdims=True)
                v.assign(ops.expand_dims(row, -1) * ops.expand_dims(c, -2))
            else:
                v.assign(beta * v + (1.0 - beta) * squared)
            u = gradient / ops.sqrt(v)
            u = u / ops.maximum(1.0, _rms(u) / self.clip_threshold)
            variable.assign_sub(alpha * u)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}
