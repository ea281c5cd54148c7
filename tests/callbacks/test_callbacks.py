"""Behaviour of the callbacks, against numbers and messages recorded from Keras 3.15."""

import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import cornu
from cornu import callbacks


def _model(lr=0.0, metrics=None, optimizer=None):
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(1)])
    model.compile(optimizer or cornu.optimizers.SGD(lr), "mse", metrics=metrics)
    return model


X, Y = np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32")


def inject(values, key="loss"):
    """A callback that sets ``logs[key]`` at each epoch end (before the callbacks after it)."""
    return callbacks.LambdaCallback(on_epoch_end=lambda e, logs: logs.__setitem__(key, values[e]))


@pytest.mark.parametrize("values, kwargs, epochs, stopped", [
    ([5, 5, 5, 5, 5, 5], {"baseline": 2.0, "patience": 2}, [0, 1], 1),
    ([5, 4, 3, 2.5, 2.4, 2.3], {"baseline": 2.0, "patience": 2}, [0, 1, 2, 3, 4, 5], 0),
    ([5, 6, 7, 8, 9, 10], {"patience": 1, "start_from_epoch": 3}, [0, 1, 2, 3, 4], 4),
    ([5, 4.6, 4.2, 3.8, 1, 1], {"patience": 1, "min_delta": 0.5}, [0, 1], 1),
])
def test_early_stopping_matches_keras(values, kwargs, epochs, stopped):
    es = callbacks.EarlyStopping(monitor="loss", **kwargs)
    history = _model().fit(X, Y, epochs=6, verbose=0, callbacks=[inject(values), es])
    assert history.epoch == epochs
    assert es.stopped_epoch == stopped


def test_early_stopping_restores_best_weights(capsys):
    model = _model(lr=0.1)
    x, y = np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32")
    weights = []
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: weights.append(
        model.get_weights()))
    es = callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True,
                                 verbose=1)
    history = model.fit(x, y, epochs=6, verbose=0,
                        callbacks=[record, inject([5, 4, 3, 3.5, 3.6, 1]), es])
    assert history.epoch == [0, 1, 2, 3]
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 3." in out
    for a, b in zip(model.get_weights(), weights[2]):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_restores_best_even_without_stopping():
    model = _model(lr=0.1)
    x, y = np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32")
    es = callbacks.EarlyStopping(monitor="loss", patience=10, restore_best_weights=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[inject([5, 4, 3, 3.5]), es])
    assert es.best == 3 and es.best_epoch == 2 and es.stopped_epoch == 0
    np.testing.assert_array_equal(model.get_weights()[0], es.best_weights[0])


def test_early_stopping_missing_monitor_and_modes():
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `nope` which is "
                                         "not available. Available metrics are: loss"):
        _model().fit(X, Y, epochs=1, verbose=0,
                     callbacks=[callbacks.EarlyStopping(monitor="nope", mode="min")])
    with pytest.raises(ValueError, match="automatically determine whether that metric"):
        _model().fit(X, Y, epochs=1, verbose=0,
                     callbacks=[callbacks.EarlyStopping(monitor="nope")])
    with pytest.warns(UserWarning, match="EarlyStopping mode 'bogus' is unknown, fallback to "
                                         "auto mode."):
        callbacks.EarlyStopping(mode="bogus")
    es = callbacks.EarlyStopping(monitor="val_accuracy")
    es.set_model(_model(metrics=["accuracy"]))
    es._set_monitor_op()
    assert es.monitor_op is np.greater


def test_reduce_lr_on_plateau_matches_keras(capsys):
    r = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, cooldown=1,
                                    min_lr=0.2, verbose=1)
    history = _model(lr=1.0).fit(X, Y, epochs=8, verbose=0, callbacks=[inject([5] * 8), r])
    np.testing.assert_allclose(history.history["learning_rate"],
                               [1.0, 1.0, 0.5, 0.25, 0.2, 0.2, 0.2, 0.2], rtol=1e-7)
    out = capsys.readouterr().out
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5." in out
    assert "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.2." in out
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.0)


def test_learning_rate_scheduler(capsys):
    model = _model(lr=1.0)
    scheduler = callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5 if e else lr, verbose=1)
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[scheduler])
    assert history.history["learning_rate"] == [1.0, 0.5, 0.25]
    assert "Epoch 3: LearningRateScheduler setting learning rate to 0.25." in \
        capsys.readouterr().out
    history = model.fit(X, Y, epochs=2, verbose=0,
                        callbacks=[callbacks.LearningRateScheduler(lambda e: 0.1 * (e + 1))])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.2], rtol=1e-6)
    with pytest.raises(ValueError, match='The output of the "schedule" function should be a '
                                         "float. Got: x"):
        model.fit(X, Y, epochs=1, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda e, lr: "x")])


