"""The ``.keras`` archive: a zip of ``metadata.json``, ``config.json`` and ``model.weights.h5``.

``config.json`` is the model serialized in Keras 3's schema (with ``build_config`` and
``compile_config``); ``model.weights.h5`` is Keras 3's weights layout (see
``h5_weights``). Members are stored uncompressed, as Keras writes them. Reading checks
every member first (see ``safety``) and never extracts anything to disk; tf.keras 2's
``.keras`` archives (same members, older configs) load too.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any

from cornu.saving import h5_weights, safety
from cornu.saving.legacy_h5 import KERAS_VERSION
from cornu.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"


def weights_bytes(model: Any, include_optimizer: bool = True) -> bytes:
    """``model``'s state as the bytes of a Keras 3 ``.weights.h5`` file."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        h5_weights.write_weights(model, handle, include_optimizer=include_optimizer)
    return buffer.getvalue()


def save_model(model: Any, filepath: str, include_optimizer: bool = True) -> None:
    """Writes ``model`` as a ``.keras`` archive (atomically)."""
    from cornu.saving.atomic import atomic_path

    config = serialize_keras_object(model)
    compile_config = model.get_compile_config() if include_optimizer else None
    if compile_config:
        config["compile_config"] = compile_config
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights = weights_bytes(model, include_optimizer)
    with atomic_path(filepath) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(METADATA, json.dumps(metadata))
        archive.writestr(CONFIG, json.dumps(config))
        archive.writestr(WEIGHTS, weights)


def _open(filepath: Any) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(filepath, "r")
    except zipfile.BadZipFile as error:
        raise safety.UnsafeFileError(f"{filepath} is not a valid .keras archive: {error}") \
            from error
    try:
        safety.check_zip_members(archive, str(filepath))
    except BaseException:
        archive.close()
        raise
    return archive


def _weights(archive: zipfile.ZipFile, source: str) -> bytes:
    names = archive.namelist()
    if WEIGHTS not in names:
        other = [n for n in names if n.startswith("model.weights")]
        hint = f" (it holds {other}: only the HDF5 weights layout is supported)" if other else ""
        raise safety.UnsafeFileError(f"{source} has no {WEIGHTS}{hint}.")
    return safety.read_member(archive, WEIGHTS)


def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True) -> Any:
    """Reads a ``.keras`` archive written by cornu, Keras 3 or tf.keras 2."""
    source = str(filepath)
    with _open(filepath) as archive:
        if CONFIG not in archive.namelist():
            raise safety.UnsafeFileError(f"{source} has no {CONFIG}: not a .keras archive.")
        config = safety.loads_json(safety.read_member(archive, CONFIG, safety.MAX_JSON_BYTES),
                                   f"{CONFIG} of {source}")
        if not isinstance(config, dict):
            raise safety.UnsafeFileError(f"{CONFIG} of {source} must hold an object.")
        weights = _weights(archive, source)
    compile_config = config.pop("compile_config", None)
    model = deserialize_keras_object(config, custom_objects=custom_objects, kind="layer")
    if not hasattr(model, "compile_from_config"):
        raise safety.UnsafeFileError(f"{source} does not hold a model (it holds "
                                     f"{type(model).__name__}).")
    if compile and compile_config:
        model.compile_from_config(compile_config)
    with h5_weights.open_h5(weights, f"{WEIGHTS} in {source}") as handle:
        h5_weights.read_weights(model, handle, source=source)
    return model


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False) -> None:
    """Loads the weights (and optimizer state) of a ``.keras`` archive into ``model``."""
    source = str(filepath)
    with _open(filepath) as archive:
        weights = _weights(archive, source)
    with h5_weights.open_h5(weights, f"{WEIGHTS} in {source}") as handle:
        h5_weights.read_weights(model, handle, skip_mismatch=skip_mismatch, source=source)
