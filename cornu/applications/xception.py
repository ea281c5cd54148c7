"""Xception (Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions",
CVPR 2017)."""

from __future__ import annotations

from typing import Any

from cornu import config, layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS_FILE = ("xception_weights_tf_dim_ordering_tf_kernels.h5",
                "0a58e3b7378bc2990ea3b43d5981f1f6")
WEIGHTS_FILE_NO_TOP = ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                       "b0042744bf5b25fce3cb969f33bebb97")


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else -1


def _sepconv_bn(x: Any, filters: int, name: str) -> Any:
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=_axis(), name=f"{name}_bn")(x)


def _entry_block(x: Any, filters: tuple, block: int, relu_first: bool = True) -> Any:
    """Two separable convs and a strided max pooling, plus a strided 1x1 conv shortcut."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = layers.BatchNormalization(axis=_axis())(residual)
    if relu_first:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _sepconv_bn(x, filters[0], f"block{block}_sepconv1")
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sepconv_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def Xception(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
             input_shape: Any = None, pooling: Any = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "xception") -> Any:
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, 299, 71, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _axis()
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _entry_block(x, (128, 128), 2, relu_first=False)
    x = _entry_block(x, (256, 256), 3)
    x = _entry_block(x, (728, 728), 4)
    for i in range(5, 13):  # the middle flow: eight residual triples of separable convs
        residual = x
        for j in (1, 2, 3):
            x = layers.Activation("relu", name=f"block{i}_sepconv{j}_act")(x)
            x = _sepconv_bn(x, 728, f"block{i}_sepconv{j}")
        x = layers.add([x, residual])
    x = _entry_block(x, (728, 1024), 13)
    x = _sepconv_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sepconv_bn(x, 2048, "block14_sepconv2")
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights)
    else:
        x = _common.pool(x, pooling)
    model = _common.create_model(input_tensor, img_input, x, name)
    file_name, file_hash = WEIGHTS_FILE if include_top else WEIGHTS_FILE_NO_TOP
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


_common.document(Xception, " (Chollet, CVPR 2017)", 299,
                 "Inputs go through ``preprocess_input`` first (pixels scaled to [-1, 1]).")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels from [0, 255] to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
