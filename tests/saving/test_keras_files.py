"""Files written by real Keras 3.15.1 (tests/saving/data, see make_fixtures.py) load in cornu,
and files cornu writes load in real Keras 3 (when ``keras`` is installed)."""

import importlib.util
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cornu
from tests.saving import models_zoo

DATA = pathlib.Path(__file__).parent / "data"
EXPECTED = np.load(DATA / "k3_expected.npz")


def _optimizer_state(model):
    return [cornu.ops.convert_to_numpy(v) for v in model.optimizer.variables]


@pytest.mark.parametrize("filename", ["k3_mlp_adam.keras", "k3_mlp_adam.h5"])
def test_keras3_model_loads_with_optimizer_state(filename):
    model = cornu.models.load_model(DATA / filename)
    np.testing.assert_allclose(model.predict(EXPECTED["mlp_x"], verbose=0), EXPECTED["mlp_y"],
                               rtol=1e-5, atol=1e-6)
    state = _optimizer_state(model)
    want = [EXPECTED[f"mlp_opt_{i}"] for i in range(len(state))]
    assert f"mlp_opt_{len(state)}" not in EXPECTED
    for got, expected in zip(state, want):
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    model.train_on_batch(EXPECTED["mlp_next_x"], EXPECTED["mlp_next_y"])
    np.testing.assert_allclose(model.predict(EXPECTED["mlp_x"], verbose=0),
                               EXPECTED["mlp_y_after_step"], rtol=1e-5, atol=1e-6)


def test_keras3_weights_file_loads_into_model_from_json():
    reference = cornu.models.load_model(DATA / "k3_mlp_adam.keras", compile=False)
    model = cornu.models.model_from_json(reference.to_json())
    model.load_weights(DATA / "k3_mlp_adam.weights.h5")
    np.testing.assert_allclose(model.predict(EXPECTED["mlp_x"], verbose=0), EXPECTED["mlp_y"],
                               rtol=1e-5, atol=1e-6)


def test_keras3_functional_with_ops_and_nested_model():
    model = cornu.models.load_model(DATA / "k3_functional.keras")
    out1, out2 = model.predict([EXPECTED["fn_a"], EXPECTED["fn_b"]], verbose=0)
    np.testing.assert_allclose(out1, EXPECTED["fn_out1"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out2, EXPECTED["fn_out2"], rtol=1e-5, atol=1e-6)
    assert model.input_names == ["a", "b"]


KERAS_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import keras

    @keras.saving.register_keras_serializable(package="zoo")
    def double(x):
        return x * 2.0

    @keras.saving.register_keras_serializable(package="zoo")
    class GatedDense(keras.layers.Layer):
        def __init__(self, units, gate_bias=0.0, **kwargs):
            super().__init__(**kwargs)
            self.units, self.gate_bias = units, gate_bias
        def build(self, input_shape):
            dim = input_shape[-1]
            self.kernel = self.add_weight(shape=(dim, self.units), name="kernel")
            self.gate_kernel = self.add_weight(shape=(dim, self.units), name="gate_kernel")
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        def call(self, x):
            hidden = keras.ops.tanh(keras.ops.matmul(x, self.kernel) + self.bias)
            gate = keras.ops.sigmoid(keras.ops.matmul(x, self.gate_kernel) + self.gate_bias)
            return hidden * gate
        def get_config(self):
            return {**super().get_config(), "units": self.units, "gate_bias": self.gate_bias}

    @keras.saving.register_keras_serializable(package="zoo")
    class Block(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.proj = keras.layers.Dense(4)
            self.stack = [keras.layers.Dense(4), keras.layers.Dense(4, activation="relu")]
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(4,), initializer="ones", name="scale")
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         name="count")
        def call(self, x):
            return self.stack[1](self.stack[0](self.proj(x))) * self.scale

    folder = sys.argv[1]
    data = np.load(folder + "/io.npz")
    for name in ["sequential", "functional"]:
        for ext in ["keras", "h5"]:
            model = keras.models.load_model(f"{folder}/{name}.{ext}")
            x = [data[f"{name}_x0"], data[f"{name}_x1"]] if name == "functional" \\
                else data[f"{name}_x0"]
            got = model.predict(x, verbose=0)
            got = got if isinstance(got, list) else [got]
            for i, y in enumerate(got):
                np.testing.assert_allclose(y, data[f"{name}_y{i}"], rtol=1e-5, atol=1e-6)
            if name == "sequential" and ext == "keras":
                opt = [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables]
                assert len(opt) == int(data["opt_count"]), (len(opt), data["opt_count"])
                for i, v in enumerate(opt):
                    np.testing.assert_allclose(v, data[f"opt_{i}"], rtol=1e-6)
        model.load_weights(f"{folder}/{name}.weights.h5")
    print("KERAS_OK")
""")


def _keras_python():
    """An interpreter with real Keras 3: $CORNU_KERAS_PYTHON, else this one if it has keras."""
    python = os.environ.get("CORNU_KERAS_PYTHON")
    if python:
        return python
    # Not imported here: Keras must start in its own process with KERAS_BACKEND=torch.
    if importlib.util.find_spec("keras") is None:
        pytest.skip("real Keras 3 is not installed")
    return sys.executable


def test_files_cornu_writes_load_in_keras3(tmp_path):
    python = _keras_python()
    arrays = {}
    for name in ["sequential", "functional"]:
        model = models_zoo.ZOO[name]()
        x = models_zoo.inputs_for(name)
        if name == "sequential":
            model.compile(optimizer="adam", loss="mse")
            model.fit(x, np.zeros((4, 3), "float32"), verbose=0)
            arrays.update({f"opt_{i}": v for i, v in enumerate(_optimizer_state(model))})
            arrays["opt_count"] = np.array(len(model.optimizer.variables))
        for i, xi in enumerate(x if isinstance(x, list) else [x]):
            arrays[f"{name}_x{i}"] = xi
        for i, y in enumerate(models_zoo.as_list(model.predict(x, verbose=0))):
            arrays[f"{name}_y{i}"] = y
        model.save(tmp_path / f"{name}.keras")
        model.save(tmp_path / f"{name}.h5")
        model.save_weights(tmp_path / f"{name}.weights.h5")
    np.savez(tmp_path / "io.npz", **arrays)
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    result = subprocess.run([python, "-c", KERAS_SCRIPT, str(tmp_path)], capture_output=True,
                            text=True, env=env, timeout=300, cwd=tmp_path)
    assert "KERAS_OK" in result.stdout, result.stderr[-3000:]
