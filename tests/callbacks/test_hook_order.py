"""The order of callback hooks in fit (with validation), evaluate and predict.

The expected sequences were recorded from Keras 3.15 on the same data shapes (5 training
samples in batches of 2, 3 validation samples); logs are compared by their keys.
"""

import numpy as np

import cornu
from cornu.callbacks import Callback

_HOOKS = [h for h in dir(Callback) if h.startswith("on_")]


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []


def _recording(hook):
    def record(self, *args, logs=None):
        if args and isinstance(args[-1], dict) or (args and args[-1] is None):
            logs, args = args[-1], args[:-1]
        self.calls.append((hook, args[0] if args else None,
                           None if logs is None else sorted(logs)))
    return record


for _hook in _HOOKS:
    if _hook not in ("on_batch_begin", "on_batch_end"):
        setattr(Recorder, _hook, _recording(_hook))


def _model():
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def _epoch(epoch, val_keys=("loss", "mae")):
    train = [("on_epoch_begin", epoch, [])]
    for b in range(3):
        train += [("on_train_batch_begin", b, []),
                  ("on_train_batch_end", b, ["loss", "mae"])]
    train += [("on_test_begin", None, [])]
    for b in range(2):
        train += [("on_test_batch_begin", b, []), ("on_test_batch_end", b, list(val_keys))]
    train += [("on_test_end", None, list(val_keys)),
              ("on_epoch_end", epoch, ["loss", "mae", "val_loss", "val_mae"])]
    return train


def test_fit_with_validation_hook_order():
    x, y = np.zeros((5, 3), "float32"), np.zeros((5, 1), "float32")
    recorder = Recorder()
    _model().fit(x, y, batch_size=2, epochs=2, validation_data=(x[:3], y[:3]), verbose=0,
                 callbacks=[recorder])
    expected = [("on_train_begin", None, [])] + _epoch(0) + _epoch(1) + [
        ("on_train_end", None, ["loss", "mae", "val_loss", "val_mae"])]
    assert recorder.calls == expected
    assert recorder.params == {"verbose": 0, "epochs": 2, "steps": 3}


def test_evaluate_hook_order():
    x, y = np.zeros((5, 3), "float32"), np.zeros((5, 1), "float32")
    recorder = Recorder()
    _model().evaluate(x, y, batch_size=4, verbose=0, callbacks=[recorder])
    assert recorder.calls == [
        ("on_test_begin", None, []),
        ("on_test_batch_begin", 0, []), ("on_test_batch_end", 0, ["loss", "mae"]),
        ("on_test_batch_begin", 1, []), ("on_test_batch_end", 1, ["loss", "mae"]),
        ("on_test_end", None, ["loss", "mae"])]
    assert recorder.params == {"verbose": 0, "epochs": 1, "steps": 2}


def test_predict_hook_order():
    x = np.zeros((5, 3), "float32")
    recorder = Recorder()
    _model().predict(x, batch_size=4, verbose=0, callbacks=[recorder])
    assert recorder.calls == [
        ("on_predict_begin", None, []),
        ("on_predict_batch_begin", 0, []), ("on_predict_batch_end", 0, ["outputs"]),
        ("on_predict_batch_begin", 1, []), ("on_predict_batch_end", 1, ["outputs"]),
        ("on_predict_end", None, [])]


def test_batch_aliases_and_stop_training():
    seen = []

    class Legacy(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(batch)
            if batch == 1:
                self.model.stop_training = True

    x, y = np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32")
    history = _model().fit(x, y, batch_size=2, epochs=3, verbose=0, callbacks=[Legacy()])
    assert seen == [0, 1]
    assert history.epoch == [0]
