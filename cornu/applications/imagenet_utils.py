"""ImageNet helpers shared by the applications: input preprocessing, decoding predictions,
and the argument checks every architecture makes (as ``keras.applications.imagenet_utils``).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from cornu import activations, config, ops

# The ImageNet class index (``{"0": ["n01440764", "tench"], ...}``), the file Keras uses.
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
CLASS_INDEX: dict | None = None

_MODES = ("caffe", "tf", "torch")
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR order
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Preprocesses a batch of images with values in ``[0, 255]``.

    Modes:
        - ``"caffe"``: RGB to BGR, then each channel minus its ImageNet mean (no scaling).
        - ``"tf"``: scales pixels to ``[-1, 1]``.
        - ``"torch"``: scales pixels to ``[0, 1]``, then normalizes each channel with the
          ImageNet mean and standard deviation.

    In the ``"tf"`` and ``"torch"`` modes a floating NumPy array is preprocessed in place
    (as Keras does); pass ``np.copy(x)`` to keep the original. The ``"caffe"`` mode returns
    a new array, and tensors (eager or symbolic) are never modified.

    Args:
        x: a 3-D or 4-D NumPy array or tensor with 3 color channels.
        data_format: ``"channels_last"`` or ``"channels_first"``; defaults to
            ``cornu.config.image_data_format()``.
        mode: ``"caffe"``, ``"tf"`` or ``"torch"``.

    Returns:
        The preprocessed array or tensor (float).

    Example:
        >>> x = np.random.uniform(0, 255, (1, 224, 224, 3)).astype("float32")
        >>> x = cornu.applications.imagenet_utils.preprocess_input(x, mode="tf")
    """
    if mode not in _MODES:
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    if data_format is None:
        data_format = config.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _channel_shape(ndim: int, data_format: str) -> tuple:
    """The broadcast shape of a per-channel vector for an image (batch) of ``ndim`` dims."""
    shape = [1] * ndim
    shape[_channel_axis(ndim, data_format)] = 3
    return tuple(shape)


def _channel_axis(ndim: int, data_format: str) -> int:
    if data_format == "channels_last":
        return ndim - 1
    return 0 if ndim == 3 else 1


def _mean_std(mode: str) -> tuple:
    if mode == "torch":
        return _TORCH_MEAN, _TORCH_STD
    return _CAFFE_MEAN, None


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(config.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
    else:  # caffe: RGB -> BGR, as a new contiguous array (a reversed view trips torch)
        x = np.ascontiguousarray(np.flip(x, axis=_channel_axis(x.ndim, data_format)))
    mean, std = _mean_std(mode)
    shape = _channel_shape(x.ndim, data_format)
    x -= np.reshape(np.asarray(mean, x.dtype), shape)
    if std is not None:
        x /= np.reshape(np.asarray(std, x.dtype), shape)
    return x


def _preprocess_tensor(x: Any, data_format: str, mode: str) -> Any:
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = len(x.shape)
    if mode == "torch":
        x = x / 255.0
    else:
        x = ops.flip(x, axis=_channel_axis(ndim, data_format))
    mean, std = _mean_std(mode)
    shape = _channel_shape(ndim, data_format)
    x = x - ops.convert_to_tensor(np.reshape(np.asarray(mean, "float32"), shape))
    if std is not None:
        x = x / ops.convert_to_tensor(np.reshape(np.asarray(std, "float32"), shape))
    return x


def _class_index() -> dict:
    global CLASS_INDEX
    if CLASS_INDEX is None:
        from cornu.utils.file_utils import get_file

        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models",
                        file_hash=CLASS_INDEX_HASH)
        with open(path, encoding="utf8") as f:
            CLASS_INDEX = json.load(f)
    return CLASS_INDEX


def decode_predictions(preds: Any, top: int = 5) -> list:
    """Decodes ImageNet predictions into ``(class_id, class_name, score)`` tuples.

    The class index is downloaded once (through ``cornu.utils.get_file``, into the
    ``models`` cache folder) and kept in memory.

    Args:
        preds: an array or tensor of shape ``(samples, 1000)``.
        top: how many of the best guesses to return per sample.

    Returns:
        One list per sample of ``top`` tuples, best first.
    """
    preds = ops.convert_to_numpy(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Received array with shape: {preds.shape}")
    index = _class_index()
    results = []
    for pred in preds:
        best = np.argsort(pred)[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda entry: entry[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape: Any, default_size: int, min_size: int, data_format: str,
                       require_flatten: bool, weights: Any = None) -> tuple:
    """Checks an architecture's ``input_shape`` argument, or picks its default.

    Args:
        input_shape: ``None`` or the user's ``(rows, cols, channels)`` (channels first when
            ``data_format="channels_first"``).
        default_size: the architecture's default image size.
        min_size: the smallest image size it accepts.
        data_format: the image data format.
        require_flatten: whether the classifier needs a static shape (``include_top``).
        weights: ``"imagenet"`` requires 3 channels (and the default size with the top).

    Returns:
        The input shape (may contain ``None`` when ``require_flatten`` is False).
    """
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {channels} input channels.", stacklevel=3)
        default_shape = ((channels, default_size, default_size) if channels_first
                         else (default_size, default_size, channels))
    else:
        default_shape = ((3, default_size, default_size) if channels_first
                         else (default_size, default_size, 3))
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  "
                             f"Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers. "
                             f"Received: input_shape={input_shape}")
        channels = input_shape[0] if channels_first else input_shape[-1]
        spatial = input_shape[1:] if channels_first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError("The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs: Any, kernel_size: Any) -> tuple:
    """The zero padding that makes a strided ``valid`` convolution match TensorFlow's
    ``same`` padding (the extra pixel goes after), for a known or unknown input size."""
    first = 2 if config.image_data_format() == "channels_first" else 1
    size = inputs.shape[first:first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def validate_activation(classifier_activation: Any, weights: Any) -> None:
    """Pretrained classifiers allow only ``None`` (logits) or ``"softmax"``."""
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in (activations.get("softmax"), activations.get(None)):
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, with "
                         f"`include_top=True`; Received: classifier_activation="
                         f"{classifier_activation}")


__all__ = ["decode_predictions", "preprocess_input"]
