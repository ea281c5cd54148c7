"""InceptionResNetV2 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of
Residual Connections on Learning", AAAI 2017)."""

from __future__ import annotations

from typing import Any

from cornu import layers
from cornu.applications import _common, imagenet_utils
from cornu.saving.serialization_lib import register_builtin

WEIGHTS_ROOT = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                "inception_resnet_v2/")
WEIGHTS_FILE = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
                "e693bd0210a403b3192acc6073ad2e96")
WEIGHTS_FILE_NO_TOP = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
                       "d19885ff4a710c122648d3b5c3b684e4")


class CustomScaleLayer(layers.Layer):
    """``inputs[0] + inputs[1] * scale``: a residual branch added with a fixed scale."""

    def __init__(self, scale: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs: list) -> Any:
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape: list) -> tuple:
        return tuple(input_shape[0])

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale}


# Keras files name the class "CustomScaleLayer"; loading resolves it from cornu's registry.
register_builtin(CustomScaleLayer)


def conv2d_bn(x: Any, filters: int, kernel_size: Any, strides: int = 1, padding: str = "same",
              activation: str | None = "relu", use_bias: bool = False,
              name: str | None = None) -> Any:
    """Conv, then BatchNormalization (no scale) unless the conv has a bias, then activation."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias,
                      name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=_common.channel_axis(), scale=False,
                                      name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _branches(x: Any, block_type: str) -> list:
    if block_type == "block35":
        b0 = conv2d_bn(x, 32, 1)
        b1 = conv2d_bn(conv2d_bn(x, 32, 1), 32, 3)
        b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1), 48, 3), 64, 3)
        return [b0, b1, b2]
    # block17 factorizes a 7x7, block8 a 3x3 kernel into (1, k) then (k, 1)
    filters = (192, 128, 160, 192) if block_type == "block17" else (192, 192, 224, 256)
    k = 7 if block_type == "block17" else 3
    b0 = conv2d_bn(x, filters[0], 1)
    b1 = conv2d_bn(x, filters[1], 1)
    b1 = conv2d_bn(b1, filters[2], [1, k])
    b1 = conv2d_bn(b1, filters[3], [k, 1])
    return [b0, b1]


def inception_resnet_block(x: Any, scale: float, block_type: str, block_idx: int,
                           activation: str | None = "relu") -> Any:
    """Inception branches, concatenated, projected back, and added to ``x`` times ``scale``."""
    if block_type not in ("block35", "block17", "block8"):
        raise ValueError("Unknown Inception-ResNet block type. Expects 'block35', 'block17' or "
                         f"'block8', but got: {block_type}")
    axis = _common.channel_axis()
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=axis, name=f"{block_name}_mixed")(_branches(x, block_type))
    up = conv2d_bn(mixed, x.shape[axis], 1, activation=None, use_bias=True,
                   name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


def InceptionResNetV2(include_top: bool = True, weights: Any = "imagenet",
                      input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
                      classes: int = 1000, classifier_activation: Any = "softmax",
                      name: str = "inception_resnet_v2") -> Any:
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, 299, 75, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    # mixed_5b (Inception-A)
    b0 = conv2d_bn(x, 96, 1)
    b1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    bp = conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)
    x = layers.Concatenate(axis=axis, name="mixed_5b")([b0, b1, b2, bp])
    for i in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=i)
    # mixed_6a (Reduction-A)
    b0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 256, 3), 384, 3, strides=2, padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_6a")([b0, b1, bp])
    for i in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=i)
    # mixed_7a (Reduction-B)
    b0 = conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid")
    b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 288, 3), 320, 3, strides=2, padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_7a")([b0, b1, b2, bp])
    for i in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=i)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights)
    else:
        x = _common.pool(x, pooling)
    model = _common.create_model(input_tensor, img_input, x, name)
    file_name, file_hash = WEIGHTS_FILE if include_top else WEIGHTS_FILE_NO_TOP
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


_common.document(InceptionResNetV2, " (Szegedy et al., AAAI 2017)", 299,
                 "Inputs go through ``preprocess_input`` first (pixels scaled to [-1, 1]).")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels from [0, 255] to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
