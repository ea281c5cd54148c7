"""Reading pickle-based data files (CIFAR batches, ragged ``.npz`` arrays) without running code.

A pickle can call any importable function while it loads. :class:`RestrictedUnpickler`
admits only plain data: the containers, strings, bytes and numbers pickle builds with its
own opcodes, ``set``/``frozenset``, and NumPy arrays, dtypes and scalars rebuilt through
wrappers that refuse subclasses. Every other global (``os.system``, ``builtins.eval``, a
user class ...) raises ``pickle.UnpicklingError``.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from typing import Any, BinaryIO

import numpy as np


def _reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    # numpy pickles an array as _reconstruct(ndarray, (0,), b"b") followed by __setstate__;
    # only the plain ndarray type may be built, never a subclass named by the file.
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"Refusing to rebuild an array of type {subtype!r}: only "
                                     "numpy.ndarray is allowed.")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _scalar(dtype: Any, *data: Any) -> Any:
    if not isinstance(dtype, np.dtype):
        raise pickle.UnpicklingError(f"Refusing a numpy scalar of dtype {dtype!r}.")
    if dtype.hasobject:
        return data[0] if data else None
    raw = data[0].encode("latin1") if isinstance(data[0], str) else data[0]
    return np.frombuffer(raw, dtype=dtype, count=1)[0]


def _frombuffer(buffer: Any, dtype: Any, shape: Any, order: str) -> np.ndarray:
    # Protocol-5 pickles of contiguous arrays; object arrays never take this path.
    dtype = np.dtype(dtype)
    if dtype.hasobject or order not in ("C", "F"):
        raise pickle.UnpicklingError(f"Refusing an out-of-band array of dtype {dtype!r}.")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order).copy()


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    # Python 3 writes bytes in protocol-2 pickles as _codecs.encode(text, "latin1").
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise pickle.UnpicklingError(f"Refusing _codecs.encode with encoding {encoding!r}.")
    return text.encode("latin1")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("__builtin__", "set"): set,  # protocol-2 pickles name Python 2's module
    ("__builtin__", "frozenset"): frozenset,
    ("_codecs", "encode"): _latin1_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds plain data and NumPy arrays and nothing else.

    Example:
        >>> with open("data_batch_1", "rb") as f:
        ...     batch = RestrictedUnpickler(f, encoding="bytes").load()
    """

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(
                f"Refusing to load global '{module}.{name}' from a pickle: data files may only "
                "hold containers, strings, bytes, numbers and NumPy arrays.")
        return found


def restricted_load(file: BinaryIO, encoding: str = "ASCII") -> Any:
    """Unpickles ``file`` with :class:`RestrictedUnpickler`."""
    return RestrictedUnpickler(file, encoding=encoding).load()


def restricted_loads(data: bytes, encoding: str = "ASCII") -> Any:
    """Unpickles the bytes ``data`` with :class:`RestrictedUnpickler`."""
    return restricted_load(io.BytesIO(data), encoding=encoding)


def _read_npy(fp: BinaryIO) -> np.ndarray:
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        # Version 3.0 only differs in the header's text encoding; numpy reads it for us.
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    if not dtype.hasobject:
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    array = RestrictedUnpickler(fp, encoding="latin1").load()
    if not isinstance(array, np.ndarray):
        raise pickle.UnpicklingError(f"Expected a pickled numpy array, found {type(array)}.")
    return array


def load_npz(path: str) -> dict:
    """Loads every array of an ``.npz`` file, object arrays included, without running code.

    ``np.load(path, allow_pickle=True)`` would let the file call any function; here object
    arrays (ragged sequences such as IMDB reviews) are rebuilt by :class:`RestrictedUnpickler`.
    """
    out = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".npy"):
                continue
            with archive.open(name) as member:
                out[name[:-4]] = _read_npy(io.BytesIO(member.read()))
    return out
