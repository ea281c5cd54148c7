"""EfficientNetB0 to B7 (Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional
Neural Networks", ICML 2019). The models rescale and normalize their input themselves."""

from __future__ import annotations

import math
from typing import Any

from cornu import initializers, layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/keras-applications/"
# md5 of the file with the classifier, and of the one without it
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}

# Stages of the B0 baseline: (kernel, repeats, filters in, filters out, expansion, stride);
# every block has squeeze-and-excitation with ratio 0.25 and an identity skip.
_STAGES = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1))
_SE_RATIO = 0.25
# (width, depth, default size, dropout) of each variant
_SCALING = {"b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
            "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
            "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}
# The ImageNet files store standard deviations where the Normalization layer expects
# variances; it divides by their square root, and rescaling by 1/sqrt(stddev) completes the
# division by the standard deviation.
IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)


def conv_initializer() -> Any:
    return initializers.VarianceScaling(scale=2.0, mode="fan_out",
                                        distribution="truncated_normal")


def dense_initializer() -> Any:
    return initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_out", distribution="uniform")


def squeeze_excite(x: Any, filters: int, filters_se: int, activation: str, name: str) -> Any:
    """Channel attention: global pooling, a bottleneck, a sigmoid gate multiplied in."""
    shape = (filters, 1, 1) if _common.channel_axis() == 1 else (1, 1, filters)
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape(shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=conv_initializer(), name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=conv_initializer(), name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _block(inputs: Any, activation: str, drop_rate: float, name: str, filters_in: int,
           filters_out: int, kernel_size: int, strides: int, expand_ratio: int) -> Any:
    axis = _common.channel_axis()
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=conv_initializer(), name=f"{name}expand_conv")(x)
        x = layers.BatchNormalization(axis=axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                               padding="valid" if strides == 2 else "same", use_bias=False,
                               depthwise_initializer=conv_initializer(), name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    x = squeeze_excite(x, filters, max(1, int(filters_in * _SE_RATIO)), activation, name)
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=conv_initializer(), name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}project_bn")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Stochastic depth: drops the whole residual branch per sample.
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def _round_filters(filters: float, width: float, divisor: int = 8) -> int:
    filters *= width
    rounded = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    return int(rounded + divisor if rounded < 0.9 * filters else rounded)


def _efficientnet(variant: str, include_top: bool, weights: Any, input_tensor: Any,
                  input_shape: Any, pooling: Any, classes: int, classifier_activation: Any,
                  name: str, activation: str = "swish", drop_connect_rate: float = 0.2) -> Any:
    width, depth, default_size, dropout_rate = _SCALING[variant]
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, default_size, 32, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=axis)(x)  # its mean and variance come with the weights
    if weights == "imagenet":
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(_round_filters(32, width), 3, strides=2, padding="valid", use_bias=False,
                      kernel_initializer=conv_initializer(), name="stem_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    repeats = [int(math.ceil(depth * stage[1])) for stage in _STAGES]
    total, b = float(sum(repeats)), 0
    for i, ((kernel, _, f_in, f_out, expand, stride), n) in enumerate(zip(_STAGES, repeats)):
        f_in, f_out = _round_filters(f_in, width), _round_filters(f_out, width)
        for j in range(n):
            x = _block(x, activation, drop_connect_rate * b / total, f"block{i + 1}{chr(j + 97)}_",
                       f_in if j == 0 else f_out, f_out, kernel, stride if j == 0 else 1, expand)
            b += 1
    x = layers.Conv2D(_round_filters(1280, width), 1, padding="same", use_bias=False,
                      kernel_initializer=conv_initializer(), name="top_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights,
                                     kernel_initializer=dense_initializer())
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.create_model(input_tensor, img_input, x, name)
    # The file is named after the variant, whatever the model's name.
    file_name = f"efficientnet{variant}" + (".h5" if include_top else "_notop.h5")
    file_hash = WEIGHTS_HASHES[variant][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


def _builder(variant: str):
    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: Any = None, classes: int = 1000,
              classifier_activation: Any = "softmax",
              name: str = f"efficientnet{variant}") -> Any:
        return _efficientnet(variant, include_top, weights, input_tensor, input_shape, pooling,
                             classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = f"EfficientNet{variant.upper()}"
    return _common.document(build, " (Tan & Le, ICML 2019)", _SCALING[variant][2],
                             "The model takes pixels in [0, 255] (it normalizes them itself).")


EfficientNetB0 = _builder("b0")
EfficientNetB1 = _builder("b1")
EfficientNetB2 = _builder("b2")
EfficientNetB3 = _builder("b3")
EfficientNetB4 = _builder("b4")
EfficientNetB5 = _builder("b5")
EfficientNetB6 = _builder("b6")
EfficientNetB7 = _builder("b7")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: EfficientNet models normalize their inputs themselves."""
    return x


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
