"""``save_model``/``load_model``/``save_weights``/``load_weights``: pick the format by file.

* ``.keras``: the Keras 3 archive (``keras_archive``);
* ``.h5``/``.hdf5``: the legacy tf.keras HDF5 format (``legacy_h5``);
* ``.weights.h5``: Keras 3's weights layout (``h5_weights``).

Loading is safe by default (``safe_mode=None`` counts as safe) and treats the file as
untrusted: a malformed or unsafe file raises ``cornu.saving.UnsafeFileError`` (a
``ValueError``), never anything that runs code from it.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib
from typing import Any

from cornu.saving import safety
from cornu.saving.object_registration import custom_object_scope
from cornu.saving.serialization_lib import SafeModeScope

# What a corrupt file makes the parsers raise; reported as UnsafeFileError.
_PARSE_ERRORS = (KeyError, TypeError, IndexError, AttributeError, OSError, EOFError,
                 RecursionError, UnicodeDecodeError, NotImplementedError, OverflowError,
                 RuntimeError, zipfile.BadZipFile, zlib.error, struct.error)


def _path(filepath: Any) -> str:
    try:
        return os.fspath(filepath)
    except TypeError as error:
        raise ValueError(f"Expected a file path (str or os.PathLike). Received: "
                         f"filepath={filepath!r}") from error


def _check_overwrite(path: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False: nothing was saved.")


def save_model(model: Any, filepath: Any, overwrite: bool = True, zipped: bool | None = None,
               include_optimizer: bool = True, **kwargs: Any) -> None:
    """Saves ``model`` as ``.keras`` (Keras 3 archive) or ``.h5`` (legacy HDF5), atomically.

    Example:
        >>> model.save("model.keras")
        >>> restored = cornu.models.load_model("model.keras")
    """
    if kwargs:
        raise ValueError(f"Unrecognized arguments for save_model: {sorted(kwargs)}.")
    path = _path(filepath)
    _check_overwrite(path, overwrite)
    if path.endswith(".keras"):
        if zipped is False:
            raise ValueError("cornu writes .keras files as zip archives only (zipped=False "
                             "is not supported).")
        from cornu.saving import keras_archive

        keras_archive.save_model(model, path, include_optimizer=include_optimizer)
    elif path.endswith((".h5", ".hdf5")):
        from cornu.saving import legacy_h5

        legacy_h5.save_model(model, path, include_optimizer=include_optimizer)
    else:
        raise ValueError("Invalid filepath extension for saving. Add a `.keras` extension for "
                         "the Keras format (recommended) or a `.h5` extension for the legacy "
                         f"HDF5 format. Received: filepath={path}")


def _exists(path: str) -> None:
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}. Please ensure the file is an "
                         "accessible `.keras` zip file or `.h5` file.")


def _guarded(path: str, load: Any) -> Any:
    try:
        return load()
    except safety.UnsafeFileError:
        raise
    except _PARSE_ERRORS as error:
        raise safety.UnsafeFileError(
            f"Could not load {path}: the file is corrupt, unsupported, or inconsistent "
            f"({type(error).__name__}: {error}).") from error


def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool | None = True) -> Any:
    """Loads a model saved as ``.keras`` (Keras 3, tf.keras 2, cornu) or legacy ``.h5``.

    Args:
        filepath: the file.
        custom_objects: ``{"Name": class_or_function}`` for your own classes.
        compile: also restore the compile settings and optimizer state.
        safe_mode: ``None`` or ``True`` (the default) refuse anything that could run code;
            nothing in the file can change it.
    """
    path = _path(filepath)
    _exists(path)
    with custom_object_scope(custom_objects), SafeModeScope(safe_mode):
        if zipfile.is_zipfile(path):
            from cornu.saving import keras_archive

            return _guarded(path, lambda: keras_archive.load_model(path, custom_objects,
                                                                   compile))
        if path.endswith((".h5", ".hdf5")) or _is_hdf5(path):
            from cornu.saving import legacy_h5

            return _guarded(path, lambda: legacy_h5.load_model(path, custom_objects, compile))
    raise ValueError(f"File format not supported: filepath={path}. cornu loads `.keras` zip "
                     "archives and legacy `.h5` files.")


def _is_hdf5(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(8) == b"\x89HDF\r\n\x1a\n"


def save_weights(model: Any, filepath: Any, overwrite: bool = True,
                 max_shard_size: Any = None) -> None:
    """Saves weights as ``.weights.h5`` (Keras 3 layout) or ``.h5`` (legacy layout)."""
    import h5py

    from cornu.saving import h5_weights, legacy_h5
    from cornu.saving.atomic import atomic_path

    path = _path(filepath)
    if max_shard_size is not None:
        raise ValueError("Sharded weights (max_shard_size) are not supported by cornu yet.")
    if not path.endswith((".weights.h5", ".h5", ".hdf5")):
        raise ValueError("The filename must end in `.weights.h5` (or `.h5` for the legacy "
                         f"layout). Received: filepath={path}")
    _check_overwrite(path, overwrite)
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as handle:
        if path.endswith(".weights.h5"):
            h5_weights.write_weights(model, handle)
        else:
            legacy_h5.write_weights_group(model, handle)


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False, by_name: bool = False,
                 **kwargs: Any) -> None:
    """Loads weights from ``.weights.h5``, ``.keras`` or legacy ``.h5`` files.

    Every shape is checked before any weight changes: on a mismatch the model is left
    unchanged (unless ``skip_mismatch``, which skips the mismatched layers).
    """
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {sorted(kwargs)}")
    path = _path(filepath)
    _exists(path)
    if zipfile.is_zipfile(path):
        from cornu.saving import keras_archive

        _guarded(path, lambda: keras_archive.load_weights(model, path, skip_mismatch))
        return
    _guarded(path, lambda: _load_h5_weights(model, path, skip_mismatch, by_name))


def _load_h5_weights(model: Any, path: str, skip_mismatch: bool, by_name: bool) -> None:
    from cornu.saving import h5_weights, legacy_h5

    with h5_weights.open_h5(path, path) as handle:
        if "layer_names" in handle.attrs or any(k.startswith("layer_names")
                                                for k in handle.attrs):
            legacy_h5.load_weights_group(model, handle, skip_mismatch, by_name, path)
        elif "model_weights" in handle:
            legacy_h5.load_weights_group(model, handle["model_weights"], skip_mismatch,
                                         by_name, path)
        else:
            h5_weights.read_weights(model, handle, skip_mismatch=skip_mismatch, source=path)


def model_to_json(model: Any, **kwargs: Any) -> str:
    """The model's config (Keras 3's schema) as JSON."""
    from cornu.saving.serialization_lib import serialize_keras_object

    return json.dumps(serialize_keras_object(model), **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """Builds a model (fresh weights) from :func:`model_to_json` output, Keras's or tf.keras's."""
    from cornu.saving.serialization_lib import deserialize_keras_object

    config = safety.loads_json(json_string, "model JSON")
    with custom_object_scope(custom_objects), SafeModeScope(True):
        return deserialize_keras_object(config, custom_objects=custom_objects, kind="layer")
