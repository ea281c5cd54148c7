"""The loader's rules for untrusted files: one test per attack, plus errors and atomic writes."""

import json
import marshal
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import h5py
import numpy as np
import pytest

import cornu
from cornu import layers
from cornu.saving import UnsafeFileError, safety
from tests.saving import models_zoo

DATA = pathlib.Path(__file__).parent / "data"
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _small_model():
    return cornu.Sequential([cornu.Input((3,)), layers.Dense(2, name="d")], name="small")


def _archive_members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_archive(path, members, mode=None):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if mode is not None and name == "link":
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def _with_config(tmp_path, edit):
    model = _small_model()
    model.save(tmp_path / "ok.keras")
    members = _archive_members(tmp_path / "ok.keras")
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    return _write_archive(tmp_path / "edited.keras", members)


# --- code execution --------------------------------------------------------------------------
def test_bytecode_lambda_is_refused_with_opt_in_hint():
    with pytest.raises(ValueError, match=r"bytecode.*custom_objects=\{'double'"):
        cornu.models.load_model(DATA / "k3_lambda_bytecode.keras")
    with pytest.raises(ValueError, match="bytecode"):
        cornu.models.load_model(DATA / "k3_lambda_bytecode.keras", safe_mode=False)


def test_bytecode_lambda_loads_with_the_callers_function():
    model = cornu.models.load_model(DATA / "k3_lambda_bytecode.keras",
                                    custom_objects={"double": lambda t: t * 2.0})
    np.testing.assert_allclose(model.predict(np.ones((1, 2), "float32"), verbose=0), [[2, 2]])


def test_no_pickle_or_marshal_on_the_load_path(tmp_path, monkeypatch):
    model = models_zoo.functional()
    model.compile(optimizer="adam", loss="mse")
    for name in ("m.keras", "m.h5"):
        model.save(tmp_path / name)
    model.save_weights(tmp_path / "w.weights.h5")

    def load_all():
        cornu.models.load_model(tmp_path / "m.keras")
        cornu.models.load_model(tmp_path / "m.h5")
        model.load_weights(tmp_path / "w.weights.h5")
        cornu.models.load_model(DATA / "k3_mlp_adam.keras")

    load_all()  # first, so that Python's own lazy imports (which unmarshal .pyc) are done

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle/marshal used while loading")

    for module, attr in [(pickle, "loads"), (pickle, "load"), (pickle, "Unpickler"),
                         (marshal, "loads"), (marshal, "load")]:
        monkeypatch.setattr(module, attr, forbidden)
    load_all()


def test_saving_code_never_imports_pickle_or_marshal():
    for path in (ROOT / "cornu" / "saving").glob("*.py"):
        text = path.read_text()
        for banned in ("import pickle", "import marshal", "allow_pickle=True", "importlib",
                       "__import__", "eval(", "exec("):
            assert banned not in text, f"{path.name} contains {banned!r}"


def test_module_injection_is_refused(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))

    def inject(config):
        config["config"]["layers"][1]["config"]["activation"] = {
            "module": "os", "class_name": "function", "config": "system",
            "registered_name": "system"}

    with pytest.raises(ValueError, match="Unknown activation function 'system'"):
        cornu.models.load_model(_with_config(tmp_path, inject))

    def inject_class(config):
        config["config"]["layers"][1].update(
            {"module": "subprocess", "class_name": "Popen", "registered_name": None})

    with pytest.raises(ValueError, match="Unknown layer 'Popen'"):
        cornu.models.load_model(_with_config(tmp_path, inject_class))
    assert calls == []


def test_config_cannot_switch_safe_mode_off(tmp_path):
    def switch(config):
        config["config"]["enable_unsafe_deserialization"] = True

    with pytest.raises(UnsafeFileError, match="enable_unsafe_deserialization"):
        cornu.models.load_model(_with_config(tmp_path, switch))

    def as_value(config):
        config["config"]["layers"][1]["config"]["activation"] = \
            "keras.config.enable_unsafe_deserialization"

    with pytest.raises(UnsafeFileError, match="safe mode"):
        cornu.models.load_model(_with_config(tmp_path, as_value), safe_mode=None)


def test_safe_mode_none_counts_as_safe():
    from cornu.saving.serialization_lib import SafeModeScope, in_safe_mode

    for value in (None, True):
        with SafeModeScope(value):
            assert in_safe_mode()
    with SafeModeScope(False):
        assert not in_safe_mode()
    assert in_safe_mode()


