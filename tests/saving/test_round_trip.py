"""Save then load gives the same model: weights, predictions, optimizer state, configs."""

import json
import zipfile

import h5py
import numpy as np
import pytest

import cornu
from cornu import layers
from cornu.saving import state_tree
from tests.saving import models_zoo
from tests.saving.models_zoo import ZOO, as_list, inputs_for, targets_for

FORMATS = ["model.keras", "model.h5"]


def _assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        assert x.shape == y.shape and x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


def _assert_same_predictions(a, b, x):
    for pa, pb in zip(as_list(a.predict(x, verbose=0)), as_list(b.predict(x, verbose=0))):
        np.testing.assert_array_equal(pa, pb)


@pytest.mark.parametrize("name", sorted(ZOO))
@pytest.mark.parametrize("filename", FORMATS)
def test_model_round_trip(tmp_path, name, filename):
    model = ZOO[name]()
    path = tmp_path / filename
    model.save(path)
    restored = cornu.models.load_model(path)
    assert type(restored) is type(model)
    assert restored.name == model.name
    _assert_same_weights(model, restored)
    _assert_same_predictions(model, restored, inputs_for(name))


@pytest.mark.parametrize("name", sorted(ZOO))
@pytest.mark.parametrize("filename", ["w.weights.h5", "w.h5"])
def test_weights_round_trip(tmp_path, name, filename):
    model = ZOO[name]()
    model.save_weights(tmp_path / filename)
    cornu.utils.set_random_seed(99)
    fresh = ZOO[name]()
    fresh.load_weights(tmp_path / filename)
    _assert_same_weights(model, fresh)
    _assert_same_predictions(model, fresh, inputs_for(name))


@pytest.mark.parametrize("name, filename", [(name, "model.keras") for name in sorted(ZOO)] + [
    ("sequential", "model.h5"), ("functional", "model.h5"), ("functional", "w.weights.h5")])
