"""Checks that treat model files as untrusted input.

* zip archives: members that are absolute, climb out with ``..``, are links, are
  duplicated, or exceed the size or compression-ratio limits are refused; members are
  read into memory with a hard cap, never extracted to disk;
* HDF5 files: only hard links to groups and numeric datasets; soft, external and
  user-defined links, virtual or externally stored datasets, and datasets whose declared
  size exceeds the limit are refused before any data is read;
* configs: bounded depth and size; a config that names ``enable_unsafe_deserialization``
  is refused (nothing in a file can switch safe mode off).

The limits are module attributes so that a caller with unusual models can raise them.
"""

from __future__ import annotations

import json
import stat
import zipfile
from typing import Any

MAX_MEMBER_BYTES = 8 * 1024**3          # one archive member, uncompressed
MAX_ARCHIVE_BYTES = 16 * 1024**3        # all members together, uncompressed
MAX_COMPRESSION_RATIO = 200             # uncompressed / compressed, for members over 1 MiB
MAX_JSON_BYTES = 64 * 1024**2           # config.json / metadata.json / HDF5 config attributes
MAX_DATASET_BYTES = 8 * 1024**3         # one HDF5 dataset's declared size
MAX_HDF5_OBJECTS = 1_000_000            # groups + datasets in one HDF5 file
MAX_CONFIG_DEPTH = 100                  # nesting of a model config


class UnsafeFileError(ValueError):
    """A model file was refused: it is malformed, corrupt, or tries something unsafe."""


# --- zip archives ----------------------------------------------------------------------------
def check_zip_members(archive: zipfile.ZipFile, source: str = "archive") -> None:
    """Refuses unsafe members of ``archive`` (see the module docstring)."""
    seen: set = set()
    total = 0
    for info in archive.infolist():
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise UnsafeFileError(f"{source}: refused member {name!r}: absolute paths are not "
                                  "allowed in a model archive.")
        if ".." in parts:
            raise UnsafeFileError(f"{source}: refused member {name!r}: '..' path components "
                                  "are not allowed in a model archive.")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeFileError(f"{source}: refused member {name!r}: links are not allowed "
                                  "in a model archive.")
        if name in seen:
            raise UnsafeFileError(f"{source}: member {name!r} appears twice.")
        seen.add(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise UnsafeFileError(f"{source}: member {name!r} declares {info.file_size} bytes, "
                                  f"over the limit of {MAX_MEMBER_BYTES} (cornu.saving.safety."
                                  "MAX_MEMBER_BYTES).")
        if info.file_size > 1024**2 and \
                info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise UnsafeFileError(
                f"{source}: member {name!r} expands {info.compress_size} bytes to "
                f"{info.file_size} (ratio over {MAX_COMPRESSION_RATIO}): refused as a "
                "possible zip bomb.")
        total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            raise UnsafeFileError(f"{source}: members declare more than {MAX_ARCHIVE_BYTES} "
                                  "bytes in total (cornu.saving.safety.MAX_ARCHIVE_BYTES).")


def read_member(archive: zipfile.ZipFile, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """Reads one member into memory if its declared size is within ``limit`` (zipfile
    stops at the declared size and checks the CRC, so a lying header fails to read)."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise UnsafeFileError(f"Archive member {name!r} declares {info.file_size} bytes, over "
                              f"the limit of {limit}.")
    with archive.open(info) as handle:
        return handle.read(limit)


# --- HDF5 ------------------------------------------------------------------------------------
def check_h5(h5file: Any, source: str = "HDF5 file") -> None:
    """Walks every link of an open ``h5py.File`` without following any, and refuses the
    unsafe ones: soft, external and user-defined links, virtual or external datasets,
    non-numeric datasets, and datasets declared larger than ``MAX_DATASET_BYTES``."""
    import h5py

    count = 0
    stack = [("", h5file)]
    while stack:
        prefix, group = stack.pop()
        for key in group.keys():
            path = f"{prefix}/{key}"
            link = group.get(key, getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise UnsafeFileError(f"{source}: refused {type(link).__name__} at {path!r}: "
                                      "model files may only hold hard links.")
            count += 1
            if count > MAX_HDF5_OBJECTS:
                raise UnsafeFileError(f"{source}: more than {MAX_HDF5_OBJECTS} objects.")
            obj = group.get(key)
            if isinstance(obj, h5py.Group):
                stack.append((path, obj))
            elif isinstance(obj, h5py.Dataset):
                check_dataset(obj, path, source)
            else:
                raise UnsafeFileError(f"{source}: refused {type(obj).__name__} at {path!r}: "
                                      "model files hold only groups and datasets.")


def check_dataset(dataset: Any, path: str, source: str = "HDF5 file") -> None:
    """Refuses virtual, externally stored, non-numeric or oversized datasets."""
    if dataset.is_virtual:
        raise UnsafeFileError(f"{source}: refused virtual dataset {path!r}: it reads data from "
                              "other files.")
    if dataset.external:
        raise UnsafeFileError(f"{source}: refused dataset {path!r} stored in external files.")
    if dataset.dtype.kind not in "biufc":
        raise UnsafeFileError(f"{source}: refused dataset {path!r} of dtype {dataset.dtype}: "
                              "weights are numeric arrays.")
    size = dataset.dtype.itemsize
    for d in dataset.shape or ():
        size *= int(d)
    if size > MAX_DATASET_BYTES:
        raise UnsafeFileError(
            f"{source}: dataset {path!r} declares shape {dataset.shape} ({size} bytes), over "
            f"the limit of {MAX_DATASET_BYTES} (cornu.saving.safety.MAX_DATASET_BYTES).")


# --- configs ---------------------------------------------------------------------------------
def loads_json(data: Any, what: str = "config") -> Any:
    """Parses JSON from an untrusted file, with size and depth limits."""
    if isinstance(data, bytes):
        if len(data) > MAX_JSON_BYTES:
            raise UnsafeFileError(f"The {what} is larger than {MAX_JSON_BYTES} bytes.")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnsafeFileError(f"The {what} is not valid UTF-8 text: {error}") from error
    if not isinstance(data, str):
        raise UnsafeFileError(f"The {what} must be JSON text. Received {type(data).__name__}.")
    if len(data) > MAX_JSON_BYTES:
        raise UnsafeFileError(f"The {what} is larger than {MAX_JSON_BYTES} bytes.")
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise UnsafeFileError(f"The {what} is not valid JSON: {error}") from error
    check_config(value, what)
    return value


def check_config(config: Any, what: str = "config") -> None:
    """Refuses configs that are too deep or that try to switch safe mode off."""
    stack = [(config, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise UnsafeFileError(f"The {what} is nested more than {MAX_CONFIG_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_string(key, what)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_string(value, what)


def _check_string(value: Any, what: str) -> None:
    if isinstance(value, str) and "enable_unsafe_deserialization" in value:
        raise UnsafeFileError(
            f"The {what} names 'enable_unsafe_deserialization': refused. Nothing in a file can "
            "switch safe mode off; only the caller can, with load_model(..., safe_mode=False).")
