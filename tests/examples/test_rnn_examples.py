"""The recurrent examples: their data preparation and a one-epoch run of each."""

import importlib.util
import pathlib
import sys

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_main(module, monkeypatch, capsys, *argv):
    monkeypatch.setattr(sys, "argv", [module.__name__, *argv])
    module.main()
    return capsys.readouterr().out


def test_timeseries_windows_and_a_short_run(monkeypatch, capsys):
    pytest.importorskip("statsmodels")
    pytest.importorskip("sklearn")
    example = load_example("timeseries_lstm")
    x, y = example.make_windows(np.arange(15.0), 10)
    assert x.shape == (5, 10, 1) and y.shape == (5, 1)
    np.testing.assert_array_equal(x[1, :, 0], np.arange(1, 11))
    assert y[1, 0] == 11
    out = run_main(example, monkeypatch, capsys, "--epochs", "1")
    assert "LSTM(50, relu)" in out and "naive (last value)" in out and "MAE" in out


def test_text_classifier_data_and_a_short_run(monkeypatch, capsys):
    example = load_example("text_classifier_bilstm")
    texts, labels = example.load_sentences()
    assert len(texts) > 1000 and set(np.unique(labels)) == {0, 1, 2, 3}
    assert example.tokenize("Compute the QR factorization.") == ["compute", "the", "qr",
                                                                  "factorization"]
    # A slice of the data keeps the run short; main() is otherwise what the README runs.
    keep = np.random.default_rng(0).permutation(len(texts))[:300]
    monkeypatch.setattr(example, "load_sentences",
                        lambda: ([texts[i] for i in keep], labels[keep]))
    out = run_main(example, monkeypatch, capsys, "--epochs", "1")
    assert "test accuracy" in out and "majority-class baseline" in out
