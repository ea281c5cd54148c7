"""The guide's LSTM example: forecast yearly sunspot numbers one year ahead.

Model, as in the guide: windows of 10 past values -> ``LSTM(50, activation="relu")`` ->
``Dense(1)``, Adam, mean squared error, ``validation_split=0.2``; values scaled to [0, 1]
with scikit-learn's ``MinMaxScaler`` and predictions transformed back to sunspot numbers.
The data is the yearly sunspot series 1700-2008 that ships with statsmodels
(``pip install -e .[examples]``).

Prints the validation error in sunspot numbers next to a naive forecast (next year = this
year), the baseline any forecaster must beat.

    python examples/timeseries_lstm.py [--epochs 100]
"""

from __future__ import annotations

import argparse

import numpy as np
from statsmodels.datasets import sunspots
from sklearn.preprocessing import MinMaxScaler

import cornu as keras
from cornu import layers

SEQUENCE_LENGTH = 10


def make_windows(series: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(samples, length, 1) windows of ``series`` and the value that follows each."""
    x = np.stack([series[i:i + length] for i in range(len(series) - length)])
    return x[..., None].astype("float32"), series[length:, None].astype("float32")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)

    series = sunspots.load_pandas().data["SUNACTIVITY"].to_numpy("float64")
    x_raw, y_raw = make_windows(series, SEQUENCE_LENGTH)
    # fit(validation_split=0.2) validates on the last 20% of the samples; fit the scaler on
    # the first 80% only, so nothing about the validation years leaks into training.
    n_train = int(len(x_raw) * 0.8)
    scaler = MinMaxScaler().fit(series[:n_train + SEQUENCE_LENGTH, None])

    def scale(a: np.ndarray) -> np.ndarray:
        return scaler.transform(a.reshape(-1, 1)).reshape(a.shape).astype("float32")

    x, y = scale(x_raw), scale(y_raw)

    model = keras.Sequential([
        keras.Input(shape=(SEQUENCE_LENGTH, 1)),
        layers.LSTM(50, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=args.epochs, validation_split=0.2, verbose=0)
    print(f"trained {args.epochs} epochs: loss {history.history['loss'][-1]:.5f}, "
          f"val_loss {history.history['val_loss'][-1]:.5f} (scaled units)")

    x_val, y_val = x_raw[n_train:], y_raw[n_train:, 0]
    predicted = scaler.inverse_transform(model.predict(x[n_train:], verbose=0))[:, 0]
    naive = x_val[:, -1, 0]  # next year's value = this year's

    def report(name: str, forecast: np.ndarray) -> None:
        error = forecast - y_val
        print(f"{name:<28} MAE {np.abs(error).mean():6.2f}   "
              f"RMSE {np.sqrt((error ** 2).mean()):6.2f}   (sunspot numbers)")

    print(f"validation: {len(y_val)} years, {1700 + n_train + SEQUENCE_LENGTH}-2008")
    report("LSTM(50, relu)", predicted)
    report("naive (last value)", naive)


if __name__ == "__main__":
    main()
