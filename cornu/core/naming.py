"""Automatic, unique object names: ``dense``, ``dense_1``, ``dense_2`` ..."""

from __future__ import annotations

import re
from collections import defaultdict

_UIDS: defaultdict[str, int] = defaultdict(int)


def get_uid(prefix: str) -> int:
    """Returns 1 for the first call with ``prefix``, then 2, 3, ..."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def unique_name(prefix: str) -> str:
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def reset_uids() -> None:
    _UIDS.clear()


def to_snake_case(name: str) -> str:
    """``"Conv2DTranspose"`` -> ``"conv2d_transpose"``, as Keras names layers."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name
