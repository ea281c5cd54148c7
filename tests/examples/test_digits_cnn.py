"""The README's demo CNN builds on 8x8x1 digits and trains."""

import importlib.util
import pathlib

import numpy as np

PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "digits_cnn.py"


def test_demo_model_trains():
    spec = importlib.util.spec_from_file_location("digits_cnn", PATH)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    model = example.build_model()
    assert model.output_shape == (None, 10)
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 8, 8, 1), dtype=np.float32), rng.integers(0, 10, 64)
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
