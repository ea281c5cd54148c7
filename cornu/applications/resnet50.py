"""``cornu.applications.resnet50``, as ``keras.applications.resnet50`` (built in
``resnet.py``)."""

from cornu.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
