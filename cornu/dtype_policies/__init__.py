"""Dtype policies: which dtype a layer keeps its weights in and computes in."""

from __future__ import annotations

from typing import Any

from cornu import backend, config


class DTypePolicy:
    """A layer's dtypes: ``"float32"``, ``"float64"``, or mixed ``"mixed_float16"``.

    Example:
        >>> DTypePolicy("mixed_bfloat16").compute_dtype
        'bfloat16'
    """

    def __init__(self, name: str | None = None) -> None:
        name = name or config.floatx()
        if name.startswith("mixed_"):
            self._compute_dtype = backend.standardize_dtype(name[len("mixed_"):])
            self._variable_dtype = "float32"
        else:
            self._compute_dtype = self._variable_dtype = backend.standardize_dtype(name)
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._variable_dtype

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicy":
        return cls(**config)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    __hash__ = object.__hash__


_GLOBAL_POLICY: DTypePolicy | None = None


def set_dtype_policy(policy: str | DTypePolicy) -> None:
    """Sets the policy new layers use, e.g. ``set_dtype_policy("mixed_float16")``."""
    global _GLOBAL_POLICY
    _GLOBAL_POLICY = policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)


def dtype_policy() -> DTypePolicy:
    return _GLOBAL_POLICY or DTypePolicy(config.floatx())


def get(identifier: Any) -> DTypePolicy:
    """Resolves ``None``, a dtype name, a policy, or a serialized policy dict."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return DTypePolicy(**identifier.get("config", {}))
    return DTypePolicy(backend.standardize_dtype(identifier)
                       if not str(identifier).startswith("mixed_") else str(identifier))


def serialize(policy: DTypePolicy) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(),
            "registered_name": None}
