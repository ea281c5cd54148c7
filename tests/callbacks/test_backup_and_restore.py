"""BackupAndRestore: a run killed mid-epoch and restarted ends bit for bit where an
uninterrupted run ends."""

import os
import runpy
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cornu
from cornu import callbacks

_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    import cornu

    mode, backup_dir, out = sys.argv[1:4]
    cornu.utils.set_random_seed(7)
    rng = np.random.default_rng(0)
    x = rng.random((40, 6)).astype("float32")
    y = rng.random((40, 2)).astype("float32")
    inputs = cornu.Input((6,))
    h = cornu.layers.Dense(16, activation="relu")(inputs)
    h = cornu.layers.Dropout(0.3)(h)            # the backend's global generator
    h = cornu.layers.Dropout(0.2, seed=3)(h)    # a layer's own seed generator
    model = cornu.Model(inputs, cornu.layers.Dense(2)(h))
    model.compile(cornu.optimizers.Adam(0.01), "mse", metrics=["mae"])

    class Kill(cornu.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            # Epoch 2, batch 4 of 5: the last backup was taken two batches earlier.
            if int(self.model.optimizer.iterations.numpy()) == 14:
                os.kill(os.getpid(), signal.SIGKILL)

    extra = [Kill()] if mode == "kill" else []
    backup = cornu.callbacks.BackupAndRestore(backup_dir, save_freq=3)
    history = model.fit(x, y, batch_size=8, epochs=4, shuffle=True, verbose=0,
                        callbacks=[backup] + extra)
    np.savez(out, *model.get_weights(), epochs=history.epoch, loss=history.history["loss"],
             mae=history.history["mae"])
""")


def _run(script, mode, backup_dir, out):
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, str(script), mode, str(backup_dir), str(out)],
                          env=env, capture_output=True, text=True, timeout=300)


def test_sigkill_mid_epoch_then_resume_is_bit_identical(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_SCRIPT)
    # The uninterrupted run, in this process (it has imported cornu already).
    argv = sys.argv
    sys.argv = [str(script), "plain", str(tmp_path / "backup_plain"), str(tmp_path / "plain.npz")]
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    killed = _run(script, "kill", tmp_path / "backup", tmp_path / "unused.npz")
    assert killed.returncode == -9, killed.stderr
    assert os.listdir(tmp_path / "backup") == ["training_state.npz"]
    resumed = _run(script, "resume", tmp_path / "backup", tmp_path / "resumed.npz")
    assert resumed.returncode == 0, resumed.stderr

    a, b = np.load(tmp_path / "plain.npz"), np.load(tmp_path / "resumed.npz")
    weights = [k for k in a.files if k.startswith("arr_")]
    assert len(weights) == 4
    for key in weights:
        np.testing.assert_array_equal(a[key], b[key])  # bit for bit
    # The resumed run completed epochs 2 and 3, with the same logs as the plain run.
    assert list(b["epochs"]) == [2, 3]
    np.testing.assert_array_equal(a["loss"][2:], b["loss"])
    np.testing.assert_array_equal(a["mae"][2:], b["mae"])
    assert not os.path.exists(tmp_path / "backup" / "training_state.npz")  # deleted at end


def _model():
    model = cornu.Sequential([cornu.Input((20,)), cornu.layers.Dense(10)])
    model.compile(cornu.optimizers.SGD(), loss="mse")
    return model


class _Interrupt(callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 4:
            raise RuntimeError("Interrupting!")


def test_keras_docstring_example_resumes_at_epoch(tmp_path):
    backup = callbacks.BackupAndRestore(backup_dir=str(tmp_path))
    model = _model()
    x, y = np.arange(100, dtype="float32").reshape(5, 20) / 100, np.zeros((5, 10), "float32")
    with pytest.raises(RuntimeError, match="Interrupting!"):
        model.fit(x, y, epochs=10, batch_size=1, callbacks=[backup, _Interrupt()], verbose=0)
    history = model.fit(x, y, epochs=10, batch_size=1, callbacks=[backup], verbose=0)
    assert len(history.history["loss"]) == 6 and history.epoch[0] == 4
    assert int(model.optimizer.iterations.numpy()) == 50


def test_double_checkpoint_falls_back_to_previous(tmp_path):
    x, y = np.ones((4, 20), "float32"), np.zeros((4, 10), "float32")
    backup = callbacks.BackupAndRestore(str(tmp_path), double_checkpoint=True)
    with pytest.raises(RuntimeError):
        _model().fit(x, y, epochs=6, batch_size=2, callbacks=[backup, _Interrupt()], verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["training_state.npz", "training_state.previous.npz"]
    (tmp_path / "training_state.npz").write_bytes(b"corrupt")
    history = _model().fit(x, y, epochs=6, batch_size=2, callbacks=[backup], verbose=0)
    assert history.epoch == [3, 4, 5]  # the previous backup was taken after epoch 3


def test_restore_into_a_different_model_is_refused(tmp_path):
    x, y = np.ones((4, 20), "float32"), np.zeros((4, 10), "float32")
    backup = callbacks.BackupAndRestore(str(tmp_path))
    with pytest.raises(RuntimeError):
        _model().fit(x, y, epochs=6, callbacks=[backup, _Interrupt()], verbose=0)
    other = cornu.Sequential([cornu.Input((20,)), cornu.layers.Dense(10),
                              cornu.layers.Dense(10)])
    other.compile("sgd", "mse")
    with pytest.raises(ValueError, match="the backup holds 2 weights but the model has 4"):
        other.fit(x, y, epochs=6, callbacks=[backup], verbose=0)
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        callbacks.BackupAndRestore("")
