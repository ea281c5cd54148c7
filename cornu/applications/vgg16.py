"""``cornu.applications.vgg16``, as ``keras.applications.vgg16`` (built in ``vgg.py``)."""

from cornu.applications.vgg import VGG16, decode_predictions, preprocess_input

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]