def test_csv_logger_writes_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    model = _model(metrics=["mae"])
    model.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y),
              callbacks=[callbacks.CSVLogger(path)])
    assert path.read_text() == ("epoch,loss,mae,val_loss,val_mae\n0,0.0,0.0,0.0,0.0\n"
                                "1,0.0,0.0,0.0,0.0\n")
    model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y),
              callbacks=[callbacks.CSVLogger(path, separator=";", append=True)])
    assert path.read_text().endswith("1,0.0,0.0,0.0,0.0\n0;0.0;0.0;0.0;0.0\n")
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    assert path.read_text() == "epoch,loss,mae\n0,0.0,0.0\n"


def test_terminate_on_nan_stops_and_training_continues_without_it(capsys):
    x = np.ones((8, 3), "float32")
    y = np.array([[1.0]] * 3 + [[np.nan]] + [[1.0]] * 4, "float32")
    history = _model(lr=0.01).fit(x, y, batch_size=2, epochs=3, shuffle=False, verbose=0,
                                  callbacks=[callbacks.TerminateOnNaN()])
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    assert history.epoch == [0] and np.isnan(history.history["loss"][0])
    # Without the callback training goes on through every epoch, as in Keras.
    history = _model(lr=0.01).fit(x, y, batch_size=2, epochs=3, shuffle=False, verbose=0)
    assert history.epoch == [0, 1, 2]
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        _model(lr=0.01).fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0,
                            callbacks=[callbacks.TerminateOnNaN(raise_error=True)])


def test_lambda_callback_hooks():
    events = []
    cb = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, round(logs["loss"], 3))),
        on_train_batch_end=lambda batch, logs: events.append(("batch", batch)),
        on_test_end=lambda logs: events.append("test_end"))
    _model().fit(X, Y, batch_size=2, epochs=1, verbose=0, validation_data=(X, Y),
                 callbacks=[cb])
    assert events == ["train_begin", ("batch", 0), ("batch", 1), "test_end", ("epoch", 0, 0.0)]
    with pytest.raises(ValueError, match="unknown hooks"):
        callbacks.LambdaCallback(on_epoch_middle=print)


class _Handler(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body.decode()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remote_monitor_posts_epoch_logs():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.received = []
    try:
        root = f"http://127.0.0.1:{server.server_port}"
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.RemoteMonitor(root=root)])
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[
            callbacks.RemoteMonitor(root=root, path="/json", send_as_json=True,
                                    headers={"X-Run": "1"})])
    finally:
        server.shutdown()
    (path, ctype, body), (path2, ctype2, body2) = _Handler.received
    assert path == "/publish/epoch/end/" and ctype == "application/x-www-form-urlencoded"
    assert json.loads(urllib.parse.parse_qs(body)["data"][0]) == {"epoch": 0, "loss": 0.0}
    assert path2 == "/json" and ctype2 == "application/json"
    assert json.loads(body2) == {"epoch": 0, "loss": 0.0}
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        _model().fit(X, Y, epochs=1, verbose=0,
                     callbacks=[callbacks.RemoteMonitor(root="http://127.0.0.1:9")])


def test_swap_ema_weights_evaluates_with_averages():
    x = np.random.rand(16, 3).astype("float32")
    y = np.random.rand(16, 1).astype("float32")
    model = _model(optimizer=cornu.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5))
    weights_seen = {}

    class Spy(callbacks.Callback):
        def on_test_begin(self, logs=None):
            weights_seen["eval"] = self.model.get_weights()

        def on_epoch_end(self, epoch, logs=None):
            weights_seen["epoch_end"] = self.model.get_weights()

    swap = callbacks.SwapEMAWeights()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y),
              callbacks=[swap, Spy()])
    averages = [w.numpy() for w in model.optimizer._ema]
    np.testing.assert_array_equal(weights_seen["eval"][0], averages[0])
    assert not np.array_equal(weights_seen["epoch_end"][0], averages[0])
    with pytest.raises(ValueError, match="SwapEMAWeights must be used when `use_ema=True`"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.SwapEMAWeights()])
