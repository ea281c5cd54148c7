"""NASNetMobile and NASNetLarge (Zoph et al., "Learning Transferable Architectures for Scalable
Image Recognition", CVPR 2018): stacks of searched normal and reduction cells."""

from __future__ import annotations

from typing import Any

from cornu import config, layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# (url file, cache file, md5) with the classifier and without it
WEIGHTS_FILES = {
    "mobile": (("NASNet-mobile.h5", "nasnet_mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
               ("NASNet-mobile-no-top.h5", "nasnet_mobile_no_top.h5",
                "1ed92395b5b598bdda52abe5c0dbfd63")),
    "large": (("NASNet-large.h5", "nasnet_large.h5", "11577c9a518f0070763c2b964a382f17"),
              ("NASNet-large-no-top.h5", "nasnet_large_no_top.h5",
               "d81d89dc07e6e56530c4e77faddd61b5")),
}
_MOMENTUM, _EPSILON = 0.9997, 1e-3


def _bn(name: str | None = None) -> layers.Layer:
    return layers.BatchNormalization(axis=-1, momentum=_MOMENTUM, epsilon=_EPSILON, name=name)


def _conv1x1(filters: int, name: str) -> layers.Layer:
    return layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", use_bias=False,
                         kernel_initializer="he_normal", name=name)


def _separable_conv_block(x: Any, filters: int, kernel_size: tuple = (3, 3),
                          strides: tuple = (1, 1), block_id: str = "") -> Any:
    """ReLU-SepConv-BN twice; the first convolution may stride (with TF-style padding)."""
    x = layers.Activation("relu")(x)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"separable_conv_1_pad_{block_id}")(x)
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                               name=f"separable_conv_1_{block_id}",
                               padding="valid" if strides == (2, 2) else "same",
                               use_bias=False)(x)
    x = _bn(f"separable_conv_1_bn_{block_id}")(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel_size, name=f"separable_conv_2_{block_id}",
                               padding="same", use_bias=False)(x)
    return _bn(f"separable_conv_2_bn_{block_id}")(x)


