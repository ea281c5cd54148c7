"""MobileNetV3Small and MobileNetV3Large (Howard et al., "Searching for MobileNetV3",
ICCV 2019). The models rescale their input themselves (``include_preprocessing``)."""

from __future__ import annotations

import warnings
from typing import Any, Callable

from cornu import config, layers
from cornu.applications import _common, imagenet_utils
from cornu.applications.mobilenet_v2 import make_divisible

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# md5 of the file with the classifier, and of the one without it
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}

# Blocks: (expansion, filters, kernel ("k" = the model's kernel), stride, squeeze-excite,
# activation ("re" = ReLU, "hs" = the model's activation)).
_SMALL = ((1, 16, 3, 2, True, "re"), (72 / 16, 24, 3, 2, False, "re"),
          (88 / 24, 24, 3, 1, False, "re"), (4, 40, "k", 2, True, "hs"),
          (6, 40, "k", 1, True, "hs"), (6, 40, "k", 1, True, "hs"), (3, 48, "k", 1, True, "hs"),
          (3, 48, "k", 1, True, "hs"), (6, 96, "k", 2, True, "hs"), (6, 96, "k", 1, True, "hs"),
          (6, 96, "k", 1, True, "hs"))
_LARGE = ((1, 16, 3, 1, False, "re"), (4, 24, 3, 2, False, "re"), (3, 24, 3, 1, False, "re"),
          (3, 40, "k", 2, True, "re"), (3, 40, "k", 1, True, "re"), (3, 40, "k", 1, True, "re"),
          (6, 80, 3, 2, False, "hs"), (2.5, 80, 3, 1, False, "hs"), (2.3, 80, 3, 1, False, "hs"),
          (2.3, 80, 3, 1, False, "hs"), (6, 112, 3, 1, True, "hs"), (6, 112, 3, 1, True, "hs"),
          (6, 160, "k", 2, True, "hs"), (6, 160, "k", 1, True, "hs"),
          (6, 160, "k", 1, True, "hs"))


def _axis() -> int:
    return 1 if config.image_data_format() == "channels_first" else -1


def _bn(name: str) -> layers.Layer:
    return layers.BatchNormalization(axis=_axis(), epsilon=1e-3, momentum=0.999, name=name)


def relu(x: Any) -> Any:
    return layers.ReLU()(x)


def hard_sigmoid(x: Any) -> Any:
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x: Any) -> Any:
    return layers.Activation("hard_swish")(x)


def _se_block(inputs: Any, filters: int, se_ratio: float, prefix: str) -> Any:
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(
        inputs)
    x = layers.Conv2D(make_divisible(filters * se_ratio), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x: Any, expansion: float, filters: int, kernel_size: int, stride: int,
                        se_ratio: float | None, activation: Callable, block_id: int) -> Any:
    shortcut = x
    in_filters = x.shape[_axis()]
    prefix = "expanded_conv_"
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(make_divisible(in_filters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = _bn(f"{prefix}expand_bn")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = _bn(f"{prefix}depthwise_bn")(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, make_divisible(in_filters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_bn")(x)
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _input_shape(input_shape: Any, input_tensor: Any) -> tuple:
    """Keras's rules: the tensor's size when only ``input_tensor`` is given, else any size."""
    channels_first = config.image_data_format() == "channels_first"
    if input_tensor is not None:
        _common.image_input(input_tensor, None)  # checks that it is symbolic
        if input_shape is None:
            size = tuple(input_tensor.shape[2:4] if channels_first else input_tensor.shape[1:3])
            return (3,) + size if channels_first else size + (3,)
    if input_shape is None:
        return (3, None, None) if channels_first else (None, None, 3)
    return tuple(input_shape)


def _mobilenet_v3(blocks: tuple, last_point_ch: int, model_type: str, input_shape: Any,
                  alpha: float, minimalistic: bool, include_top: bool, weights: Any,
                  input_tensor: Any, classes: int, pooling: Any, dropout_rate: float,
                  classifier_activation: Any, include_preprocessing: bool, name: str) -> Any:
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _input_shape(input_shape, input_tensor)
    rows, cols = (input_shape[1:] if config.image_data_format() == "channels_first"
                  else input_shape[:2])
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape={input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, "
                             "`1.0` for non minimalistic or `1.0` for minimalistic only. "
                             f"Received alpha={alpha}, minimalistic={minimalistic}")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                          "Weights for input shape (224, 224) will be loaded as the default.",
                          stacklevel=3)
    img_input = _common.image_input(input_tensor, input_shape)
    kernel, activation, se_ratio = (3, relu, None) if minimalistic else (5, hard_swish, 0.25)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = _bn("conv_bn")(x)
    x = activation(x)
    for block_id, (expansion, filters, k, stride, se, act) in enumerate(blocks):
        x = _inverted_res_block(x, expansion, make_divisible(filters * alpha),
                                kernel if k == "k" else k, stride, se_ratio if se else None,
                                relu if act == "re" else activation, block_id)
    last_conv_ch = make_divisible(x.shape[_axis()] * 6)
    if alpha > 1.0:
        last_point_ch = make_divisible(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = _bn("conv_1_bn")(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.create_model(input_tensor, img_input, x, name)
    if weights != "imagenet":
        return _common.load_weights(model, weights)
    weights_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    if include_top:
        file_name = f"weights_mobilenet_v3_{weights_name}.h5"
    else:
        file_name = f"weights_mobilenet_v3_{weights_name}_no_top_v2.h5"
    file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


def MobileNetV3Small(input_shape: Any = None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights: Any = "imagenet",
                     input_tensor: Any = None, classes: int = 1000, pooling: Any = None,
                     dropout_rate: float = 0.2, classifier_activation: Any = "softmax",
                     include_preprocessing: bool = True,
                     name: str = "MobileNetV3Small") -> Any:
    return _mobilenet_v3(_SMALL, 1024, "small", input_shape, alpha, minimalistic, include_top,
                         weights, input_tensor, classes, pooling, dropout_rate,
                         classifier_activation, include_preprocessing, name)


def MobileNetV3Large(input_shape: Any = None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights: Any = "imagenet",
                     input_tensor: Any = None, classes: int = 1000, pooling: Any = None,
                     dropout_rate: float = 0.2, classifier_activation: Any = "softmax",
                     include_preprocessing: bool = True,
                     name: str = "MobileNetV3Large") -> Any:
    return _mobilenet_v3(_LARGE, 1280, "large", input_shape, alpha, minimalistic, include_top,
                         weights, input_tensor, classes, pooling, dropout_rate,
                         classifier_activation, include_preprocessing, name)


_EXTRA = """
        alpha: the width multiplier: < 1 thins every layer, > 1 widens it.
        minimalistic: use ReLU, 3x3 kernels and no squeeze-and-excite blocks.
        dropout_rate: the dropout rate before the last classifier layer.
        include_preprocessing: whether the model rescales [0, 255] inputs to [-1, 1]
            itself (then ``preprocess_input`` is the identity)."""
for _fn in (MobileNetV3Small, MobileNetV3Large):
    _common.document(_fn, " (Howard et al., ICCV 2019)", 224,
                     "The model takes pixels in [0, 255] (it rescales them itself).", _EXTRA)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: MobileNetV3 models rescale their inputs themselves."""
    return x


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
