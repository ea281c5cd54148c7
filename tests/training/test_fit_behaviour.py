"""fit's behaviour: verbose modes, validation_freq, initial_epoch, jit_compile fallback,
interrupts and raising callbacks, and memory across repeated fits."""

import gc
import os
import signal
import warnings

import numpy as np
import pytest
import torch

import cornu
from cornu import callbacks

RNG = np.random.default_rng(0)
X = RNG.random((12, 3)).astype("float32")
Y = RNG.random((12, 1)).astype("float32")


def _model(lr=0.1, seed=0, **compile_kwargs):
    cornu.utils.set_random_seed(seed)
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(4), cornu.layers.Dense(1)])
    model.compile(cornu.optimizers.SGD(lr), "mse", **compile_kwargs)
    return model


@pytest.mark.parametrize("verbose", [1, 2, "auto"])
def test_non_terminal_output_is_one_line_per_epoch(capsys, verbose):
    _model().fit(X, Y, batch_size=4, epochs=2, verbose=verbose, validation_data=(X, Y))
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out
    lines = out.strip().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("3/3 - ") and "step - loss: " in lines[1]
    assert " - val_loss: " in lines[3]


def test_verbose_zero_prints_nothing_and_terminal_gets_a_live_bar(capsys, monkeypatch):
    _model().fit(X, Y, epochs=2, verbose=0)
    _model().evaluate(X, Y, verbose=0)
    assert capsys.readouterr().out == ""
    monkeypatch.setattr("cornu.utils.progbar.is_interactive", lambda: True)
    _model().fit(X, Y, batch_size=4, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "\r" in out and "3/3" in out and "loss: " in out


def test_validation_freq_and_initial_epoch(capsys):
    history = _model().fit(X, Y, epochs=4, verbose=0, validation_data=(X, Y),
                           validation_freq=2)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    history = _model().fit(X, Y, epochs=5, initial_epoch=3, verbose=2)
    assert history.epoch == [3, 4]
    assert "Epoch 4/5" in capsys.readouterr().out


def test_run_eagerly_flag():
    model = _model(run_eagerly=True)
    assert model.run_eagerly
    assert np.isfinite(model.fit(X, Y, verbose=0).history["loss"][0])


def test_jit_compile_failure_falls_back_to_eager_with_one_warning(monkeypatch):
    def failing_compile(fn, *args, **kwargs):
        def compiled(*a, **k):
            raise RuntimeError("Unsupported: graph break in user code")
        return compiled

    monkeypatch.setattr(torch, "compile", failing_compile)
    jit = _model(jit_compile=True)
    assert jit.jit_compile
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h1 = jit.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    messages = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
    assert len(messages) == 1 and "running it eagerly instead" in messages[0]
    eager = _model()
    h2 = eager.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert h1.history["loss"] == h2.history["loss"]


class SignalInStep(cornu.layers.Layer):
    """Identity; sends SIGINT to the process from inside the forward pass when armed."""

    armed = False

    def call(self, x):
        if SignalInStep.armed:
            SignalInStep.armed = False
            signal.raise_signal(signal.SIGINT)
        return x


def test_keyboard_interrupt_keeps_last_completed_step_and_history():
    arm = callbacks.LambdaCallback(on_train_batch_begin=lambda batch, logs: setattr(
        SignalInStep, "armed", int(model.optimizer.iterations.numpy()) == 5))
    cornu.utils.set_random_seed(0)
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(4), cornu.layers.Dense(1),
                              SignalInStep()])
    model.compile(cornu.optimizers.SGD(0.1), "mse")
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, batch_size=2, epochs=3, shuffle=False, verbose=0, callbacks=[arm])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # The signal came in the middle of step 6: that step completed, then fit stopped.
    assert int(model.optimizer.iterations.numpy()) == 6
    assert model.history.epoch == [] and not model.training
    reference = _model()
    reference.fit(X, Y, batch_size=2, epochs=1, shuffle=False, verbose=0)  # 6 steps
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Between steps, Ctrl-C stops at once; completed epochs stay in model.history.
    stop = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epoch == 1 and
                                    signal.raise_signal(signal.SIGINT))
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=3, verbose=0, callbacks=[stop])
    assert model.history.epoch == [0]


def test_a_raising_callback_propagates_and_fit_works_again():
    class Boom(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise ValueError("callback failed")

    model = _model()
    with pytest.raises(ValueError, match="callback failed"):
        model.fit(X, Y, epochs=2, verbose=0, callbacks=[Boom()])
    assert not model.training
    history = model.fit(X, Y, epochs=2, verbose=0)
    assert history.epoch == [0, 1]


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_repeated_fit_keeps_memory_flat():
    x = RNG.random((256, 32)).astype("float32")
    y = RNG.random((256, 8)).astype("float32")
    model = cornu.Sequential([cornu.Input((32,)), cornu.layers.Dense(64, activation="relu"),
                              cornu.layers.Dense(8)])
    model.compile("adam", "mse", metrics=["mae"])
    for _ in range(5):  # warm-up: allocator pools, lazily built state
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, validation_split=0.25)
    gc.collect()
    before = _rss_bytes()
    for _ in range(15):
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, validation_split=0.25,
                  callbacks=[callbacks.EarlyStopping(monitor="val_loss")])
    gc.collect()
    assert _rss_bytes() <= before * 1.05
