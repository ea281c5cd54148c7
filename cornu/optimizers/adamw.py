"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from typing import Any

from cornu.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): before each step the
    weights shrink by ``learning_rate * weight_decay`` (the base class applies it).

    Example:
        >>> AdamW(learning_rate=1e-3, weight_decay=0.01)
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, name: str | None = None, **kwargs: Any) -> None:
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` of AdamW must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name, weight_decay=weight_decay,
                         **kwargs)