# --- archives --------------------------------------------------------------------------------
@pytest.mark.parametrize("member", ["../evil.txt", "assets/../../evil.txt", "/etc/evil",
                                    "C:/evil"])
def test_path_traversal_and_absolute_members_are_refused(tmp_path, member):
    _small_model().save(tmp_path / "ok.keras")
    members = _archive_members(tmp_path / "ok.keras")
    members[member] = b"x"
    path = _write_archive(tmp_path / "bad.keras", members)
    with pytest.raises(UnsafeFileError, match="absolute|'\\.\\.'"):
        cornu.models.load_model(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_symlink_member_is_refused(tmp_path):
    _small_model().save(tmp_path / "ok.keras")
    members = _archive_members(tmp_path / "ok.keras")
    members["link"] = b"/etc/passwd"
    path = _write_archive(tmp_path / "bad.keras", members, mode=0o120777)
    with pytest.raises(UnsafeFileError, match="links"):
        cornu.models.load_model(path)


def test_zip_bomb_is_refused(tmp_path):
    _small_model().save(tmp_path / "ok.keras")
    members = _archive_members(tmp_path / "ok.keras")
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("assets/zeros.bin", b"\0" * (32 * 1024**2))
    with pytest.raises(UnsafeFileError, match="zip bomb"):
        cornu.models.load_model(path)


def test_member_over_the_limit_is_not_read(tmp_path):
    _small_model().save(tmp_path / "ok.keras")
    with zipfile.ZipFile(tmp_path / "ok.keras") as archive:
        with pytest.raises(UnsafeFileError, match="over the limit"):
            safety.read_member(archive, "config.json", limit=10)


# --- HDF5 ------------------------------------------------------------------------------------
def _weights_file(tmp_path, edit):
    model = _small_model()
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as f:
        edit(f, tmp_path)
    return model, path


def test_hdf5_external_link_is_refused(tmp_path):
    def edit(f, folder):
        with h5py.File(folder / "other.h5", "w") as other:
            other["data"] = np.zeros(3)
        f["layers/dense/vars/x"] = h5py.ExternalLink(str(folder / "other.h5"), "/data")

    model, path = _weights_file(tmp_path, edit)
    with pytest.raises(UnsafeFileError, match="ExternalLink"):
        model.load_weights(path)


def test_hdf5_soft_link_is_refused(tmp_path):
    model, path = _weights_file(tmp_path, lambda f, _: f.__setitem__(
        "layers/dense/vars/x", h5py.SoftLink("/layers/dense/vars/0")))
    with pytest.raises(UnsafeFileError, match="SoftLink"):
        model.load_weights(path)


def test_hdf5_virtual_dataset_is_refused(tmp_path):
    def edit(f, folder):
        with h5py.File(folder / "source.h5", "w") as source:
            source["data"] = np.ones((3, 2), "float32")
        layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
        layout[:] = h5py.VirtualSource(str(folder / "source.h5"), "data", shape=(3, 2))
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_virtual_dataset("0", layout)

    model, path = _weights_file(tmp_path, edit)
    with pytest.raises(UnsafeFileError, match="virtual"):
        model.load_weights(path)


def test_hdf5_external_storage_is_refused(tmp_path):
    def edit(f, folder):
        (folder / "raw.bin").write_bytes(np.zeros(6, "float32").tobytes())
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(3, 2), dtype="float32",
                                              external=[(str(folder / "raw.bin"), 0, 24)])

    model, path = _weights_file(tmp_path, edit)
    with pytest.raises(UnsafeFileError, match="external"):
        model.load_weights(path)


def test_oversized_dataset_shape_is_refused_before_reading(tmp_path):
    def edit(f, _):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(10**6, 10**6), dtype="float32",
                                              chunks=(1, 1024))

    model, path = _weights_file(tmp_path, edit)
    assert path.stat().st_size < 1024**2
    with pytest.raises(UnsafeFileError, match="declares shape"):
        model.load_weights(path)


