"""ResNet50V2, ResNet101V2 and ResNet152V2 (He et al., "Identity Mappings in Deep Residual
Networks", ECCV 2016): pre-activation residual blocks."""

from __future__ import annotations

from typing import Any, Callable

from cornu import layers
from cornu.applications import _common, imagenet_utils
from cornu.applications.resnet import _bn, build_resnet


def preact_block(x: Any, filters: int, stride: int = 1, conv_shortcut: bool = False,
                 name: str = "") -> Any:
    """BN-ReLU first, then 1x1 -> 3x3 (strided) -> 1x1 (x4 filters); the shortcut is a
    projection, a strided 1x1 max pooling, or the input itself."""
    preact = _bn(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    elif stride > 1:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack(x: Any, filters: int, blocks: int, stride1: int = 2, name: str = "") -> Any:
    """``blocks`` pre-activation blocks; the first projects, the last strides by ``stride1``."""
    x = preact_block(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = preact_block(x, filters, name=f"{name}_block{i}")
    return preact_block(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _stacks(depths: tuple) -> Callable:
    def stack_fn(x):
        x = stack(x, 64, depths[0], name="conv2")
        x = stack(x, 128, depths[1], name="conv3")
        x = stack(x, 256, depths[2], name="conv4")
        return stack(x, 512, depths[3], stride1=1, name="conv5")

    return stack_fn


def ResNet50V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
               input_shape: Any = None, pooling: Any = None, classes: int = 1000,
               classifier_activation: Any = "softmax", name: str = "resnet50v2") -> Any:
    return build_resnet(_stacks((3, 4, 6, 3)), True, True, include_top, weights, input_tensor,
                        input_shape, pooling, classes, classifier_activation, name, "resnet50v2")


def ResNet101V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: Any = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "resnet101v2") -> Any:
    return build_resnet(_stacks((3, 4, 23, 3)), True, True, include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name,
                        "resnet101v2")


def ResNet152V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: Any = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "resnet152v2") -> Any:
    return build_resnet(_stacks((3, 8, 36, 3)), True, True, include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name,
                        "resnet152v2")


_PREPROCESSING = "Inputs go through ``preprocess_input`` first (pixels scaled to [-1, 1])."
for _fn in (ResNet50V2, ResNet101V2, ResNet152V2):
    _common.document(_fn, " (He et al., ECCV 2016)", 224, _PREPROCESSING)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels from [0, 255] to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
