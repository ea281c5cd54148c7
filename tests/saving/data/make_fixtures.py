"""Writes the Keras 3 reference files used by tests/saving (run with real Keras, torch backend).

    KERAS_BACKEND=torch python tests/saving/data/make_fixtures.py

Files: ``k3_mlp_adam.{keras,weights.h5,h5}`` (Dense/Activation MLP trained two steps
with Adam), ``k3_functional.keras`` (two inputs, an op on tensors, a nested functional
model, Dropout/Reshape/Flatten, two outputs), ``k3_lambda_bytecode.keras`` (a Lambda
saved as Python bytecode), and ``k3_expected.npz`` (inputs, outputs, optimizer state).
"""

import os

import keras
import numpy as np
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(7)
rng = np.random.default_rng(7)
arrays = {}

mlp = keras.Sequential([keras.Input((5,)), layers.Dense(8, activation="relu", name="hidden"),
                        layers.Activation("tanh", name="act"),
                        layers.Dense(2, name="out")], name="mlp")
mlp.compile(optimizer=keras.optimizers.Adam(0.01), loss="mean_squared_error",
            metrics=["mean_absolute_error"])
x = rng.standard_normal((16, 5)).astype("float32")
y = rng.standard_normal((16, 2)).astype("float32")
mlp.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
arrays["mlp_x"] = x[:4]
arrays["mlp_y"] = mlp.predict(x[:4], verbose=0)
for i, v in enumerate(mlp.optimizer.variables):
    arrays[f"mlp_opt_{i}"] = keras.ops.convert_to_numpy(v)
arrays["mlp_next_x"], arrays["mlp_next_y"] = x[8:], y[8:]
mlp.save(os.path.join(HERE, "k3_mlp_adam.keras"))
mlp.save_weights(os.path.join(HERE, "k3_mlp_adam.weights.h5"))
mlp.save(os.path.join(HERE, "k3_mlp_adam.h5"))
mlp.train_on_batch(x[8:], y[8:])
arrays["mlp_y_after_step"] = mlp.predict(x[:4], verbose=0)

inner_in = keras.Input((6,))
inner = keras.Model(inner_in, layers.Dense(4, activation="sigmoid", name="inner_dense")(inner_in),
                    name="inner")
a = keras.Input((3,), name="a")
b = keras.Input((2,), name="b")
h = layers.Dense(6, name="da")(a) + layers.Dense(6, name="db")(b)
h = inner(h)
out1 = layers.Dense(1, name="score")(h)
h2 = layers.Flatten()(layers.Reshape((2, 2))(layers.Dropout(0.3)(h)))
out2 = layers.Dense(3, activation="softmax", name="probs")(h2)
fn = keras.Model([a, b], [out1, out2], name="two_io")
fn.save(os.path.join(HERE, "k3_functional.keras"))
arrays["fn_a"] = rng.standard_normal((3, 3)).astype("float32")
arrays["fn_b"] = rng.standard_normal((3, 2)).astype("float32")
arrays["fn_out1"], arrays["fn_out2"] = fn.predict([arrays["fn_a"], arrays["fn_b"]], verbose=0)

lam = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda t: t * 2.0, name="double")])
lam.save(os.path.join(HERE, "k3_lambda_bytecode.keras"))
np.savez(os.path.join(HERE, "k3_expected.npz"), **arrays)
print("written to", HERE)
