"""ModelCheckpoint: file names, save_best_only, frequencies, atomic writes, clear errors."""

import os
import types

import numpy as np
import pytest

import cornu
from cornu import callbacks

X = np.random.default_rng(0).random((8, 3)).astype("float32")
Y = np.random.default_rng(1).random((8, 1)).astype("float32")


def _npz_save(self, filepath, overwrite=True):
    with open(filepath, "wb") as f:
        np.savez(f, *self.get_weights())


def _model():
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(1)])
    model.compile(cornu.optimizers.SGD(0.1), "mse")
    # Until cornu.saving provides model.save/save_weights, checkpoints write the weights as
    # .npz: these tests cover the callback (names, policy, atomicity), not the file format.
    if not hasattr(model, "save_weights"):
        model.save_weights = types.MethodType(_npz_save, model)
        model.save = types.MethodType(_npz_save, model)
    return model


def _inject(values, key="val_loss"):
    return callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: logs.__setitem__(key, values[e]))


def test_filepath_template_and_every_epoch(tmp_path, capsys):
    pattern = str(tmp_path / "ck-{epoch:02d}-{val_loss:.2f}.weights.h5")
    ck = callbacks.ModelCheckpoint(pattern, save_weights_only=True, verbose=1)
    _model().fit(X, Y, epochs=3, verbose=0, callbacks=[_inject([0.5, 0.25, 0.75]), ck])
    assert sorted(os.listdir(tmp_path)) == ["ck-01-0.50.weights.h5", "ck-02-0.25.weights.h5",
                                            "ck-03-0.75.weights.h5"]
    assert f"Epoch 3: saving model to {tmp_path}/ck-03-0.75.weights.h5" in capsys.readouterr().out


def test_save_best_only_and_initial_threshold(tmp_path, capsys):
    path = str(tmp_path / "best.keras")
    model = _model()
    saved_at = []
    ck = callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True, verbose=1)
    spy = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: saved_at.append(
        os.path.getmtime(path) if os.path.exists(path) else None))
    model.fit(X, Y, epochs=4, verbose=0, callbacks=[_inject([0.5, 0.7, 0.3, 0.4]), ck, spy])
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from inf to 0.50000, saving model to {path}" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out
    assert "Epoch 3: val_loss improved from 0.50000 to 0.30000" in out
    assert ck.best == 0.3
    ck = callbacks.ModelCheckpoint(str(tmp_path / "t.keras"), save_best_only=True,
                                   initial_value_threshold=0.2)
    _model().fit(X, Y, epochs=2, verbose=0, callbacks=[_inject([0.5, 0.1]), ck])
    assert ck.best == 0.1 and os.path.exists(tmp_path / "t.keras")
    ck = callbacks.ModelCheckpoint(str(tmp_path / "max.keras"), monitor="val_acc", mode="max",
                                   save_best_only=True)
    _model().fit(X, Y, epochs=3, verbose=0, callbacks=[_inject([0.5, 0.9, 0.7], "val_acc"), ck])
    assert ck.best == 0.9


def test_save_freq_in_batches(tmp_path):
    pattern = str(tmp_path / "e{epoch}-b{batch}.weights.h5")
    ck = callbacks.ModelCheckpoint(pattern, save_weights_only=True, save_freq=3)
    _model().fit(X, Y, batch_size=2, epochs=2, verbose=0, callbacks=[ck])  # 4 batches/epoch
    assert sorted(os.listdir(tmp_path)) == ["e1-b3.weights.h5", "e2-b2.weights.h5"]


def test_argument_errors():
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        callbacks.ModelCheckpoint("x.h5", save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        callbacks.ModelCheckpoint("x.ckpt")
    with pytest.raises(ValueError, match="Unrecognized save_freq: x"):
        callbacks.ModelCheckpoint("x.keras", save_freq="x")


def test_missing_monitor_warns_with_available_keys(tmp_path):
    ck = callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_acc", mode="max",
                                   save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_acc available. "
                                         "Available metrics are: loss"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[ck])
    assert not os.path.exists(tmp_path / "m.keras")
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[
            callbacks.ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))])


def test_failed_write_keeps_previous_checkpoint_whole(tmp_path):
    path = tmp_path / "ck.weights.h5"
    model = _model()
    ck = callbacks.ModelCheckpoint(str(path), save_weights_only=True)
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[ck])
    good = path.read_bytes()

    def disk_full(self, filepath, overwrite=True):
        with open(filepath, "wb") as f:
            f.write(b"partial")
        raise OSError(28, "No space left on device")

    model.save_weights = types.MethodType(disk_full, model)
    with pytest.raises(OSError, match="Could not write the checkpoint .*No space left on "
                                      "device.*previous checkpoint at this path is unchanged"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[ck])
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["ck.weights.h5"]  # no temporary file left behind


def test_unwritable_directory_gives_clear_error(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    ck = callbacks.ModelCheckpoint(str(blocker / "ck.keras"))
    with pytest.raises(OSError, match="Could not write the checkpoint"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[ck])


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory(tmp_path):
    path = tmp_path / "ck.keras"
    model = _model()
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.ModelCheckpoint(str(path))])
    good = path.read_bytes()
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OSError, match="Could not write the checkpoint"):
            model.fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.ModelCheckpoint(str(path))])
    finally:
        tmp_path.chmod(0o700)
    assert path.read_bytes() == good
