"""Writes reference files with real Keras (run as a script with ``KERAS_BACKEND=torch``).

For each case: the architecture built by ``keras.applications`` with random weights (every
BatchNormalization's statistics, every bias and scale randomized too, so that each weight
matters), saved both as Keras 3 ``.weights.h5`` and in the legacy HDF5 layout of Keras's
ImageNet files, and the model's outputs on a fixed batch of preprocessed images.

Usage: ``python keras_reference.py OUT_DIR CASES_JSON``; CASES_JSON maps a case name to
``[builder, family module, kwargs, image shape]``.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.legacy.saving import legacy_h5_format  # noqa: E402

_POSITIVE = ("moving_variance", "variance", "gamma", "variable")


def randomize(model, rng):
    for w in model.weights:
        name = w.path.split("/")[-1]
        shape = tuple(w.shape)
        if name == "kernel" or name.endswith("_kernel"):
            continue  # Keras's own seeded initialization
        if name == "count":
            value = np.asarray(1000, dtype=w.dtype)
        elif any(name.startswith(p) for p in _POSITIVE):
            value = rng.uniform(0.5, 1.5, shape)
        else:
            value = rng.normal(0.0, 0.2, shape)
        w.assign(np.asarray(value, dtype=w.dtype))


def main(out_dir, cases):
    rng = np.random.default_rng(0)
    for case, (builder, module, kwargs, shape) in cases.items():
        keras.utils.set_random_seed(0)
        model = getattr(keras.applications, builder)(weights=None, **kwargs)
        randomize(model, rng)
        model.save_weights(os.path.join(out_dir, f"{case}.weights.h5"))
        with h5py.File(os.path.join(out_dir, f"{case}.h5"), "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
        raw = rng.uniform(0, 255, (2,) + tuple(shape)).astype("float32")
        pre = getattr(keras.applications, module).preprocess_input(raw.copy())
        out = keras.ops.convert_to_numpy(model(pre, training=False))
        np.savez(os.path.join(out_dir, f"{case}.npz"), raw=raw, pre=np.asarray(pre), out=out)


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
