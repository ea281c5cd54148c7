"""Weights in Keras 3's HDF5 layout (``.weights.h5``, and ``model.weights.h5`` in a ``.keras``).

Each object of the model's state tree (see ``state_tree``) has a group ``<path>/vars``
holding its variables as datasets ``0``, ``1``, ...; the group's ``name`` attribute is
the object's name. The optimizer is at ``optimizer/vars`` (``[iteration, learning_rate,
slots...]``).
"""

from __future__ import annotations

import contextlib
import io
from typing import Any, Iterator

import numpy as np

from cornu.saving import safety, state_tree


def write_weights(model: Any, h5file: Any, include_optimizer: bool = True) -> None:
    """Writes ``model``'s state (weights, and optimizer state if built) into ``h5file``."""
    for path, name, store in state_tree.collect_state(model):
        if not include_optimizer and path.split("/")[0] == "optimizer":
            continue
        group = h5file.require_group(f"{path}/vars" if path else "vars")
        if isinstance(name, str):
            group.attrs["name"] = name
        for key, array in store.items():
            group.create_dataset(key, data=np.asarray(array))


@contextlib.contextmanager
def open_h5(source: Any, what: str) -> Iterator[Any]:
    """Opens a path or bytes as a read-only ``h5py.File`` after the safety checks."""
    import h5py

    try:
        handle = h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r")
    except (OSError, ValueError) as error:
        raise safety.UnsafeFileError(f"{what} is not a readable HDF5 file: {error}") from error
    try:
        safety.check_h5(handle, what)
        yield handle
    finally:
        handle.close()


def _read_group(h5file: Any, key: str) -> list | None:
    import h5py

    if key not in h5file:
        return None
    group = h5file[key]
    if not isinstance(group, h5py.Group):
        raise safety.UnsafeFileError(f"{key!r} in the weights file is not a group.")
    names = list(group.keys())
    expected = [str(i) for i in range(len(names))]
    if sorted(names, key=lambda n: (len(n), n)) != expected:
        raise safety.UnsafeFileError(f"The weights group {key!r} holds {sorted(names)}; "
                                     "expected datasets named 0, 1, 2, ...")
    arrays = []
    for name in expected:
        dataset = group[name]
        if not isinstance(dataset, h5py.Dataset):
            raise safety.UnsafeFileError(f"{key}/{name} in the weights file is not a dataset.")
        arrays.append(np.asarray(dataset[()]))
    return arrays


def learning_rate_fixup(optimizer: Any, arrays: list) -> list:
    """tf.keras 2 saved ``[iteration, slots...]``; Keras 3 and cornu keep the learning rate
    second. Insert the current value so the counts line up."""
    variables = optimizer.variables
    if len(arrays) == len(variables) - 1 and len(variables) > 1 and \
            getattr(variables[1], "name", "") == "learning_rate":
        from cornu import backend

        return [arrays[0], backend.convert_to_numpy(variables[1])] + list(arrays[1:])
    return arrays


def read_weights(model: Any, h5file: Any, skip_mismatch: bool = False,
                 source: str = "weights file") -> None:
    """Loads ``model``'s state from an open file in Keras 3's layout (checked first)."""
    from cornu.saving.compile_config import build_optimizer_if_needed

    build_optimizer_if_needed(model, _read_group(h5file, "optimizer/vars"))

    def read(path: str) -> list | None:
        found = _read_group(h5file, f"{path}/vars" if path else "vars")
        head, _, last = path.rpartition("/")
        if found is None and head and not last.startswith("_"):
            # tf.keras 2 named some sublayers by their private attribute (MultiHeadAttention's
            # `_query_dense`) where Keras 3 uses the public property (`query_dense`).
            found = _read_group(h5file, f"{head}/_{last}/vars")
        return found

    state_tree.load_state(model, read, skip_mismatch=skip_mismatch,
                          optimizer_fixup=learning_rate_fixup, source=source)
