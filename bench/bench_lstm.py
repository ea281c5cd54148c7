"""LSTM training: cornu's ``fit`` against hand-written PyTorch loops, in one run.

(a) ``LSTM(64)`` with the default activations (the fused-kernel path), sequences of 50
    steps of 16 features, batch 64, then ``Dense(1)``, Adam, MSE; against a PyTorch loop
    over ``torch.nn.LSTM``. Target: cornu >= 0.9x the PyTorch loop's throughput.
(b) The guide's model: ``LSTM(50, activation="relu")`` on sequences of 10 steps of 1
    feature, ``Dense(1)``, Adam, MSE, batch 32. torch has no fused ReLU LSTM, so cornu runs
    its step loop; the PyTorch side is a hand-written step loop of the same cell.
    Target: >= 0.8x.

Epochs alternate between the two sides (machine load hits both alike) and median epoch
times are compared. Runs on the device cornu picks (CUDA when available, or
``CORNU_DEVICE``); both sides use it.

    python bench/bench_lstm.py [--samples 2560] [--rounds 5] [--threads N]
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


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def cornu_model(steps: int, features: int, units: int, activation: str) -> cornu.Model:
    model = cornu.Sequential([cornu.Input((steps, features)),
                              layers.LSTM(units, activation=activation), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


class ReluLSTM(nn.Module):
    """What a PyTorch user writes for an LSTM with a ReLU activation: a step loop."""

    def __init__(self, features: int, units: int) -> None:
        super().__init__()
        self.units = units
        self.input = nn.Linear(features, 4 * units)
        self.recurrent = nn.Linear(units, 4 * units, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.new_zeros(x.shape[0], self.units)
        c = x.new_zeros(x.shape[0], self.units)
        for t in range(x.shape[1]):
            i, f, g, o = (self.input(x[:, t]) + self.recurrent(h)).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.relu(g)
            h = torch.sigmoid(o) * torch.relu(c)
        return h


class LastOutput(nn.Module):
    def __init__(self, lstm: nn.LSTM) -> None:
        super().__init__()
        self.lstm = lstm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lstm(x)[0][:, -1]


class TorchLoop:
    """One epoch: a shuffled pass in batches, forward, MSE, backward, Adam step."""

    def __init__(self, recurrent: nn.Module, units: int, x: np.ndarray, y: np.ndarray,
                 batch_size: int, device: torch.device) -> None:
        self.device = device
        self.model = nn.Sequential(recurrent, nn.Linear(units, 1)).to(device)
        self.x = torch.from_numpy(x).to(device)
        self.y = torch.from_numpy(y).to(device)
        self.batch_size = batch_size
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3, eps=1e-7)

    def epoch(self) -> None:
        n = self.x.shape[0]
        order = torch.randperm(n, device=self.device)
        total = torch.zeros((), device=self.device)
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            loss = torch.mean((self.model(self.x[index]) - self.y[index]) ** 2)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total += loss.detach()
        float(total)  # read the epoch's loss once, as fit's epoch log does


def compare(name: str, cornu_fit, torch_epoch, device: torch.device, rounds: int) -> float:
    cornu_fit()  # warm-up: builds, first kernels, allocator
    torch_epoch()
    cornu_times, torch_times = [], []
    for _ in range(rounds):
        for run, times in ((cornu_fit, cornu_times), (torch_epoch, torch_times)):
            _sync(device)
            start = time.perf_counter()
            run()
            _sync(device)
            times.append(time.perf_counter() - start)
    c, t = statistics.median(cornu_times), statistics.median(torch_times)
    ratio = t / c
    print(f"{name}: cornu {c * 1000:.1f} ms/epoch, PyTorch {t * 1000:.1f} ms/epoch, "
          f"ratio cornu/PyTorch throughput = {ratio:.2f}x")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2560)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(cornu.backend.get_device())
    print(f"device: {device}, torch threads: {torch.get_num_threads()}")
    rng = np.random.default_rng(0)
    cornu.utils.set_random_seed(0)

    # (a) LSTM(64), default activations: the fused kernel.
    x = rng.standard_normal((args.samples, 50, 16)).astype("float32")
    y = rng.standard_normal((args.samples, 1)).astype("float32")
    model = cornu_model(50, 16, 64, "tanh")
    loop = TorchLoop(LastOutput(nn.LSTM(16, 64, batch_first=True)), 64, x, y, 64, device)
    ratio_a = compare("(a) LSTM(64), seq 50, batch 64 vs torch.nn.LSTM",
                      lambda: model.fit(x, y, batch_size=64, epochs=1, verbose=0),
                      loop.epoch, device, args.rounds)

    # (b) The guide's LSTM(50, activation="relu"): the step loop.
    x = rng.standard_normal((args.samples, 10, 1)).astype("float32")
    y = rng.standard_normal((args.samples, 1)).astype("float32")
    model = cornu_model(10, 1, 50, "relu")
    loop = TorchLoop(ReluLSTM(1, 50), 50, x, y, 32, device)
    ratio_b = compare("(b) LSTM(50, relu), seq 10, batch 32 vs a PyTorch step loop",
                      lambda: model.fit(x, y, batch_size=32, epochs=1, verbose=0),
                      loop.epoch, device, args.rounds)
    print(f"ratios: (a) {ratio_a:.2f}x (target >= 0.9), (b) {ratio_b:.2f}x (target >= 0.8)")


if __name__ == "__main__":
    main()
