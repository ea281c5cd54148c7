"""The demo: train an MLP on scikit-learn's handwritten digits, end to end.

8x8 grey images of the digits 0-9 (1,797 samples, shipped inside scikit-learn): scale,
split, train with a validation split, evaluate on held-out data, predict.

    python examples/digits_mlp.py [--epochs 30]
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import cornu as keras
from cornu import layers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = digits.target.astype("int64")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0,
                                                        stratify=y)

    model = keras.Sequential([
        keras.Input(shape=(64,)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="digits_mlp")
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=args.epochs, validation_split=0.1)

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f} - test accuracy {accuracy:.4f}")
    predicted = model.predict(x_test[:10], verbose=0).argmax(axis=1)
    print("predicted:", predicted.tolist())
    print("actual:   ", y_test[:10].tolist())
    if accuracy < 0.9:
        raise SystemExit(f"accuracy {accuracy:.3f} is below the expected 0.9")


if __name__ == "__main__":
    main()
