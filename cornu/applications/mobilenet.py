"""MobileNet (Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile
Vision Applications", 2017): depthwise separable convolutions with a width multiplier."""

from __future__ import annotations

import warnings
from typing import Any

from cornu import config, layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_SIZES = (128, 160, 192, 224)  # the input sizes ImageNet weights exist for
_ALPHAS = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}

# (pointwise filters, stride) of the 13 depthwise separable blocks
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def _rows_cols(input_shape: Any) -> tuple:
    if config.image_data_format() == "channels_first":
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def _default_size(input_shape: Any, sizes: tuple) -> int:
    """The input size itself when it is square and one weights exist for, else 224."""
    if input_shape is None:
        return 224
    rows, cols = _rows_cols(input_shape)
    return rows if rows == cols and rows in sizes else 224


def _separable_block(x: Any, filters: int, alpha: float, depth_multiplier: int, stride: int,
                     block_id: int) -> Any:
    axis = 1 if config.image_data_format() == "channels_first" else -1
    filters = int(filters * alpha)
    if stride != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if stride == 1 else "valid",
                               depth_multiplier=depth_multiplier, strides=(stride, stride),
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(filters, (1, 1), padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape: Any = None, alpha: float = 1.0, depth_multiplier: int = 1,
              dropout: float = 1e-3, include_top: bool = True, weights: Any = "imagenet",
              input_tensor: Any = None, pooling: Any = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str | None = None) -> Any:
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, _default_size(input_shape, _SIZES), 32,
                                          include_top, weights)
    rows, cols = _rows_cols(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1. "
                             f"Received depth_multiplier={depth_multiplier}")
        if alpha not in _ALPHAS:
            raise ValueError("If imagenet weights are being loaded, alpha can be one of "
                             f"`0.25`, `0.50`, `0.75` or `1.0` only. Received alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                          "[128, 160, 192, 224]. Weights for input shape (224, 224) will be "
                          "loaded as the default.", stacklevel=2)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = 1 if config.image_data_format() == "channels_first" else -1
    x = layers.Conv2D(int(32 * alpha), (3, 3), padding="same", use_bias=False, strides=(2, 2),
                      name="conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _separable_block(x, filters, alpha, depth_multiplier, stride, block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    model = _common.create_model(input_tensor, img_input, x, name)
    if weights != "imagenet":
        return _common.load_weights(model, weights)
    file_name = f"mobilenet_{_ALPHAS[alpha]}_{rows}_tf{'' if include_top else '_no_top'}.h5"
    # Keras publishes no hash for these files.
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name)


_common.document(MobileNet, " (Howard et al., 2017)", 224,
                 "Inputs go through ``preprocess_input`` first (pixels scaled to [-1, 1]).",
                 extra="""
        alpha: the width multiplier: < 1 thins every layer, > 1 widens it.
        depth_multiplier: the depth multiplier of the depthwise convolutions.
        dropout: the dropout rate before the classifier.""")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels from [0, 255] to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
