"""Muon: momentum orthogonalized by Newton-Schulz iterations, for 2-D weights."""

from __future__ import annotations

import re
from typing import Any

from cornu import ops
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


def _swap_last_axes(x: Any) -> Any:
    return ops.swapaxes(x, -1, -2)


class Muon(Optimizer):
    """Muon (Jordan et al., 2024) for 2-D weights, AdamW for everything else.

    2-D variables step along the orthogonalized momentum (5 Newton-Schulz iterations with
    coefficients ``muon_a, muon_b, muon_c``), scaled by ``sqrt(max(rows, cols)) * rms_rate``
    (Moonlight's rule). Variables of other ranks, embeddings (when ``exclude_embeddings``)
    and those whose path matches a regex in ``exclude_layers`` use AdamW with
    ``learning_rate * adam_lr_ratio`` and ``adam_weight_decay``.
    """

    def __init__(self, learning_rate: Any = 0.001, adam_beta_1: float = 0.9,
                 adam_beta_2: float = 0.999, adam_weight_decay: float = 0.004,
                 epsilon: float = 1e-7, weight_decay: float = 0.004, name: str | None = None,
                 exclude_layers: list | None = None, exclude_embeddings: bool = True,
                 muon_a: float = 3.4445, muon_b: float = -4.775, muon_c: float = 2.0315,
                 adam_lr_ratio: float = 1, momentum: float = 0.95, ns_steps: int = 5,
                 nesterov: bool = True, rms_rate: float | None = 0.2, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         **kwargs)
        self.adam_beta_1, self.adam_beta_2, self.epsilon = adam_beta_1, adam_beta_2, epsilon
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable: Any) -> bool:
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", variable.name)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums, self.adam_velocities = [], []
        for variable in variables:
            self.momentums.append(self.add_variable_from_reference(variable, "momentum"))
            self.adam_velocities.append(
                self.add_variable_from_reference(variable, "velocity")
                if self._should_use_adamw(variable) else None)

    def _apply_weight_decay(self, variables: list, lr: Any) -> None:
        groups: dict = {}
        for v in variables:
            if id(v) not in self._decayed_ids:
                continue
            decay = self.adam_weight_decay if self._should_use_adamw(v) else self.weight_decay
            if decay is not None:
                groups.setdefault(decay, []).append(v)
        for decay, group in groups.items():
            foreach.mul_(group, 1.0 - lr * decay)

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        index = [self._get_variable_index(v) for v in variables]
        adam = [i for i, k in enumerate(index) if self.adam_velocities[k] is not None]
        muon = [i for i, k in enumerate(index) if self.adam_velocities[k] is None]
        if adam:
            self._adamw_update([grads[i] for i in adam], [variables[i] for i in adam],
                               [self.momentums[index[i]] for i in adam],
                               [self.adam_velocities[index[i]] for i in adam],
                               learning_rate * self.adam_lr_ratio)
        # Newton-Schulz works on each matrix separately (its matmuls depend on the shape).
        for i in muon:
            self._muon_update(grads[i], variables[i], self.momentums[index[i]], learning_rate)

    def _adamw_update(self, grads: list, variables: list, m: list, v: list, lr: Any) -> None:
        t = ops.cast(self.iterations + 1, "float32")
        alpha = lr * ops.sqrt(1.0 - ops.power(self.adam_beta_2, t)) / (
            1.0 - ops.power(self.adam_beta_1, t))
        foreach.lerp_(m, grads, 1.0 - self.adam_beta_1)
        foreach.lerp_(v, foreach.square(grads), 1.0 - self.adam_beta_2)
        denominator = foreach.add(foreach.sqrt(v), self.epsilon)
        foreach.sub_(variables, foreach.div(foreach.mul(m, alpha), denominator))

    def _muon_update(self, gradient: Any, variable: Any, m: Any, lr: Any) -> None:
        m.assign(self.momentum * m + gradient)
        direction = gradient + self.momentum * m if self.nesterov else m
        update = lr * self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        variable.assign_sub(self.lr_adjust(update))

    def lr_adjust(self, x: Any) -> Any:
        """Scales an orthogonalized update to match AdamW's RMS (Moonlight's rule)."""
        if self.rms_rate is None:
            return x
        rows, cols = ops.shape(x)[0], ops.shape(x)[1]
        return x * (max(rows, cols) ** 0.5) * self.rms_rate

    def zeropower_via_newtonschulz5(self, x: Any, steps: int) -> Any:
        """An approximate orthogonalization ``U V^T`` of ``x = U S V^T`` by a quintic
        Newton-Schulz iteration."""
        shape = ops.shape(x)
        if len(shape) < 2:
            raise ValueError("Expected gradient or momentum to have at least 2 dimensions. "
                             f"Received: shape={shape}")
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = shape[-2] > shape[-1]
        if tall:
            x = _swap_last_axes(x)
        # Ensure the spectral norm is at most 1.
        norm = ops.sqrt(ops.sum(ops.square(x), axis=(-2, -1), keepdims=True))
        x = x / (norm + 1e-7)
        for _ in range(steps):
            gram = ops.matmul(x, _swap_last_axes(x))
            x = a * x + ops.matmul(b * gram + c * ops.matmul(gram, gram), x)
        return _swap_last_axes(x) if tall else x

    def get_config(self) -> dict:
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate}
