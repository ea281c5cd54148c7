"""``cornu.applications.vgg19``, as ``keras.applications.vgg19`` (built in ``vgg.py``)."""

from cornu.applications.vgg import VGG19, decode_predictions, preprocess_input

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]
