"""Transfer learning with MobileNetV2 on scikit-learn's handwritten digits.

The Keras guide's recipe: take a base model (ImageNet weights from a file given with
``--weights``, or random weights), freeze it, train a new classifier on top, then unfreeze
the base and fine-tune everything with a small learning rate. The 8x8 grey digits (1,797
images, shipped inside scikit-learn) are upsampled to 32x32 RGB images in [0, 255].

    python examples/transfer_learning.py [--epochs 5] [--weights FILE] [--alpha 1.0]

``FILE`` is a MobileNetV2 weights file, e.g. Keras's
``mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`` (any input size
uses the same convolution weights). With random weights the frozen base computes no useful
features, so the head alone stays near chance and the fine-tuning does the learning.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import cornu as keras
from cornu import layers

SIZE = 32  # MobileNetV2's smallest input size


def load_images(samples: int | None = None) -> tuple:
    """Digits as (n, 32, 32, 3) float32 images in [0, 255], and their labels."""
    digits = load_digits()
    images = digits.images[:samples] * (255.0 / 16.0)
    images = np.kron(images, np.ones((SIZE // 8, SIZE // 8)))  # nearest-neighbour upsampling
    x = np.repeat(images[..., None], 3, axis=-1).astype("float32")
    return x, digits.target[:samples].astype("int64")


def build_model(weights: str | None, alpha: float = 1.0) -> tuple:
    """A frozen MobileNetV2 base with a new 10-class head; returns (base, model)."""
    base = keras.applications.MobileNetV2(weights=weights, include_top=False, alpha=alpha,
                                          input_shape=(SIZE, SIZE, 3), pooling="avg")
    base.trainable = False
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    if weights:
        # training=False keeps the pretrained BatchNormalization statistics (inference mode),
        # even after unfreezing, as the Keras guide recommends.
        x = base(x, training=False)
    else:
        # Random weights have no statistics worth keeping: BatchNormalization learns them
        # once the base is unfrozen (a frozen layer always runs in inference mode). Keras's
        # momentum of 0.999 suits long ImageNet runs; a few epochs need faster averages.
        for layer in base.layers:
            if isinstance(layer, layers.BatchNormalization):
                layer.momentum = 0.9
        x = base(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return base, keras.Model(inputs, outputs, name="digits_transfer")


def run(epochs: int = 5, weights: str | None = None, alpha: float = 1.0,
        samples: int | None = None, verbose: int = 2) -> dict:
    """Trains the head, then fine-tunes; returns the test accuracy at each stage."""
    keras.utils.set_random_seed(0)
    x, y = load_images(samples)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    base, model = build_model(weights, alpha)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    results = {"before": model.evaluate(x_test, y_test, verbose=0)[1]}
    print(f"accuracy before training: {results['before']:.3f}")

    print(f"training the new head ({len(model.trainable_weights)} trainable weights)")
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=verbose)
    results["head"] = model.evaluate(x_test, y_test, verbose=0)[1]
    print(f"accuracy after training the head: {results['head']:.3f}")

    base.trainable = True  # fine-tune everything; recompile for the change to take effect
    learning_rate = 1e-4 if weights else 1e-3  # small steps keep pretrained features intact
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"fine-tuning ({len(model.trainable_weights)} trainable weights)")
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=verbose)
    results["fine_tuned"] = model.evaluate(x_test, y_test, verbose=0)[1]
    print(f"accuracy after fine-tuning: {results['fine_tuned']:.3f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--weights", default=None,
                        help="a MobileNetV2 weights file (default: random weights)")
    parser.add_argument("--alpha", type=float, default=1.0,
                        help="MobileNetV2's width multiplier (the weights file's)")
    args = parser.parse_args()
    run(args.epochs, args.weights, args.alpha)


if __name__ == "__main__":
    main()
