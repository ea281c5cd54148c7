"""ConvLSTM1D/2D/3D against a reference written with torch.nn.functional convolutions."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import layers, ops
from tests.helpers import check_layer


def _x(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _reference_conv_lstm2d(x, kernel, recurrent_kernel, bias, padding, go_backwards=False):
    """Channels-last ConvLSTM2D with stride 1: every step, the Keras formulas."""
    xt = torch.tensor(x).permute(0, 1, 4, 2, 3)  # (B, T, C, H, W)
    w = torch.tensor(kernel).permute(3, 2, 0, 1)
    u = torch.tensor(recurrent_kernel).permute(3, 2, 0, 1)
    b = torch.tensor(bias)
    pad = kernel.shape[0] // 2 if padding == "same" else 0
    steps = range(x.shape[1])
    h = c = None
    outputs = []
    for t in (reversed(steps) if go_backwards else steps):
        zx = F.conv2d(xt[:, t], w, b, padding=pad)
        if h is None:
            h = c = torch.zeros(zx.shape[0], zx.shape[1] // 4, *zx.shape[2:])
        z = zx + F.conv2d(h, u, padding=u.shape[-1] // 2)
        i, f, g, o = z.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outputs.append(h.permute(0, 2, 3, 1).numpy())
    return np.stack(outputs, 1), c.permute(0, 2, 3, 1).numpy()


@pytest.mark.parametrize("padding,go_backwards", [("valid", False), ("same", True)])
def test_conv_lstm2d_matches_reference(padding, go_backwards):
    x = _x((2, 4, 6, 6, 2))
    layer = layers.ConvLSTM2D(3, 3, padding=padding, go_backwards=go_backwards,
                              return_sequences=True, return_state=True)
    layer(x)
    rng = np.random.default_rng(1)
    layer.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.3
                       for w in layer.get_weights()])
    seq, h, c = layer(x)
    expected_seq, expected_c = _reference_conv_lstm2d(x, *layer.get_weights(), padding,
                                                      go_backwards)
    np.testing.assert_allclose(ops.convert_to_numpy(seq), expected_seq, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(h), expected_seq[:, -1], rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(c), expected_c, rtol=1e-4, atol=1e-5)


def test_channels_first_matches_channels_last():
    x = _x((2, 3, 5, 5, 2))
    last = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    first = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True,
                              data_format="channels_first")
    last(x)
    first(np.transpose(x, (0, 1, 4, 2, 3)))
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(
        ops.convert_to_numpy(first(np.transpose(x, (0, 1, 4, 2, 3)))),
        np.transpose(ops.convert_to_numpy(last(x)), (0, 1, 4, 2, 3)), rtol=1e-5, atol=1e-6)


def test_shapes_weights_and_mask_for_each_rank():
    for cls, shape, expected in ((layers.ConvLSTM1D, (2, 3, 8, 2), (2, 3, 4, 4)),
                                 (layers.ConvLSTM2D, (2, 3, 7, 7, 2), (2, 3, 3, 3, 4)),
                                 (layers.ConvLSTM3D, (1, 2, 5, 5, 5, 1), (1, 2, 3, 3, 3, 4))):
        layer = cls(4, 3, strides=2 if cls is not layers.ConvLSTM3D else 1,
                    padding="same" if cls is layers.ConvLSTM1D else "valid",
                    return_sequences=True)
        out = layer(_x(shape))
        assert tuple(out.shape) == expected
        symbolic = cls.from_config(layer.get_config())(cornu.Input(shape[1:]))
        assert tuple(symbolic.shape) == (None, *expected[1:])
        rank = cls.rank
        assert [w.shape for w in layer.get_weights()] == [
            (3,) * rank + (shape[-1], 16), (3,) * rank + (4, 16), (16,)]
    # A masked step keeps the states: masking the last steps equals dropping them.
    layer = layers.ConvLSTM1D(2, 3, padding="same")
    x = _x((2, 4, 6, 3))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x, mask=mask))[:1],
                               ops.convert_to_numpy(layer(x[:1, :2])), rtol=1e-5, atol=1e-6)


def test_check_layer_and_dropout():
    check_layer(layers.ConvLSTM2D, {"filters": 2, "kernel_size": 2, "dropout": 0.2,
                                    "recurrent_dropout": 0.2}, (2, 3, 4, 4, 2), (2, 3, 3, 2))
    layer = layers.ConvLSTM1D(2, 3, dropout=0.5, seed=0)
    x = _x((2, 3, 6, 2))
    assert not np.allclose(ops.convert_to_numpy(layer(x, training=True)),
                           ops.convert_to_numpy(layer(x)))


def test_errors():
    with pytest.raises(ValueError, match=r"ConvLSTM2D.*rank 5.*\(2, 3, 4, 4\)"):
        layers.ConvLSTM2D(2, 3)(_x((2, 3, 4, 4)))
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="kernel_size"):
        layers.ConvLSTM2D(2, (3, 3, 3))
