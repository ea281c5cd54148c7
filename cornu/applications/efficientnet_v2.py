"""EfficientNetV2 B0-B3, S, M and L (Tan & Le, "EfficientNetV2: Smaller Models and Faster
Training", ICML 2021). The models rescale their input themselves (``include_preprocessing``)."""

from __future__ import annotations

import math
from typing import Any

from cornu import initializers, layers
from cornu.applications import _common, imagenet_utils
from cornu.applications.efficientnet import conv_initializer, dense_initializer, squeeze_excite

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
# md5 of the file with the classifier, and of the one without it
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

# Stages: (kernel, repeats, filters in, filters out, expansion, squeeze-excite ratio, stride,
# fused). Fused blocks replace the expansion and depthwise convolutions by one full conv.
_B = ((3, 1, 32, 16, 1, 0, 1, True), (3, 2, 16, 32, 4, 0, 2, True),
      (3, 2, 32, 48, 4, 0, 2, True), (3, 3, 48, 96, 4, 0.25, 2, False),
      (3, 5, 96, 112, 6, 0.25, 1, False), (3, 8, 112, 192, 6, 0.25, 2, False))
_S = ((3, 2, 24, 24, 1, 0, 1, True), (3, 4, 24, 48, 4, 0, 2, True),
      (3, 4, 48, 64, 4, 0, 2, True), (3, 6, 64, 128, 4, 0.25, 2, False),
      (3, 9, 128, 160, 6, 0.25, 1, False), (3, 15, 160, 256, 6, 0.25, 2, False))
_M = ((3, 3, 24, 24, 1, 0, 1, True), (3, 5, 24, 48, 4, 0, 2, True),
      (3, 5, 48, 80, 4, 0, 2, True), (3, 7, 80, 160, 4, 0.25, 2, False),
      (3, 14, 160, 176, 6, 0.25, 1, False), (3, 18, 176, 304, 6, 0.25, 2, False),
      (3, 5, 304, 512, 6, 0.25, 1, False))
_L = ((3, 4, 32, 32, 1, 0, 1, True), (3, 7, 32, 64, 4, 0, 2, True),
      (3, 7, 64, 96, 4, 0, 2, True), (3, 10, 96, 192, 4, 0.25, 2, False),
      (3, 19, 192, 224, 6, 0.25, 1, False), (3, 25, 224, 384, 6, 0.25, 2, False),
      (3, 7, 384, 640, 6, 0.25, 1, False))
# variant: (stages, width, depth, default size)
_VARIANTS = {"b0": (_B, 1.0, 1.0, 224), "b1": (_B, 1.0, 1.1, 240), "b2": (_B, 1.1, 1.2, 260),
             "b3": (_B, 1.2, 1.4, 300), "-s": (_S, 1.0, 1.0, 384), "-m": (_M, 1.0, 1.0, 480),
             "-l": (_L, 1.0, 1.0, 480)}
_BN_MOMENTUM = 0.9


def _round_filters(filters: int, width: float, divisor: int = 8) -> int:
    filters *= width
    return int(max(divisor, int(filters + divisor / 2) // divisor * divisor))


def _bn(name: str) -> layers.Layer:
    return layers.BatchNormalization(axis=_common.channel_axis(), momentum=_BN_MOMENTUM,
                                     name=name)


def _conv(filters: int, kernel_size: int, strides: int, name: str) -> layers.Layer:
    return layers.Conv2D(filters, kernel_size, strides=strides,
                         kernel_initializer=conv_initializer(), padding="same", use_bias=False,
                         name=name)


def _block(inputs: Any, fused: bool, filters_in: int, filters_out: int, expand_ratio: int,
           kernel_size: int, strides: int, se_ratio: float, activation: str, drop_rate: float,
           name: str) -> Any:
    """An MBConv block, or a fused one (a full KxK conv instead of 1x1 + depthwise)."""
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, kernel_size if fused else 1, strides if fused else 1,
                  f"{name}expand_conv")(x)
        x = _bn(f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if not fused:
        x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                                   depthwise_initializer=conv_initializer(), padding="same",
                                   use_bias=False, name=f"{name}dwconv2")(x)
        x = _bn(f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), activation, name)
    projects_only = fused and expand_ratio == 1  # the projection is the block's only conv
    x = _conv(filters_out, kernel_size if projects_only else 1, strides if projects_only else 1,
              f"{name}project_conv")(x)
    x = _bn(f"{name}project_bn")(x)
    if projects_only:
        x = layers.Activation(activation, name=f"{name}project_activation")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate:
            # Stochastic depth: drops the whole residual branch per sample.
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def _efficientnet_v2(variant: str, include_top: bool, weights: Any, input_tensor: Any,
                     input_shape: Any, pooling: Any, classes: int, classifier_activation: Any,
                     include_preprocessing: bool, name: str, activation: str = "swish",
                     dropout_rate: float = 0.2, drop_connect_rate: float = 0.2) -> Any:
    stages, width, depth, default_size = _VARIANTS[variant]
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, default_size, 32, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()
    x = img_input
    if include_preprocessing:
        if variant.startswith("b") and input_shape[axis - 1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229**2, 0.224**2, 0.225**2], axis=axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = _conv(_round_filters(stages[0][2], width), 3, 2, "stem_conv")(x)
    x = _bn("stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    total, b = float(sum(stage[1] for stage in stages)), 0
    for i, (kernel, repeats, f_in, f_out, expand, se, stride, fused) in enumerate(stages):
        f_in, f_out = _round_filters(f_in, width), _round_filters(f_out, width)
        for j in range(int(math.ceil(depth * repeats))):
            x = _block(x, fused, f_in if j == 0 else f_out, f_out, expand, kernel,
                       stride if j == 0 else 1, se, activation, drop_connect_rate * b / total,
                       f"block{i + 1}{chr(j + 97)}_")
            b += 1
    x = _conv(_round_filters(1280, width), 1, 1, "top_conv")(x)
    x = _bn("top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights,
                                     kernel_initializer=dense_initializer(),
                                     bias_initializer=initializers.Constant(0.0))
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.create_model(input_tensor, img_input, x, name)
    # The file is named after the variant, whatever the model's name.
    file_name = f"efficientnetv2-{variant.lstrip('-')}" + (".h5" if include_top else "_notop.h5")
    file_hash = WEIGHTS_HASHES[variant][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


def _builder(variant: str, suffix: str):
    def build(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: Any = None, classes: int = 1000,
              classifier_activation: Any = "softmax", include_preprocessing: bool = True,
              name: str = f"efficientnetv2-{variant.lstrip('-')}") -> Any:
        return _efficientnet_v2(variant, include_top, weights, input_tensor, input_shape,
                                pooling, classes, classifier_activation, include_preprocessing,
                                name)

    build.__name__ = build.__qualname__ = f"EfficientNetV2{suffix}"
    return _common.document(
        build, " (Tan & Le, ICML 2021)", _VARIANTS[variant][3],
        "The model takes pixels in [0, 255] (it rescales them itself).", extra="""
        include_preprocessing: whether the model rescales [0, 255] inputs itself (then
            ``preprocess_input`` is the identity).""")


EfficientNetV2B0 = _builder("b0", "B0")
EfficientNetV2B1 = _builder("b1", "B1")
EfficientNetV2B2 = _builder("b2", "B2")
EfficientNetV2B3 = _builder("b3", "B3")
EfficientNetV2S = _builder("-s", "S")
EfficientNetV2M = _builder("-m", "M")
EfficientNetV2L = _builder("-l", "L")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: EfficientNetV2 models rescale their inputs themselves."""
    return x


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
