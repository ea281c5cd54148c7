"""Small models covering every layer kind cornu has, for the saving tests."""

from __future__ import annotations

import numpy as np

import cornu
from cornu import layers, ops


@cornu.saving.register_keras_serializable(package="zoo")
def double(x):
    return x * 2.0


@cornu.saving.register_keras_serializable(package="zoo")
class GatedDense(layers.Layer):
    """A custom layer with three weights and a config argument."""

    def __init__(self, units, gate_bias=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.gate_bias = gate_bias

    def build(self, input_shape):
        dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(dim, self.units), name="kernel")
        self.gate_kernel = self.add_weight(shape=(dim, self.units), name="gate_kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        hidden = ops.tanh(ops.matmul(inputs, self.kernel) + self.bias)
        return hidden * ops.sigmoid(ops.matmul(inputs, self.gate_kernel) + self.gate_bias)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "gate_bias": self.gate_bias}


@cornu.saving.register_keras_serializable(package="zoo")
class Block(layers.Layer):
    """A custom layer holding sublayers (an attribute and a list) and its own weights."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(4)
        self.stack = [layers.Dense(4), layers.Dense(4, activation="relu")]

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(4,), initializer="ones", name="scale")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="count")

    def call(self, x):
        return self.stack[1](self.stack[0](self.proj(x))) * self.scale


@cornu.saving.register_keras_serializable(package="zoo")
class Subclassed(cornu.Model):
    """A subclassed model without get_config (rebuilt from its build config)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.block = Block()
        self.head = layers.Dense(2)

    def call(self, x):
        return self.head(self.block(x))


def sequential() -> cornu.Model:
    return cornu.Sequential([
        cornu.Input((6,)), layers.Dense(8, activation="relu", name="d1"), layers.Dropout(0.2),
        GatedDense(8, gate_bias=0.5, name="gated"), layers.Reshape((2, 4)), layers.Flatten(),
        layers.Activation("tanh"), layers.Identity(), layers.Lambda(double, name="dbl"),
        layers.Dense(3, name="d2")], name="seq")


def functional() -> cornu.Model:
    a = cornu.Input((4,), name="a")
    b = cornu.Input((3,), name="b")
    inner = cornu.Sequential([cornu.Input((5,)), layers.Dense(5, name="in1")], name="inner")
    h = layers.Dense(5, name="ha")(a) + layers.Dense(5, name="hb")(b)
    h = inner(ops.relu(h))
    shared = layers.Dense(5, name="shared")
    h = shared(shared(h))
    out1 = layers.Dense(2, name="o1")(h)
    out2 = layers.Dense(1, activation="sigmoid", name="o2")(Block(name="blk")(h))
    return cornu.Model([a, b], [out1, out2], name="fn")


def nested_functional() -> cornu.Model:
    x = cornu.Input((6,), name="x")
    inner_in = cornu.Input((6,))
    inner = cornu.Model(inner_in, layers.Dense(6, name="inner_d")(inner_in), name="inner_fn")
    y = inner(x)
    z = inner(y)
    return cornu.Model(x, layers.Dense(2, name="out")(z), name="nested")


def subclassed() -> cornu.Model:
    model = Subclassed(name="sub")
    model.build((None, 6))
    return model


ZOO = {"sequential": sequential, "functional": functional, "nested": nested_functional,
       "subclassed": subclassed}


def inputs_for(name: str, batch: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    if name == "functional":
        return [rng.standard_normal((batch, 4)).astype("float32"),
                rng.standard_normal((batch, 3)).astype("float32")]
    return rng.standard_normal((batch, 6)).astype("float32")


def targets_for(model: cornu.Model, x, seed: int = 1):
    rng = np.random.default_rng(seed)
    outputs = model.predict(x, verbose=0)
    if isinstance(outputs, list):
        return [rng.standard_normal(o.shape).astype("float32") for o in outputs]
    return rng.standard_normal(outputs.shape).astype("float32")


def as_list(y):
    return [np.asarray(v) for v in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]
