"""Weight files written by real Keras load into cornu's architectures and reproduce Keras's
outputs: both Keras 3 ``.weights.h5`` files and the legacy layout of Keras's ImageNet files
(the latter also through ``weights="imagenet"``, served from a loopback server)."""

import hashlib
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import cornu
from cornu.applications import resnet
from tests.loopback import cornu_home, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(importlib.util.find_spec("keras") is None,
                                reason="real Keras is not installed")

# case: (builder, family module, keyword arguments, image shape); small images keep it fast.
CASES = {
    "vgg16": ("VGG16", "vgg16", {"include_top": False, "pooling": "max",
                                 "input_shape": [32, 32, 3]}, [32, 32, 3]),
    "resnet50": ("ResNet50", "resnet50", {"input_shape": [64, 64, 3], "classes": 10},
                 [64, 64, 3]),
    "resnet50_notop": ("ResNet50", "resnet50", {"include_top": False,
                                                "input_shape": [32, 32, 3]}, [32, 32, 3]),
    "mobilenet_v2": ("MobileNetV2", "mobilenet_v2", {"input_shape": [64, 64, 3], "classes": 7,
                                                     "alpha": 0.5}, [64, 64, 3]),
    "efficientnet_b0": ("EfficientNetB0", "efficientnet", {"input_shape": [64, 64, 3],
                                                           "classes": 5}, [64, 64, 3]),
    "densenet121": ("DenseNet121", "densenet", {"include_top": False, "pooling": "avg",
                                                "input_shape": [64, 64, 3]}, [64, 64, 3]),
    "inception_v3": ("InceptionV3", "inception_v3", {"include_top": False, "pooling": "avg",
                                                     "input_shape": [75, 75, 3]}, [75, 75, 3]),
    "convnext_tiny": ("ConvNeXtTiny", "convnext", {"input_shape": [64, 64, 3], "classes": 5},
                      [64, 64, 3]),
}
# Also loaded from Keras 3 ``.weights.h5`` files (nested Sequential, custom layers, and
# Normalization state): the other cases' layers are the same kinds.
KERAS3_FORMAT = ("convnext_tiny", "efficientnet_b0", "resnet50")
SCRIPT = pathlib.Path(__file__).with_name("keras_reference.py")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Runs real Keras once for every case (in a subprocess: Keras and cornu stay apart)."""
    out = tmp_path_factory.mktemp("keras_reference")
    env = dict(os.environ, KERAS_BACKEND="torch")
    run = subprocess.run([sys.executable, str(SCRIPT), str(out), json.dumps(CASES)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def _build(case, **overrides):
    builder, _, kwargs, _ = CASES[case]
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return getattr(cornu.applications, builder)(**{"weights": None, **kwargs, **overrides})


def _check_outputs(model, data):
    out = cornu.ops.convert_to_numpy(model(data["pre"], training=False))
    expected = data["out"]
    assert out.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize("case", sorted(CASES))
def test_keras_weights_files_reproduce_keras_outputs(case, reference):
    data = np.load(reference / f"{case}.npz")
    module = getattr(cornu.applications, CASES[case][1])
    # The family's preprocess_input computes what Keras's does.
    np.testing.assert_allclose(module.preprocess_input(data["raw"].copy()), data["pre"],
                               rtol=1e-6, atol=1e-4)
    legacy = _build(case, weights=str(reference / f"{case}.h5"))  # loaded by layer order
    _check_outputs(legacy, data)
    if case in KERAS3_FORMAT:
        keras3 = _build(case)
        keras3.load_weights(str(reference / f"{case}.weights.h5"))  # loaded by object path
        _check_outputs(keras3, data)


def test_imagenet_weights_download_once_and_load(reference, server, cornu_home, monkeypatch):
    """``weights="imagenet"`` fetches Keras's file through get_file (hash checked, cached in
    ``models``); here the "ImageNet" file is the Keras-written one, served locally."""
    payload = (reference / "resnet50_notop.h5").read_bytes()
    file_name = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    server.add(f"resnet/{file_name}", payload)
    monkeypatch.setattr(resnet, "WEIGHTS_ROOT", server.base + "resnet/")
    monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50",
                        ("unused", hashlib.sha256(payload).hexdigest()))
    data = np.load(reference / "resnet50_notop.npz")
    model = cornu.applications.ResNet50(weights="imagenet", include_top=False,
                                        input_shape=(32, 32, 3))
    _check_outputs(model, data)
    assert (cornu_home / "models" / file_name).read_bytes() == payload
    cornu.applications.ResNet50(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    assert len(server.requests) == 1  # the second model used the cache


def test_imagenet_weights_with_a_wrong_hash_are_refused(reference, server, cornu_home,
                                                        monkeypatch):
    payload = (reference / "resnet50_notop.h5").read_bytes()
    server.add("resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", payload)
    monkeypatch.setattr(resnet, "WEIGHTS_ROOT", server.base + "resnet/")
    monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50", ("unused", "0" * 64))
    with pytest.raises(ValueError, match="hash"):
        cornu.applications.ResNet50(weights="imagenet", include_top=False,
                                    input_shape=(32, 32, 3))