def _adjust_block(p: Any, ip: Any, filters: int, block_id: str) -> Any:
    """Makes the previous cell's output ``p`` match ``ip`` in size and channels."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:  # halve p's size with two offset strided paths
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv1x1(filters // 2, f"adjust_conv_1_{block_id}")(p1)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv1x1(filters // 2, f"adjust_conv_2_{block_id}")(p2)
        p = layers.concatenate([p1, p2], axis=-1)
        return _bn(f"adjust_bn_{block_id}")(p)
    if p.shape[-1] != filters:
        p = layers.Activation("relu")(p)
        p = _conv1x1(filters, f"adjust_conv_projection_{block_id}")(p)
        return _bn(f"adjust_bn_{block_id}")(p)
    return p


def _squeeze(ip: Any, filters: int, kind: str, block_id: str) -> Any:
    h = layers.Activation("relu")(ip)
    h = _conv1x1(filters, f"{kind}_conv_1_{block_id}")(h)
    return _bn(f"{kind}_bn_1_{block_id}")(h)


def _avg3(x: Any, name: str, strides: tuple = (1, 1), padding: str = "same") -> Any:
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _normal_a_cell(ip: Any, p: Any, filters: int, block_id: str) -> tuple:
    p = _adjust_block(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "normal", block_id)
    x1 = layers.add([_separable_conv_block(h, filters, (5, 5), block_id=f"normal_left1_{block_id}"),
                     _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")],
                    name=f"normal_add_1_{block_id}")
    x2 = layers.add([_separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}"),
                     _separable_conv_block(p, filters, (3, 3),
                                           block_id=f"normal_right2_{block_id}")],
                    name=f"normal_add_2_{block_id}")
    x3 = layers.add([_avg3(h, f"normal_left3_{block_id}"), p], name=f"normal_add_3_{block_id}")
    x4 = layers.add([_avg3(p, f"normal_left4_{block_id}"), _avg3(p, f"normal_right4_{block_id}")],
                    name=f"normal_add_4_{block_id}")
    x5 = layers.add([_separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}"), h],
                    name=f"normal_add_5_{block_id}")
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1, name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip: Any, p: Any, filters: int, block_id: str) -> tuple:
    p = _adjust_block(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "reduction", block_id)
    h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                              name=f"reduction_pad_1_{block_id}")(h)
    x1 = layers.add([
        _separable_conv_block(h, filters, (5, 5), (2, 2), f"reduction_left1_{block_id}"),
        _separable_conv_block(p, filters, (7, 7), (2, 2), f"reduction_right1_{block_id}")],
        name=f"reduction_add_1_{block_id}")
    x2 = layers.add([
        layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                            name=f"reduction_left2_{block_id}")(h3),
        _separable_conv_block(p, filters, (7, 7), (2, 2), f"reduction_right2_{block_id}")],
        name=f"reduction_add_2_{block_id}")
    x3 = layers.add([
        _avg3(h3, f"reduction_left3_{block_id}", (2, 2), "valid"),
        _separable_conv_block(p, filters, (5, 5), (2, 2), f"reduction_right3_{block_id}")],
        name=f"reduction_add3_{block_id}")
    x4 = layers.add([x2, _avg3(x1, f"reduction_left4_{block_id}")])
    x5 = layers.add([
        _separable_conv_block(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"),
        layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                            name=f"reduction_right5_{block_id}")(h3)],
        name=f"reduction_add4_{block_id}")
    x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def _nasnet(variant: str, input_shape: Any, penultimate_filters: int, num_blocks: int,
            stem_block_filters: int, skip_reduction: bool, include_top: bool, weights: Any,
            input_tensor: Any, pooling: Any, classes: int, default_size: int,
            classifier_activation: Any, name: str, filter_multiplier: int = 2) -> Any:
    if config.image_data_format() == "channels_first":
        raise ValueError("NASNet does not support the `channels_first` image data format. "
                         "Set `image_data_format` to 'channels_last' (cornu.config).")
    _common.check_arguments(weights, include_top, classes, pooling)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading `ImageNet` "
                         "weights, the input_shape argument must be static (no None entries). "
                         f"Got: `input_shape={input_shape}`.")
    input_shape = _common.input_shape_for(input_shape, default_size, 32, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1", kernel_initializer="he_normal")(img_input)
    x = _bn("stem_bn1")(x)
    p = None
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier**2, block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for stage in range(3):
        if stage:  # a reduction cell between stages
            x, p0 = _reduction_a_cell(x, p, filters * filter_multiplier**stage,
                                      block_id=f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            block_id = f"{i}" if stage == 0 else f"{stage * num_blocks + i + 1}"
            x, p = _normal_a_cell(x, p, filters * filter_multiplier**stage, block_id=block_id)
    x = layers.Activation("relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights)
    else:
        x = _common.pool(x, pooling)
    model = _common.create_model(input_tensor, img_input, x, name)
    url_name, file_name, file_hash = WEIGHTS_FILES[variant][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + url_name, file_hash)


def NASNetMobile(input_shape: Any = None, include_top: bool = True, weights: Any = "imagenet",
                 input_tensor: Any = None, pooling: Any = None, classes: int = 1000,
                 classifier_activation: Any = "softmax", name: str = "nasnet_mobile") -> Any:
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return _nasnet("mobile", input_shape, 1056, 4, 32, False, include_top, weights,
                   input_tensor, pooling, classes, 224, classifier_activation, name)


def NASNetLarge(input_shape: Any = None, include_top: bool = True, weights: Any = "imagenet",
                input_tensor: Any = None, pooling: Any = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "nasnet_large") -> Any:
    return _nasnet("large", input_shape, 4032, 6, 96, True, include_top, weights, input_tensor,
                   pooling, classes, 331, classifier_activation, name)


_common.document(NASNetMobile, " (Zoph et al., CVPR 2018)", 224,
                 "Inputs go through ``preprocess_input`` first (pixels scaled to [-1, 1]).")
_common.document(NASNetLarge, " (Zoph et al., CVPR 2018)", 331,
                 "Inputs go through ``preprocess_input`` first (pixels scaled to [-1, 1]).")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels from [0, 255] to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
