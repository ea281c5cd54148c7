"""The guide's CIFAR-10 CNN, written for cornu (``import cornu as keras``).

    python examples/cifar10_cnn.py                      # stand-in data, 10 epochs
    python examples/cifar10_cnn.py --epochs 2           # a quick run
    python examples/cifar10_cnn.py --data cifar10       # the real CIFAR-10 (downloads it)

``--data digits`` (the default, offline) takes scikit-learn's 8x8 handwritten digits,
enlarges them to 32x32 and repeats the gray level over 3 channels, so the model and the
training call are exactly the guide's: same input shape, same ten classes.
"""

from __future__ import annotations

import argparse

import numpy as np

import cornu as keras
from cornu import layers


def load_digits_as_cifar(test_fraction: float = 0.2, seed: int = 0) -> tuple:
    """scikit-learn's digits as CIFAR-shaped uint8 images ``(n, 32, 32, 3)`` and labels
    ``(n, 1)``, split like ``cifar10.load_data()``."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images * (255.0 / 16.0)).astype("uint8")        # (n, 8, 8), 0..255
    images = images.repeat(4, axis=1).repeat(4, axis=2)              # (n, 32, 32)
    images = np.repeat(images[..., None], 3, axis=-1)                # (n, 32, 32, 3)
    labels = digits.target.astype("uint8").reshape(-1, 1)
    order = np.random.default_rng(seed).permutation(len(images))
    split = int(len(images) * (1.0 - test_fraction))
    train, test = order[:split], order[split:]
    return (images[train], labels[train]), (images[test], labels[test])


def load_data(name: str) -> tuple:
    if name == "cifar10":
        return keras.datasets.cifar10.load_data()
    return load_digits_as_cifar()


def build_model() -> keras.Model:
    model = keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description="The guide's CIFAR-10 CNN on cornu.")
    parser.add_argument("--data", choices=("digits", "cifar10"), default="digits",
                        help="digits: offline stand-in (default); cifar10: the real data set")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    keras.utils.set_random_seed(42)
    (x_train, y_train), (x_test, y_test) = load_data(args.data)
    x_train, x_test = x_train.astype("float32") / 255.0, x_test.astype("float32") / 255.0
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    model = build_model()
    model.summary()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
