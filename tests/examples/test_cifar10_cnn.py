"""The guide's CNN example: its stand-in data, its model, and a short training run."""

import importlib.util
import pathlib

import numpy as np

import cornu

PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "cifar10_cnn.py"


def load_example():
    spec = importlib.util.spec_from_file_location("cifar10_cnn", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stand_in_data_has_cifar_shapes():
    example = load_example()
    (x_train, y_train), (x_test, y_test) = example.load_data("digits")
    assert x_train.shape[1:] == (32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape[1:] == (1,) and set(np.unique(y_train)) == set(range(10))
    assert len(x_train) + len(x_test) == 1797 and y_test.shape == (len(x_test), 1)


def test_model_is_the_guides_and_learns():
    example = load_example()
    model = example.build_model()
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense"]
    assert model.count_params() == 167_562
    (x, y), _ = example.load_data("digits")
    x, y = x[:256].astype("float32") / 255.0, cornu.utils.to_categorical(y[:256], 10)
    history = model.fit(x, y, epochs=2, batch_size=64, verbose=0, validation_data=(x, y))
    assert history.history["loss"][1] < history.history["loss"][0]
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
