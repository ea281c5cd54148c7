"""Layer wrappers: the ``Wrapper`` base class and ``SpectralNormalization``."""

from __future__ import annotations

from typing import Any

from cornu import initializers, ops
from cornu.layers.conv import describe
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer
from cornu.saving import serialization_lib


class Wrapper(Layer):
    """A layer that wraps another layer (``self.layer``) and builds it on first use."""

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__} wraps a layer; received {layer!r} of type "
                             f"{type(layer).__name__}. Pass a cornu layer instance.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(),
                "layer": serialization_lib.serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Wrapper":
        config = dict(config)
        layer = serialization_lib.deserialize_keras_object(
            config.pop("layer"), custom_objects=custom_objects, kind="layer")
        return cls(layer, **config)


class SpectralNormalization(Wrapper):
    """Divides the wrapped layer's kernel by its largest singular value in training.

    The singular value is estimated with ``power_iterations`` steps of power iteration
    from the non-trainable vector ``vector_u``; as in Keras, each training call writes the
    normalized kernel back into the wrapped layer's kernel. Inference uses the kernel as is.
    Weights, as Keras orders them: kernel, vector_u, then the wrapped layer's other weights.

    Example:
        >>> sn = SpectralNormalization(Dense(4))
        >>> sn(np.ones((2, 3)), training=True).shape
        (2, 4)
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) \
                or power_iterations <= 0:
            raise ValueError(f"{describe(self)}: `power_iterations` must be a positive integer. "
                             f"Received: power_iterations={power_iterations!r}")
        self.power_iterations = power_iterations

    def build(self, input_shape: tuple) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"{describe(self)}: the wrapped {type(self.layer).__name__} has no "
                             "`kernel` nor `embeddings` weight to normalize.")
        self.kernel = kernel
        self.vector_u = self.add_weight(
            name="vector_u", shape=(1, tuple(kernel.shape)[-1]), trainable=False,
            initializer=initializers.TruncatedNormal(stddev=0.02), dtype=kernel.dtype)
        self.built = True

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        if training:
            kernel = ops.stop_gradient(self.kernel)
            vector_u, normalized = self._normalized_weights(kernel)
            # An all-zero kernel stays as it is (selected on the device: no host sync).
            zero = ops.all(ops.equal(kernel, 0))
            self.vector_u.assign(ops.where(zero, ops.stop_gradient(self.vector_u), vector_u))
            self.kernel.assign(ops.where(zero, kernel, normalized))
        return ops.cast(self.layer(inputs), ops.dtype(inputs))

    def _normalized_weights(self, kernel: Any) -> tuple:
        shape = ops.shape(kernel)
        weights = ops.reshape(kernel, (-1, shape[-1]))
        vector_u = ops.stop_gradient(self.vector_u)
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(ops.matmul(vector_u, ops.transpose(weights)), axis=None)
            vector_u = ops.normalize(ops.matmul(vector_v, weights), axis=None)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        return vector_u, ops.reshape(weights / sigma, shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}
