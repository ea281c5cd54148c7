"""InceptionV3 (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
CVPR 2016)."""

from __future__ import annotations

from typing import Any

from cornu import layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS_FILE = ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                "9a0d58056eeedaa3f26cb7ebd46da564")
WEIGHTS_FILE_NO_TOP = ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                       "bcbd6486424b2319ff4ef7d526e38f63")


def conv2d_bn(x: Any, filters: int, rows: int, cols: int, padding: str = "same",
              strides: tuple = (1, 1), name: str | None = None) -> Any:
    """Conv (no bias) -> BatchNormalization (no scale) -> ReLU."""
    x = layers.Conv2D(filters, (rows, cols), strides=strides, padding=padding, use_bias=False,
                      name=None if name is None else f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=_common.channel_axis(), scale=False,
                                  name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _avg_pool_branch(x: Any, filters: int) -> Any:
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _block_35(x: Any, pool_filters: int, name: str) -> Any:
    """The 35x35 module: 1x1, 5x5, double 3x3 and pooled branches."""
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(x, 48, 1, 1)
    b5 = conv2d_bn(b5, 64, 5, 5)
    b3 = conv2d_bn(x, 64, 1, 1)
    b3 = conv2d_bn(b3, 96, 3, 3)
    b3 = conv2d_bn(b3, 96, 3, 3)
    bp = _avg_pool_branch(x, pool_filters)
    return layers.concatenate([b1, b5, b3, bp], axis=_common.channel_axis(), name=name)


def _block_17(x: Any, filters: int, name: str) -> Any:
    """The 17x17 module with factorized 7x7 convolutions (1x7 and 7x1)."""
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(x, filters, 1, 1)
    b7 = conv2d_bn(b7, filters, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b77 = conv2d_bn(x, filters, 1, 1)
    b77 = conv2d_bn(b77, filters, 7, 1)
    b77 = conv2d_bn(b77, filters, 1, 7)
    b77 = conv2d_bn(b77, filters, 7, 1)
    b77 = conv2d_bn(b77, 192, 1, 7)
    bp = _avg_pool_branch(x, 192)
    return layers.concatenate([b1, b7, b77, bp], axis=_common.channel_axis(), name=name)


def _block_8(x: Any, index: int) -> Any:
    """The 8x8 module with expanded (1x3 and 3x1 side by side) branches."""
    axis = _common.channel_axis()
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=axis,
                            name=f"mixed9_{index}")
    b33 = conv2d_bn(x, 448, 1, 1)
    b33 = conv2d_bn(b33, 384, 3, 3)
    b33 = layers.concatenate([conv2d_bn(b33, 384, 1, 3), conv2d_bn(b33, 384, 3, 1)], axis=axis)
    bp = _avg_pool_branch(x, 192)
    return layers.concatenate([b1, b3, b33, bp], axis=axis, name=f"mixed{9 + index}")


def InceptionV3(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: Any = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "inception_v3") -> Any:
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, 299, 75, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _block_35(x, 32, "mixed0")
    x = _block_35(x, 64, "mixed1")
    x = _block_35(x, 64, "mixed2")
    # mixed3: 35x35 -> 17x17
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    b33 = conv2d_bn(x, 64, 1, 1)
    b33 = conv2d_bn(b33, 96, 3, 3)
    b33 = conv2d_bn(b33, 96, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b33, bp], axis=axis, name="mixed3")
    x = _block_17(x, 128, "mixed4")
    x = _block_17(x, 160, "mixed5")
    x = _block_17(x, 160, "mixed6")
    x = _block_17(x, 192, "mixed7")
    # mixed8: 17x17 -> 8x8
    b3 = conv2d_bn(x, 192, 1, 1)
    b3 = conv2d_bn(b3, 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, bp], axis=axis, name="mixed8")
    x = _block_8(x, 0)
    x = _block_8(x, 1)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights)
    else:
        x = _common.pool(x, pooling)
    model = _common.create_model(input_tensor, img_input, x, name)
    file_name, file_hash = WEIGHTS_FILE if include_top else WEIGHTS_FILE_NO_TOP
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


_common.document(InceptionV3, " (Szegedy et al., CVPR 2016)", 299,
                 "Inputs go through ``preprocess_input`` first (pixels scaled to [-1, 1]).")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels from [0, 255] to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
