"""What every architecture builder shares: argument checks, the image input, the pooling
head, the model, and loading weights (Keras's ImageNet files through ``get_file``, or a path).
"""

from __future__ import annotations

import os
from typing import Any, Callable

from cornu import layers
from cornu.applications import imagenet_utils
from cornu.core.keras_tensor import KerasTensor, is_keras_tensor

# The documentation every builder shares (``{name}``, ``{size}`` and ``{extra}`` filled in).
DOCSTRING = """Instantiates the {name} architecture{reference}.

    The layer names, weight order and shapes are Keras's, so Keras's published ImageNet
    weights (``weights="imagenet"``, downloaded once into ``~/.cornu/models``) and weight
    files saved by Keras for this architecture load unchanged. The default input size is
    {size}x{size}. {preprocessing}

    Args:
        include_top: whether to include the classifier at the top of the network.
        weights: ``None`` (random initialization), ``"imagenet"`` (pre-training on
            ImageNet) or the path of a weights file to load.
        input_tensor: an optional symbolic tensor (output of ``cornu.Input()`` or a layer)
            to use as the image input.
        input_shape: an optional shape tuple, e.g. ``({size}, {size}, 3)``, when
            ``include_top`` is False (with the top and ImageNet weights it must be the
            default).
        pooling: with ``include_top=False``: ``None`` (the output is the last 4-D feature
            map), ``"avg"`` or ``"max"`` (global pooling to a 2-D output).
        classes: the number of classes when ``include_top`` is True and no ImageNet
            weights are loaded.
        classifier_activation: the activation of the top layer (``None`` returns logits);
            with pretrained weights only ``None`` or ``"softmax"``.{extra}
        name: the name of the model.

    Returns:
        A functional ``cornu.Model``.

    Example:
        >>> base = cornu.applications.{name}(weights=None, include_top=False,
        ...                                  pooling="avg")
        >>> base.trainable = False  # transfer learning: freeze, then add a new head
    """


def document(fn: Callable, reference: str = "", size: int = 224, preprocessing: str = "",
             extra: str = "") -> Callable:
    """Fills the shared docstring for one builder."""
    fn.__doc__ = DOCSTRING.format(name=fn.__name__, reference=reference, size=size,
                                  preprocessing=preprocessing, extra=extra)
    return fn


def _is_weights_file(weights: Any) -> bool:
    return isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)


def check_arguments(weights: Any, include_top: bool, classes: int, pooling: Any = None) -> None:
    """The checks every builder makes before building anything."""
    if not (weights in ("imagenet", None) or _is_weights_file(weights)):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded.  Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000.  Received classes={classes}")
    if pooling not in (None, "avg", "max"):
        raise ValueError("`pooling` should be None, 'avg' or 'max'. "
                         f"Received: pooling={pooling!r}")


def image_input(input_tensor: Any, input_shape: Any) -> KerasTensor:
    """The model's image input: a new ``Input`` or the caller's symbolic tensor."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not is_keras_tensor(input_tensor):
        raise ValueError("`input_tensor` must be a symbolic tensor (the output of "
                         "`cornu.Input()` or of a layer called on one). Received: "
                         f"input_tensor of type {type(input_tensor).__name__}")
    return input_tensor


def source_inputs(tensor: KerasTensor) -> Any:
    """The ``Input`` tensors a symbolic tensor was computed from (one, or a list)."""
    found: list = []
    seen: set = set()
    stack = [tensor]
    while stack:
        t = stack.pop()
        operation, node_index, _ = t._keras_history
        node = operation._inbound_nodes[node_index]
        if node.is_input:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            continue
        stack.extend(reversed(node.input_tensors))
    return found[0] if len(found) == 1 else found


def pool(x: KerasTensor, pooling: Any, avg_name: str | None = None,
         max_name: str | None = None) -> KerasTensor:
    """Global average or max pooling of the feature map, or nothing."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def dense_classifier(x: KerasTensor, classes: int, classifier_activation: Any,
                     weights: Any, **kwargs: Any) -> KerasTensor:
    """The ``predictions`` Dense layer most architectures end with."""
    imagenet_utils.validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation, name="predictions",
                        **kwargs)(x)


def create_model(input_tensor: Any, img_input: KerasTensor, outputs: KerasTensor,
                 name: str) -> Any:
    """The functional model from the image input (or the caller's sources) to ``outputs``."""
    from cornu.models import Model

    inputs = img_input if input_tensor is None else source_inputs(input_tensor)
    return Model(inputs, outputs, name=name)


def load_weights(model: Any, weights: Any, file_name: str | None = None,
                 origin: str | None = None, file_hash: str | None = None) -> Any:
    """Loads ImageNet weights (downloaded once into the ``models`` cache) or a weights file."""
    if weights == "imagenet":
        from cornu.utils.file_utils import get_file

        path = get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
    return model


def channel_axis() -> int:
    """The channel axis of 4-D image tensors under the configured data format."""
    from cornu import config

    return 1 if config.image_data_format() == "channels_first" else 3


def input_shape_for(input_shape: Any, default_size: int, min_size: int, include_top: bool,
                    weights: Any) -> tuple:
    """``obtain_input_shape`` with the configured data format."""
    from cornu import config

    return imagenet_utils.obtain_input_shape(input_shape, default_size=default_size,
                                             min_size=min_size,
                                             data_format=config.image_data_format(),
                                             require_flatten=include_top, weights=weights)
