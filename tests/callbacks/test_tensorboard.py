"""TensorBoard: event files read back with the tensorboard package's own reader."""

import os

import numpy as np
import pytest

import cornu
from cornu import callbacks

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator")


def _load(path):
    acc = event_accumulator.EventAccumulator(str(path), size_guidance={"histograms": 0,
                                                                       "scalars": 0})
    acc.Reload()
    return acc


def _model():
    inputs = cornu.Input((3,), name="features")
    hidden = cornu.layers.Dense(4, activation="relu", name="hidden")(inputs)
    model = cornu.Model(inputs, cornu.layers.Dense(1, name="out")(hidden))
    model.compile(cornu.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return model


def test_scalars_histograms_and_graph(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 3)).astype("float32"), rng.random((16, 1)).astype("float32")
    tb = callbacks.TensorBoard(log_dir=tmp_path, histogram_freq=1, update_freq=2,
                               write_steps_per_second=True)
    history = _model().fit(x, y, batch_size=4, epochs=3, verbose=0, validation_data=(x, y),
                           callbacks=[tb])
    train = _load(tmp_path / "train")
    tags = train.Tags()
    loss = train.Scalars("epoch_loss")
    assert [e.step for e in loss] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in loss], history.history["loss"], rtol=1e-6)
    assert [e.value for e in train.Scalars("epoch_learning_rate")] == pytest.approx([0.05] * 3)
    assert "epoch_mae" in tags["scalars"] and "epoch_steps_per_second" in tags["scalars"]
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6, 8, 10, 12]
    assert "hidden/kernel/histogram" in tags["histograms"]
    histo = train.Histograms("out/kernel/histogram")[0].histogram_value
    assert histo.num == 4
    assert tags["graph"]
    nodes = {n.name: (n.op, list(n.input)) for n in train.Graph().node}
    assert nodes["out"] == ("Dense", ["hidden"]) and nodes["hidden"] == ("Dense", ["features"])

    validation = _load(tmp_path / "validation")
    np.testing.assert_allclose([e.value for e in validation.Scalars("epoch_loss")],
                               history.history["val_loss"], rtol=1e-6)
    steps = [e.step for e in validation.Scalars("evaluation_loss_vs_iterations")]
    assert steps == [4, 8, 12]


def test_evaluate_writes_and_closes(tmp_path):
    model = _model()
    x, y = np.ones((4, 3), "float32"), np.ones((4, 1), "float32")
    model.evaluate(x, y, verbose=0, callbacks=[callbacks.TensorBoard(tmp_path)])
    validation = _load(tmp_path / "validation")
    assert [e.step for e in validation.Scalars("evaluation_mae_vs_iterations")] == [0]
    assert not os.path.exists(tmp_path / "train")
    with pytest.raises(ValueError, match="update_freq"):
        callbacks.TensorBoard(tmp_path, update_freq="often")
