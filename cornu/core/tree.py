"""Nested structures (lists, tuples, dicts of leaves), as Keras's ``tree`` utilities."""

from __future__ import annotations

from typing import Any, Callable


def is_nested(x: Any) -> bool:
    return isinstance(x, (list, tuple, dict))


def flatten(x: Any) -> list:
    """Leaves in order; dict values are visited in sorted key order, as Keras does."""
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for e in x for leaf in flatten(e)]
    return [x]


def map_structure(fn: Callable, x: Any) -> Any:
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[map_structure(fn, v) for v in x])
    if isinstance(x, (list, tuple)):
        return type(x)(map_structure(fn, v) for v in x)
    return fn(x)


def pack_sequence_as(structure: Any, flat: list) -> Any:
    """Inverse of :func:`flatten`: rebuilds ``structure`` with the leaves of ``flat``."""
    it = iter(flat)

    def rebuild(s):
        if isinstance(s, dict):
            out = {k: rebuild(s[k]) for k in sorted(s)}
            return {k: out[k] for k in s}
        if isinstance(s, (list, tuple)):
            return type(s)(rebuild(e) for e in s)
        return next(it)

    return rebuild(structure)
