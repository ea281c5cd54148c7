"""The transfer-learning example builds its model and runs end to end from a weights file."""

import importlib.util
import pathlib

import cornu

PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "transfer_learning.py"


def _example():
    spec = importlib.util.spec_from_file_location("transfer_learning", PATH)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example


def test_images_and_model():
    example = _example()
    x, y = example.load_images(20)
    assert x.shape == (20, 32, 32, 3) and x.dtype == "float32" and x.max() <= 255.0
    assert y.shape == (20,)
    base, model = example.build_model(None)
    assert not base.trainable and len(model.trainable_weights) == 2
    assert model.output_shape == (None, 10)


def test_runs_with_a_weights_file(tmp_path):
    example = _example()
    path = str(tmp_path / "mobilenet_v2_notop.weights.h5")
    cornu.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3),
                                   alpha=0.35, pooling="avg").save_weights(path)
    results = example.run(epochs=1, weights=path, alpha=0.35, samples=60, verbose=0)
    assert set(results) == {"before", "head", "fine_tuned"}
    assert all(0.0 <= value <= 1.0 for value in results.values())
