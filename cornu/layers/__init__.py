"""``cornu.layers``: the layer classes, as ``keras.layers``."""

from cornu.layers.core import Activation, Dense, Identity, Lambda
from cornu.layers.input_layer import Input, InputLayer
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer
from cornu.layers.preprocessing import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    Hashing,
    IntegerLookup,
    Normalization,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
    StringLookup,
    TextVectorization,
)
from cornu.layers.regularization import Dropout
from cornu.layers.reshaping import Flatten, Reshape
from cornu.saving.serialization_lib import register_builtin

register_builtin(Activation, Dense, Dropout, Flatten, Identity, InputLayer, Lambda, Layer, Reshape)
register_builtin(CategoryEncoding, CenterCrop, Discretization, Hashing, IntegerLookup,
                 Normalization, RandomBrightness, RandomContrast, RandomCrop, RandomFlip,
                 RandomRotation, RandomTranslation, RandomZoom, Rescaling, Resizing,
                 StringLookup, TextVectorization)

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Identity", "Input", "InputLayer",
           "InputSpec", "Lambda", "Layer", "Reshape"]
__all__ += ["CategoryEncoding", "CenterCrop", "Discretization", "Hashing", "IntegerLookup",
            "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip",
            "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
            "StringLookup", "TextVectorization"]
