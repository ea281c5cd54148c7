"""ConvNeXt Tiny, Small, Base, Large and XLarge (Liu et al., "A ConvNet for the 2020s",
CVPR 2022). The models normalize their input themselves (``include_preprocessing``)."""

from __future__ import annotations

from typing import Any

from cornu import config, initializers, layers
from cornu.applications import _common, imagenet_utils
from cornu.saving.serialization_lib import register_builtin

WEIGHTS_ROOT = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
# sha256 of the file with the classifier, and of the one without it
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
# variant: (blocks per stage, channels per stage)
MODEL_CONFIGS = {
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
}
_EPSILON = 1e-6
_LAYER_SCALE_INIT = 1e-6


class LayerScale(layers.Layer):
    """Multiplies each channel by a learned scale (``gamma``), initialized to
    ``init_values`` (Touvron et al., "Going deeper with Image Transformers", 2021)."""

    def __init__(self, init_values: float, projection_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape: tuple) -> None:
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)

    def call(self, x: Any) -> Any:
        return x * self.gamma

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


# Keras files name the class "LayerScale"; loading resolves it from cornu's registry.
register_builtin(LayerScale)


def convnext_block(x: Any, projection_dim: int, name: str) -> Any:
    """Depthwise 7x7 conv, LayerNorm, an MLP (4x wider, GELU), a layer scale, the residual."""
    inputs = x
    x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                      name=f"{name}_depthwise_conv")(x)
    x = layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_layernorm")(x)
    x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
    x = LayerScale(_LAYER_SCALE_INIT, projection_dim, name=f"{name}_layer_scale")(x)
    # Keras keeps an identity here (the stochastic depth slot, rate 0 in every variant).
    x = layers.Activation("linear", name=f"{name}_identity")(x)
    return inputs + x


def _downsampling(name: str, i: int, filters: int) -> Any:
    if i == 0:  # the stem: a 4x4 patchify conv
        return [layers.Conv2D(filters, kernel_size=4, strides=4, name=f"{name}_stem_conv"),
                layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_stem_layernorm")]
    return [layers.LayerNormalization(epsilon=_EPSILON,
                                      name=f"{name}_downsampling_layernorm_{i - 1}"),
            layers.Conv2D(filters, kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i - 1}")]


def _convnext(variant: str, include_top: bool, include_preprocessing: bool, weights: Any,
              input_tensor: Any, input_shape: Any, pooling: Any, classes: int,
              classifier_activation: Any, name: str) -> Any:
    from cornu.models import Sequential

    if config.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. "
                         "Set `image_data_format` to 'channels_last' (cornu.config).")
    depths, dims = MODEL_CONFIGS[variant]
    _common.check_arguments(weights, include_top, classes, pooling)
    input_shape = _common.input_shape_for(input_shape, 224, 32, include_top, weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                                 variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2,
                                           (0.225 * 255) ** 2],
                                 name=f"{name}_prestem_normalization")(x)
    # The down-sampling steps are nested Sequential models, as in Keras's weight files.
    blocks = [Sequential(_downsampling(name, i, dims[i]),
                         name=f"{name}_stem" if i == 0 else f"{name}_downsampling_block_{i - 1}")
              for i in range(4)]
    for i in range(4):
        x = blocks[i](x)
        for j in range(depths[i]):
            x = convnext_block(x, dims[i], name=f"{name}_stage_{i}_block_{j}")
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation, name=f"{name}_head_dense")(x)
    else:
        x = _common.pool(x, pooling)
        x = layers.LayerNormalization(epsilon=_EPSILON)(x)
    model = _common.create_model(input_tensor, img_input, x, name)
    weights_name = f"convnext_{variant}"
    file_name = weights_name + (".h5" if include_top else "_notop.h5")
    file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _common.load_weights(model, weights, file_name, WEIGHTS_ROOT + file_name, file_hash)


def _builder(variant: str):
    def build(include_top: bool = True, include_preprocessing: bool = True,
              weights: Any = "imagenet", input_tensor: Any = None, input_shape: Any = None,
              pooling: Any = None, classes: int = 1000, classifier_activation: Any = "softmax",
              name: str = f"convnext_{variant}") -> Any:
        return _convnext(variant, include_top, include_preprocessing, weights, input_tensor,
                         input_shape, pooling, classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = "ConvNeXt" + ("XLarge" if variant == "xlarge"
                                                        else variant.title())
    return _common.document(
        build, " (Liu et al., CVPR 2022)", 224,
        "The model takes pixels in [0, 255] (it normalizes them itself).", extra="""
        include_preprocessing: whether the model normalizes [0, 255] inputs itself (then
            ``preprocess_input`` is the identity).""")


ConvNeXtTiny = _builder("tiny")
ConvNeXtSmall = _builder("small")
ConvNeXtBase = _builder("base")
ConvNeXtLarge = _builder("large")
ConvNeXtXLarge = _builder("xlarge")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: ConvNeXt models normalize their inputs themselves."""
    return x


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions; see ``imagenet_utils.decode_predictions``."""
    return imagenet_utils.decode_predictions(preds, top=top)
