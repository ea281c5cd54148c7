"""Reading the CIFAR "python version" batches (pickled dicts) with a restricted unpickler."""

from __future__ import annotations

import numpy as np

from cornu import config
from cornu.utils.safe_pickle import RestrictedUnpickler


def load_batch(fpath: str, label_key: str = "labels") -> tuple:
    """Returns ``(data, labels)`` of one CIFAR batch file: data ``(n, 3, 32, 32)`` uint8."""
    with open(fpath, "rb") as f:
        raw = RestrictedUnpickler(f, encoding="bytes").load()
    if not isinstance(raw, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch: expected a pickled dict, found "
                         f"{type(raw).__name__}.")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in raw.items()}
    data = np.asarray(batch["data"])
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def to_data_format(x: np.ndarray) -> np.ndarray:
    """CIFAR stores channels first; move them last unless the config asks otherwise."""
    return x.transpose(0, 2, 3, 1) if config.image_data_format() == "channels_last" else x
