"""Preprocessing layers: numbers, categories, strings and images, as in Keras 3."""

from cornu.layers.preprocessing.augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from cornu.layers.preprocessing.categorical import CategoryEncoding, Hashing
from cornu.layers.preprocessing.image_preprocessing import CenterCrop, Resizing
from cornu.layers.preprocessing.lookup import IntegerLookup, StringLookup
from cornu.layers.preprocessing.numerical import Discretization, Normalization, Rescaling
from cornu.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "CategoryEncoding", "CenterCrop", "Discretization", "Hashing", "IntegerLookup",
    "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip",
    "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
    "StringLookup", "TextVectorization",
]
