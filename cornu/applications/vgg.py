"""VGG16 and VGG19 (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015)."""

from __future__ import annotations

from typing import Any

from cornu import layers
from cornu.applications import _common, imagenet_utils

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/"
# (file with the classifier, its md5), (file without it, its md5)
WEIGHTS_FILES = {
    "vgg16": (("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
               "64373286793e3c8b2b4e3219cbf3544b"),
              ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
               "6d6bbae143d832006294945121d1f1fc")),
    "vgg19": (("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
               "cbe5617147190e668d6c5d5026f83318"),
              ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
               "253f8cb515780f3b799900260a226db6")),
}

# Convolutions per block; the filters double per block up to 512.
_BLOCKS = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
_FILTERS = (64, 128, 256, 512, 512)


def _vgg(variant: str, include_top: bool, weights: Any, input_tensor: Any, input_shape: Any,
         pooling: Any, classes: int, classifier_activation: Any, name: str) -> Any:
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, 224, 32, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    for block, (convs, filters) in enumerate(zip(_BLOCKS[variant], _FILTERS), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = _common.dense_classifier(x, classes, classifier_activation, weights)
    else:
        x = _common.pool(x, pooling)
    model = _common.create_model(input_tensor, img_input, x, name)
    file_name, file_hash = WEIGHTS_FILES[variant][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name,
                                f"{WEIGHTS_ROOT}{variant}/{file_name}", file_hash)


def VGG16(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
          input_shape: Any = None, pooling: Any = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg16") -> Any:
    return _vgg("vgg16", include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name)


def VGG19(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
          input_shape: Any = None, pooling: Any = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg19") -> Any:
    return _vgg("vgg19", include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name)


_PREPROCESSING = ("Inputs go through ``preprocess_input`` first (RGB to BGR, then each "
                  "channel minus its ImageNet mean).")
for _fn in (VGG16, VGG19):
    _common.document(_fn, " (Simonyan & Zisserman, ICLR 2015)", 224, _PREPROCESSING)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Caffe-style preprocessing: RGB to BGR, then each channel minus its ImageNet mean."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
