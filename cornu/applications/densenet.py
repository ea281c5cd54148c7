"""DenseNet121, DenseNet169 and DenseNet201 (Huang et al., "Densely Connected Convolutional
Networks", CVPR 2017)."""

from __future__ import annotations

from typing import Any

from cornu import layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
# md5 of the file with the classifier, and of the one without it
WEIGHTS_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPSILON = 1.001e-5
_GROWTH_RATE = 32


def _bn(name: str) -> layers.Layer:
    return layers.BatchNormalization(axis=_common.channel_axis(), epsilon=_EPSILON, name=name)


def conv_block(x: Any, growth_rate: int, name: str) -> Any:
    """BN-ReLU-1x1 (4k filters), BN-ReLU-3x3 (k filters), concatenated to the input."""
    y = _bn(f"{name}_0_bn")(x)
    y = layers.Activation("relu", name=f"{name}_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn(f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=_common.channel_axis(), name=f"{name}_concat")([x, y])


def dense_block(x: Any, blocks: int, name: str) -> Any:
    for i in range(blocks):
        x = conv_block(x, _GROWTH_RATE, name=f"{name}_block{i + 1}")
    return x


def transition_block(x: Any, reduction: float, name: str) -> Any:
    """BN-ReLU, a 1x1 conv shrinking the channels by ``reduction``, 2x2 average pooling."""
    axis = _common.channel_axis()
    x = _bn(f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[axis] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _densenet(blocks: tuple, variant: str, include_top: bool, weights: Any, input_tensor: Any,
              input_shape: Any, pooling: Any, classes: int, classifier_activation: Any,
              name: str) -> Any:
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, 224, 32, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn("conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, n in enumerate(blocks):
        x = dense_block(x, n, name=f"conv{i + 2}")
        if i < len(blocks) - 1:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = _bn("bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.create_model(input_tensor, img_input, x, name)
    file_name = f"{variant}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    file_hash = WEIGHTS_HASHES[variant][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


def DenseNet121(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: Any = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "densenet121") -> Any:
    return _densenet((6, 12, 24, 16), "densenet121", include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


def DenseNet169(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: Any = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "densenet169") -> Any:
    return _densenet((6, 12, 32, 32), "densenet169", include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


def DenseNet201(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                input_shape: Any = None, pooling: Any = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "densenet201") -> Any:
    return _densenet((6, 12, 48, 32), "densenet201", include_top, weights, input_tensor,
                     input_shape, pooling, classes, classifier_activation, name)


_PREPROCESSING = ("Inputs go through ``preprocess_input`` first (pixels scaled to [0, 1], "
                  "then normalized per channel).")
for _fn in (DenseNet121, DenseNet169, DenseNet201):
    _common.document(_fn, " (Huang et al., CVPR 2017)", 224, _PREPROCESSING)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scales pixels to [0, 1], then normalizes each channel with ImageNet's mean and std."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