# --- clear errors, no partial loading --------------------------------------------------------
def test_missing_custom_class_names_it_and_shows_how_to_register(tmp_path):
    @cornu.saving.register_keras_serializable(package="tmp_pkg")
    class Secret(layers.Layer):
        def call(self, x):
            return x

    model = cornu.Sequential([cornu.Input((2,)), Secret(name="s")])
    model.save(tmp_path / "m.keras")
    del cornu.saving.get_custom_objects()["tmp_pkg>Secret"]
    with pytest.raises(ValueError) as info:
        cornu.models.load_model(tmp_path / "m.keras")
    message = str(info.value)
    assert "tmp_pkg>Secret" in message and "register_keras_serializable" in message
    assert "custom_objects={'Secret': Secret}" in message
    restored = cornu.models.load_model(tmp_path / "m.keras", custom_objects={"Secret": Secret})
    assert isinstance(restored.layers[0], Secret)


@pytest.mark.parametrize("filename", ["w.weights.h5", "w.h5", "m.keras"])
def test_shape_mismatch_names_layer_weight_shapes_and_changes_nothing(tmp_path, filename):
    source = cornu.Sequential([cornu.Input((4,)), layers.Dense(3, name="a"),
                               layers.Dense(2, name="b")])
    target = cornu.Sequential([cornu.Input((4,)), layers.Dense(3, name="a"),
                               layers.Dense(5, name="b")])
    if filename.endswith(".keras"):
        source.save(tmp_path / filename)
    else:
        source.save_weights(tmp_path / filename)
    before = target.get_weights()
    with pytest.raises(ValueError) as info:
        target.load_weights(tmp_path / filename)
    message = str(info.value)
    assert "'b'" in message and "'kernel'" in message
    assert "(3, 5)" in message and "(3, 2)" in message
    for old, new in zip(before, target.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_failing_custom_hook_rolls_back_the_model(tmp_path):
    class Broken(layers.Dense):
        def load_own_variables(self, store):
            raise RuntimeError("boom")

    model = cornu.Sequential([cornu.Input((2,)), layers.Dense(2, name="a"), Broken(2, name="b")])
    model.save_weights(tmp_path / "w.weights.h5")
    other = cornu.Sequential([cornu.Input((2,)), layers.Dense(2, name="a"), Broken(2, name="b")])
    before = other.get_weights()
    with pytest.raises((RuntimeError, ValueError), match="boom"):
        other.load_weights(tmp_path / "w.weights.h5")
    for old, new in zip(before, other.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_not_a_model_file(tmp_path):
    (tmp_path / "junk.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError):
        cornu.models.load_model(tmp_path / "junk.keras")
    with pytest.raises(ValueError, match="File not found"):
        cornu.models.load_model(tmp_path / "missing.keras")


# --- atomic writes ---------------------------------------------------------------------------
KILLED_SAVE = textwrap.dedent("""
    import sys, time, zipfile
    import h5py
    import cornu
    from cornu import layers

    def stall_after_first(cls, name):
        original = getattr(cls, name)

        def patched(*args, **kwargs):
            result = original(*args, **kwargs)
            open(sys.argv[2], "w").close()  # the new file is half written: kill us now
            time.sleep(60)
            return result

        setattr(cls, name, patched)

    if sys.argv[1].endswith(".keras"):
        stall_after_first(zipfile.ZipFile, "writestr")  # after metadata.json
    else:
        stall_after_first(h5py.Group, "create_dataset")  # after the first weight
    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(4, name="new")])
    model.save(sys.argv[1])
""")


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
@pytest.mark.parametrize("filename", ["m.keras", "m.h5"])
def test_killed_save_leaves_the_previous_file_whole(tmp_path, filename):
    target = tmp_path / filename
    model = _small_model()
    model.save(target)
    original = target.read_bytes()
    marker = tmp_path / "saving"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(target), str(marker)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            assert time.time() < deadline, "the child never started saving"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert target.read_bytes() == original
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers and os.path.getsize(tmp_path / leftovers[0]) > 0  # killed mid-write
    restored = cornu.models.load_model(target)
    np.testing.assert_array_equal(restored.get_weights()[0], model.get_weights()[0])


def test_atomic_path_keeps_permissions_and_cleans_up(tmp_path):
    from cornu.saving.atomic import atomic_path

    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            pathlib.Path(tmp).write_bytes(b"partial")
            raise RuntimeError("crash")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]
    with atomic_path(target) as tmp:
        pathlib.Path(tmp).write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert (target.stat().st_mode & 0o777) == 0o640

