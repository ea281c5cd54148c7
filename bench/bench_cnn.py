"""The guide's CIFAR-10 CNN: cornu's ``fit`` against a hand-written PyTorch loop.

Both train the same model (32x32x3 -> Conv2D(32, 3, relu) -> MaxPooling2D ->
Conv2D(64, 3, relu) -> MaxPooling2D -> Flatten -> Dense(64, relu) -> Dense(10, softmax))
with Adam, categorical cross-entropy on one-hot labels, accuracy, batch 64 and shuffling,
on the same random data, in the same process. The PyTorch loop is what a PyTorch user
writes: NCHW tensors prepared once, ``nn.Sequential``, ``torch.optim.Adam``.

Epochs alternate between the two (so machine load hits both alike) and the median epoch
time of each is compared. Prints the throughput ratio cornu / PyTorch (target >= 0.95).

    python bench/bench_cnn.py [--samples 3200] [--rounds 5] [--threads N]
                              [--torch-format nchw|channels_last]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn as nn

import cornu
from cornu import layers


def cornu_model() -> cornu.Model:
    model = cornu.Sequential([
        cornu.Input(shape=(32, 32, 3)),
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


def torch_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 6 * 6, 64), nn.ReLU(),
        nn.Linear(64, 10), nn.Softmax(dim=-1))


class TorchLoop:
    """One epoch = a shuffled pass in batches: forward, the same clipped cross-entropy as
    Keras's, backward, Adam step, accuracy accumulated on the device."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int,
                 memory_format: str = "nchw") -> None:
        self.x = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()  # NCHW, once
        if memory_format == "channels_last":
            self.x = self.x.contiguous(memory_format=torch.channels_last)
        self.y = torch.from_numpy(y)
        self.batch_size = batch_size
        self.model = torch_model()
        if memory_format == "channels_last":
            self.model = self.model.to(memory_format=torch.channels_last)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3, eps=1e-7)

    def epoch(self) -> float:
        n = self.x.shape[0]
        order = torch.randperm(n)
        total_loss = torch.zeros(())
        correct = torch.zeros(())
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            xb, yb = self.x[index], self.y[index]
            probs = self.model(xb)
            loss = -(yb * torch.log(probs.clamp(1e-7, 1 - 1e-7))).sum(-1).mean()
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            with torch.no_grad():
                total_loss += loss.detach() * xb.shape[0]
                correct += (probs.argmax(-1) == yb.argmax(-1)).sum()
        return float(total_loss / n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3200, help="training samples per epoch")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5, help="timed epochs of each")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    parser.add_argument("--torch-format", choices=("nchw", "channels_last"), default="nchw",
                        help="memory format of the PyTorch loop's images and weights")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 32, 32, 3), dtype=np.float32)
    y = cornu.utils.to_categorical(rng.integers(0, 10, args.samples), 10)

    cornu.utils.set_random_seed(0)
    model = cornu_model()
    loop = TorchLoop(x, y, args.batch_size, args.torch_format)

    def run_cornu() -> float:
        start = time.perf_counter()
        model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0)
        return time.perf_counter() - start

    def run_torch() -> float:
        start = time.perf_counter()
        loop.epoch()
        return time.perf_counter() - start

    run_cornu(), run_torch()  # warm-up: allocator, kernels, first build
    cornu_times, torch_times = [], []
    for i in range(args.rounds):
        # Alternate which runs first so a load spike does not always hit the same one.
        if i % 2:
            torch_times.append(run_torch())
            cornu_times.append(run_cornu())
        else:
            cornu_times.append(run_cornu())
            torch_times.append(run_torch())
    steps = -(-args.samples // args.batch_size)
    c, t = statistics.median(cornu_times), statistics.median(torch_times)
    print(f"threads={torch.get_num_threads()} torch-format={args.torch_format} "
          f"samples={args.samples} "
          f"batch={args.batch_size} steps/epoch={steps} rounds={args.rounds}")
    print(f"cornu fit : {c:.3f} s/epoch  ({1000 * c / steps:.1f} ms/step)  "
          f"all: {[round(v, 3) for v in cornu_times]}")
    print(f"torch loop: {t:.3f} s/epoch  ({1000 * t / steps:.1f} ms/step)  "
          f"all: {[round(v, 3) for v in torch_times]}")
    print(f"throughput ratio cornu/torch = {t / c:.3f}x (target >= 0.95)")


if __name__ == "__main__":
    main()