def test_optimizer_state_resumes_training_exactly(tmp_path, name, filename):
    model = ZOO[name]()
    model.compile(optimizer=cornu.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    x = inputs_for(name, batch=8)
    y = targets_for(model, x)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    if filename.endswith(".weights.h5"):
        model.save_weights(tmp_path / filename)
        restored = ZOO[name]()
        restored.compile(optimizer=cornu.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
        restored.load_weights(tmp_path / filename)
    else:
        model.save(tmp_path / filename)
        restored = cornu.models.load_model(tmp_path / filename)
    assert [tuple(v.shape) for v in restored.optimizer.variables] == \
        [tuple(v.shape) for v in model.optimizer.variables]
    for a, b in zip(model.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_array_equal(cornu.ops.convert_to_numpy(a),
                                      cornu.ops.convert_to_numpy(b))
    # Dropout draws random masks: compare the next step with dropout's randomness removed.
    for m in (model, restored):
        for layer in state_tree.walk(m):
            if isinstance(layer[1], layers.Dropout):
                layer[1].rate = 0.0
    model.train_on_batch(x, y)
    restored.train_on_batch(x, y)
    _assert_same_weights(model, restored)
    assert int(cornu.ops.convert_to_numpy(restored.optimizer.iterations)) == 3


def test_compile_false_skips_optimizer(tmp_path):
    model = models_zoo.sequential()
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.keras")
    restored = cornu.models.load_model(tmp_path / "m.keras", compile=False)
    assert not restored.compiled and restored.optimizer is None


def test_keras_archive_layout(tmp_path):
    model = models_zoo.sequential()
    model.compile(optimizer="adam", loss="mse")
    model.fit(inputs_for("sequential"), np.zeros((4, 3), "float32"), verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    assert config["compile_config"]["loss"] == "mse"
    assert config["build_config"] == {"input_shape": [None, 6]}
    dense = config["config"]["layers"][1]
    assert dense["module"] == "keras.layers" and dense["class_name"] == "Dense"
    assert dense["build_config"] == {"input_shape": [None, 6]}
    gated = config["config"]["layers"][3]
    assert gated["registered_name"] == "zoo>GatedDense"


def test_weights_file_paths_follow_keras(tmp_path):
    """Keras 3 names groups by attribute and by class within lists (checked against Keras)."""
    model = models_zoo.subclassed()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((2, 6), "float32"), np.zeros((2, 2), "float32"), verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        groups = []
        f.visititems(lambda n, o: groups.append(n) if n.endswith("vars") else None)
        assert sorted(groups) == sorted([
            "block/proj/vars", "block/stack/dense/vars", "block/stack/dense_1/vars",
            "block/vars", "head/vars", "optimizer/vars", "vars"])
        assert f["block/vars"].attrs["name"] == "block"
        assert f["block/vars/0"].shape == (4,) and f["block/vars/1"].shape == ()
        assert len(f["optimizer/vars"]) == 2 + 2 * len(model.trainable_weights)


def test_functional_config_format():
    model = models_zoo.nested_functional()
    config = model.get_config()
    assert config["input_layers"] == ["x", 0, 0]
    assert config["output_layers"] == ["out", 0, 0]
    inner = next(layer for layer in config["layers"] if layer["name"] == "inner_fn")
    assert inner["class_name"] == "Functional"
    histories = [node["args"][0]["config"]["keras_history"] for node in inner["inbound_nodes"]]
    assert histories == [["x", 0, 0], ["inner_fn", 0, 0]]
    clone = cornu.Model.from_config(config)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]


def test_ops_in_graph_round_trip():
    x = cornu.Input((3,), name="x")
    y = layers.Dense(3, name="d")(x)
    out = cornu.ops.not_equal(y, 0.0)
    model = cornu.Model(x, [y * 2.0, out], name="ops")
    config = model.get_config()
    names = [layer["class_name"] for layer in config["layers"]]
    assert "NotEqual" in names and "Multiply" in names
    clone = cornu.Model.from_config(config)
    clone.set_weights(model.get_weights())
    data = np.arange(6, dtype="float32").reshape(2, 3)
    for a, b in zip(model.predict(data, verbose=0), clone.predict(data, verbose=0)):
        np.testing.assert_array_equal(a, b)


def test_to_json_and_model_from_json():
    model = models_zoo.functional()
    restored = cornu.models.model_from_json(model.to_json())
    assert restored.get_config() == model.get_config()
    assert [w.shape for w in restored.weights] == [w.shape for w in model.weights]


@pytest.mark.parametrize("name", ["sequential", "functional", "nested"])
def test_clone_model(name):
    model = ZOO[name]()
    clone = cornu.models.clone_model(model)
    assert clone is not model and all(a is not b for a, b in zip(clone.weights, model.weights))
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    clone.set_weights(model.get_weights())
    _assert_same_predictions(model, clone, inputs_for(name))


def test_clone_model_with_clone_function():
    model = models_zoo.sequential()
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return layer.__class__.from_config(layer.get_config())

    cornu.models.clone_model(model, clone_function=clone_function)
    assert seen == [layer.name for layer in model.layers]


def test_get_set_weights_round_trip():
    model = models_zoo.functional()
    other = models_zoo.functional()
    other.set_weights(model.get_weights())
    _assert_same_weights(model, other)


def test_custom_save_and_load_own_variables(tmp_path):
    @cornu.saving.register_keras_serializable(package="zoo_test")
    class Stored(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), name="w")

        def call(self, x):
            return x * self.w

        def save_own_variables(self, store):
            store["0"] = cornu.ops.convert_to_numpy(self.w) + 1.0

        def load_own_variables(self, store):
            self.w.assign(store["0"] - 1.0)

    model = cornu.Sequential([cornu.Input((3,)), Stored(name="stored")])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive, \
            h5py.File(__import__("io").BytesIO(archive.read("model.weights.h5"))) as f:
        np.testing.assert_allclose(f["layers/stored/vars/0"][()], model.get_weights()[0] + 1.0)
    restored = cornu.models.load_model(tmp_path / "m.keras")
    _assert_same_weights(model, restored)


def test_save_refuses_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.keras"):
        models_zoo.sequential().save(tmp_path / "model.pt")


def test_save_overwrite_false(tmp_path):
    path = tmp_path / "m.keras"
    models_zoo.sequential().save(path)
    with pytest.raises(FileExistsError):
        models_zoo.sequential().save(path, overwrite=False)


def test_load_weights_by_name_legacy(tmp_path):
    model = models_zoo.sequential()
    model.save_weights(tmp_path / "w.h5")
    cornu.utils.set_random_seed(5)
    other = cornu.Sequential([cornu.Input((6,)), layers.Dense(8, name="d1"),
                              layers.Dense(5, name="unrelated")])
    other.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(other.get_layer("d1").get_weights()[0],
                                  model.get_layer("d1").get_weights()[0])


def test_skip_mismatch(tmp_path):
    model = cornu.Sequential([cornu.Input((4,)), layers.Dense(3, name="a"),
                              layers.Dense(2, name="b")])
    model.save_weights(tmp_path / "w.weights.h5")
    other = cornu.Sequential([cornu.Input((4,)), layers.Dense(3, name="a"),
                              layers.Dense(5, name="b")])
    before = other.get_layer("b").get_weights()
    with pytest.warns(UserWarning, match="Skipping"):
        other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(other.get_layer("a").get_weights()[0],
                                  model.get_layer("a").get_weights()[0])
    np.testing.assert_array_equal(other.get_layer("b").get_weights()[0], before[0])
