"""``cornu.applications``: the pre-trained architectures of ``keras.applications``.

Each builder (``VGG16``, ``ResNet50``, ``MobileNetV2``, ``EfficientNetB0``, ``ConvNeXtTiny``
...) returns a functional model with Keras's layer names and weight order, so
``weights="imagenet"`` loads Keras's published weight files (downloaded once through
``cornu.utils.get_file`` into ``~/.cornu/models``) and weight files written by Keras load
unchanged. Each family module has its ``preprocess_input`` and ``decode_predictions``
(``cornu.applications.resnet50.preprocess_input``), as in Keras.

Example:
    >>> base = cornu.applications.MobileNetV2(weights=None, include_top=False,
    ...                                       input_shape=(96, 96, 3), pooling="avg")
    >>> base.trainable = False
    >>> outputs = cornu.layers.Dense(10, activation="softmax")(base.output)
    >>> model = cornu.Model(base.input, outputs)
"""

from cornu.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from cornu.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from cornu.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from cornu.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from cornu.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from cornu.applications.inception_resnet_v2 import InceptionResNetV2
from cornu.applications.inception_v3 import InceptionV3
from cornu.applications.mobilenet import MobileNet
from cornu.applications.mobilenet_v2 import MobileNetV2
from cornu.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from cornu.applications.nasnet import NASNetLarge, NASNetMobile
from cornu.applications.resnet import ResNet50, ResNet101, ResNet152
from cornu.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from cornu.applications.vgg import VGG16, VGG19
from cornu.applications.xception import Xception

__all__ = [
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201", "EfficientNetB0", "EfficientNetB1",
    "EfficientNetB2", "EfficientNetB3", "EfficientNetB4", "EfficientNetB5", "EfficientNetB6",
    "EfficientNetB7", "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
    "EfficientNetV2B3", "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
    "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Large",
    "MobileNetV3Small", "NASNetLarge", "NASNetMobile", "ResNet101", "ResNet101V2", "ResNet152",
    "ResNet152V2", "ResNet50", "ResNet50V2", "VGG16", "VGG19", "Xception", "convnext",
    "densenet", "efficientnet", "efficientnet_v2", "imagenet_utils", "inception_resnet_v2",
    "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet", "resnet", "resnet50",
    "resnet_v2", "vgg16", "vgg19", "xception",
]
