"""ResNet50, ResNet101 and ResNet152 (He et al., "Deep Residual Learning for Image
Recognition", CVPR 2015), and the network skeleton ResNetV2 shares."""

from __future__ import annotations

from typing import Any, Callable

from cornu import layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# md5 of the file with the classifier, and of the one without it
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPSILON = 1.001e-5


def _bn(name: str) -> layers.Layer:
    return layers.BatchNormalization(axis=_common.channel_axis(), epsilon=_EPSILON, name=name)


def build_resnet(stack_fn: Callable, preact: bool, use_bias: bool, include_top: bool,
                 weights: Any, input_tensor: Any, input_shape: Any, pooling: Any, classes: int,
                 classifier_activation: Any, name: str, weights_name: str) -> Any:
    """The stem, ``stack_fn``'s residual stacks, and the head of a ResNet (v1 or v2)."""
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, 224, 32, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = _bn("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = _bn("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.create_model(input_tensor, img_input, x, name)
    suffix = "" if include_top else "_notop"
    file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


def bottleneck_block(x: Any, filters: int, stride: int = 1, conv_shortcut: bool = True,
                     name: str = "") -> Any:
    """A post-activation bottleneck: 1x1 -> 3x3 -> 1x1 (x4 filters), plus the shortcut."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = _bn(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = _bn(f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack(x: Any, filters: int, blocks: int, stride1: int = 2, name: str = "") -> Any:
    """``blocks`` bottlenecks; the first projects the shortcut and strides by ``stride1``."""
    x = bottleneck_block(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = bottleneck_block(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def _stacks(depths: tuple) -> Callable:
    def stack_fn(x):
        x = stack(x, 64, depths[0], stride1=1, name="conv2")
        x = stack(x, 128, depths[1], name="conv3")
        x = stack(x, 256, depths[2], name="conv4")
        return stack(x, 512, depths[3], name="conv5")

    return stack_fn


def ResNet50(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
             input_shape: Any = None, pooling: Any = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "resnet50") -> Any:
    return build_resnet(_stacks((3, 4, 6, 3)), False, True, include_top, weights, input_tensor,
                        input_shape, pooling, classes, classifier_activation, name, "resnet50")


def ResNet101(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: Any = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = "resnet101") -> Any:
    return build_resnet(_stacks((3, 4, 23, 3)), False, True, include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name,
                        "resnet101")


def ResNet152(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              input_shape: Any = None, pooling: Any = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = "resnet152") -> Any:
    return build_resnet(_stacks((3, 8, 36, 3)), False, True, include_top, weights,
                        input_tensor, input_shape, pooling, classes, classifier_activation, name,
                        "resnet152")


_PREPROCESSING = ("Inputs go through ``preprocess_input`` first (RGB to BGR, then each "
                  "channel minus its ImageNet mean).")
for _fn in (ResNet50, ResNet101, ResNet152):
    _common.document(_fn, " (He et al., CVPR 2015)", 224, _PREPROCESSING)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Caffe-style preprocessing: RGB to BGR, then each channel minus its ImageNet mean."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
