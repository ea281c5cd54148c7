"""cornu.ops convolution, pooling and normalization ops: Keras's signatures and numbers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cornu import ops

RNG = np.random.default_rng(0)


def arr(*shape):
    return RNG.standard_normal(shape).astype("float32")


def test_conv_infers_groups_from_the_kernel():
    x, kernel = arr(2, 6, 6, 4), arr(3, 3, 2, 6)  # 4 channels / 2 per group -> 2 groups
    out = ops.convert_to_numpy(ops.conv(x, kernel))
    want = F.conv2d(torch.tensor(x).permute(0, 3, 1, 2), torch.tensor(kernel).permute(3, 2, 0, 1),
                    groups=2).permute(0, 2, 3, 1)
    np.testing.assert_allclose(out, want.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="not a multiple"):
        ops.conv(arr(1, 6, 6, 5), kernel)


def test_conv_transpose_and_separable_shapes():
    x = arr(1, 5, 7, 3)
    assert ops.conv_transpose(x, arr(3, 3, 4, 3), 2, "same").shape == (1, 10, 14, 4)
    assert ops.conv_transpose(x, arr(3, 3, 4, 3), 2, "valid", output_padding=1).shape == \
        (1, 12, 16, 4)
    assert ops.separable_conv(x, arr(3, 3, 3, 2), arr(1, 1, 6, 8), 1, "same").shape == \
        (1, 5, 7, 8)
    with pytest.raises(ValueError, match="input channels"):
        ops.conv_transpose(x, arr(3, 3, 4, 5))


def test_pools_follow_keras_shapes_and_data_format():
    x = arr(2, 3, 7, 9)  # channels_first
    assert ops.max_pool(x, 2, data_format="channels_first").shape == (2, 3, 3, 4)
    assert ops.average_pool(x, 3, 2, "same", data_format="channels_first").shape == (2, 3, 4, 5)
    assert ops.adaptive_max_pool(x, (2, 3), data_format="channels_first").shape == (2, 3, 2, 3)
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        ops.max_pool(arr(2, 3), 2)


def test_layer_and_rms_normalization_on_any_axes():
    x = arr(2, 3, 4)
    out = ops.convert_to_numpy(ops.layer_normalization(x, axis=1, epsilon=1e-5))
    mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)
    out = ops.convert_to_numpy(ops.rms_normalization(x, axis=[1, 2], epsilon=1e-6))
    np.testing.assert_allclose(out, x / np.sqrt((x ** 2).mean((1, 2), keepdims=True) + 1e-6),
                               rtol=1e-5)


def test_batch_normalization_fused_and_composed_paths_agree():
    x = arr(4, 5, 3)
    mean, var, gamma, beta = arr(3), np.abs(arr(3)) + 0.5, arr(3), arr(3)
    fused = ops.convert_to_numpy(ops.batch_normalization(x, mean, var, -1, beta, gamma))
    np.testing.assert_allclose(fused, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-5, atol=1e-6)
    out, batch_mean, batch_var = ops.batch_normalization_with_moments(x, 1, epsilon=1e-3)
    np.testing.assert_allclose(ops.convert_to_numpy(batch_mean), x.mean((0, 2)), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(batch_var), x.var((0, 2)), rtol=1e-5)
    single = arr(1, 3)  # one value per channel: zero variance instead of torch's error
    out, _, variance = ops.batch_normalization_with_moments(single, -1)
    np.testing.assert_allclose(ops.convert_to_numpy(out), 0.0, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(variance), 0.0)

