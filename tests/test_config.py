"""Backend choice, floatx/epsilon/image_data_format, device placement."""

import os
import subprocess
import sys

import numpy as np
import pytest

import cornu
from cornu import config, ops


def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env})


def test_unknown_backend_is_a_clear_error():
    result = _run("import cornu", CORNU_BACKEND="jax")
    assert result.returncode != 0
    assert "Unknown cornu backend 'jax'" in result.stderr and "planned" in result.stderr


def test_device_override_and_scope():
    result = _run("import cornu; print(cornu.backend.get_device())", CORNU_DEVICE="cpu")
    assert result.stdout.strip() == "cpu"
    with cornu.device("cpu"):
        assert str(cornu.ops.ones((2,)).device) == "cpu"


def test_floatx_epsilon_and_data_format_setters():
    assert config.backend() == "torch" and config.floatx() == "float32"
    try:
        config.set_floatx("float64")
        assert ops.dtype(ops.convert_to_tensor(1.0)) == "float64"
        layer = cornu.layers.Dense(2)
        layer(np.zeros((1, 3)))
        assert layer.kernel.numpy().dtype == np.float64
    finally:
        config.set_floatx("float32")
    with pytest.raises(ValueError, match="floatx"):
        config.set_floatx("float8")
    old = config.epsilon()
    config.set_epsilon(1e-5)
    assert config.epsilon() == 1e-5
    config.set_epsilon(old)
    with pytest.raises(ValueError, match="data_format"):
        config.set_image_data_format("nhwc")
    assert cornu.backend.image_data_format() == "channels_last"
