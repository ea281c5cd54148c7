"""Reshaping layers: padding, cropping, upsampling, permutation and repetition."""

import numpy as np
import pytest
import torch.nn.functional as F

import cornu
from cornu import layers, ops
from tests.helpers import check_layer
from tests.layers.test_conv import assert_same_numbers_and_grads, input_tensor


def numpy_of(layer, x, **kwargs):
    return ops.convert_to_numpy(layer(x, **kwargs))


def test_zero_padding_and_cropping_match_numpy():
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 3)).astype("float32")
    out = numpy_of(layers.ZeroPadding2D(((1, 2), (3, 0))), x)
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (1, 2), (3, 0), (0, 0))))
    out = numpy_of(layers.ZeroPadding2D((1, 2), data_format="channels_first"), x)
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2))))
    out = numpy_of(layers.Cropping2D(((1, 0), (2, 1))), x)
    np.testing.assert_array_equal(out, x[:, 1:, 2:4])
    out = numpy_of(layers.Cropping1D((1, 2)), x[:, :, :, 0])
    np.testing.assert_array_equal(out, x[:, 1:2, :, 0])
    vol = np.ones((1, 3, 4, 5, 4), "float32")
    assert layers.Cropping3D((1, 0, 1), data_format="channels_first")(vol).shape == \
        (1, 3, 2, 5, 2)
    assert layers.ZeroPadding1D((2, 0))(x[:, :, :, 0]).shape == (2, 6, 5)


def test_upsampling_nearest_and_bilinear():
    x = np.arange(8, dtype="float32").reshape(1, 2, 2, 2)
    out = numpy_of(layers.UpSampling2D((2, 3)), x)
    np.testing.assert_array_equal(out, x.repeat(2, axis=1).repeat(3, axis=2))
    out = numpy_of(layers.UpSampling1D(3), x[:, :, 0])
    np.testing.assert_array_equal(out, x[:, :, 0].repeat(3, axis=1))
    out = numpy_of(layers.UpSampling3D(), x[:, :, :, :, None])
    assert out.shape == (1, 4, 4, 4, 1)
    t = input_tensor((1, 3, 4, 2))
    layer = layers.UpSampling2D((3, 2), interpolation="bilinear")

    def reference(t):
        out = F.interpolate(t.movedim(-1, 1), scale_factor=(3, 2), mode="bilinear",
                            align_corners=False)
        return out.movedim(1, -1)

    assert_same_numbers_and_grads(layer, t, reference, [])


def test_permute_and_repeat_vector():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype("float32")
    np.testing.assert_array_equal(numpy_of(layers.Permute((3, 1, 2)), x),
                                  x.transpose(0, 3, 1, 2))
    v = x[:, 0, 0]
    np.testing.assert_array_equal(numpy_of(layers.RepeatVector(3), v),
                                  np.repeat(v[:, None], 3, axis=1))


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.ZeroPadding3D, {"padding": 1}, (1, 2, 2, 2, 3), (1, 4, 4, 4, 3)),
    (layers.ZeroPadding1D, {"padding": (1, 2)}, (2, 3, 4), (2, 6, 4)),
    (layers.Cropping2D, {"cropping": 1, "data_format": "channels_first"}, (2, 3, 5, 5),
     (2, 3, 3, 3)),
    (layers.Cropping3D, {"cropping": ((1, 1), (0, 1), (1, 0))}, (1, 4, 4, 4, 2),
     (1, 2, 3, 3, 2)),
    (layers.UpSampling2D, {"size": 2, "interpolation": "bilinear",
                           "data_format": "channels_first"}, (1, 2, 3, 3), (1, 2, 6, 6)),
    (layers.UpSampling1D, {"size": 2}, (2, 3, 4), (2, 6, 4)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (layers.RepeatVector, {"n": 4}, (2, 3), (2, 4, 3)),
    (layers.Reshape, {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2)),
])
def test_check_layer(cls, kwargs, shape, out):
    check_layer(cls, kwargs, shape, out, train=False)


def test_configs_match_keras():
    assert layers.ZeroPadding2D().get_config()["padding"] == ((1, 1), (1, 1))
    assert layers.ZeroPadding1D().get_config()["padding"] == (1, 1)
    assert "data_format" not in layers.Cropping1D().get_config()
    assert layers.Cropping1D().get_config()["cropping"] == (1, 1)
    assert layers.UpSampling1D().get_config()["size"] == 2
    assert layers.UpSampling2D().get_config()["interpolation"] == "nearest"


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D(-1)
    with pytest.raises(ValueError, match=r"Cropping2D 'cr'.*at least one position"):
        layers.Cropping2D(2, name="cr")(np.zeros((1, 4, 4, 1), "float32"))
    with pytest.raises(ValueError, match="at least one position"):
        layers.Cropping1D(3)(cornu.Input((5, 2)))
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="area")
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match="ndim=2"):
        layers.RepeatVector(2)(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="rank 2"):
        layers.RepeatVector(2).compute_output_shape((2, 3, 4))
