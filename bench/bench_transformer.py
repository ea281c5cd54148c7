"""A 4-layer transformer encoder: cornu's ``fit`` against a hand-written PyTorch loop.

Both train the same model on the same random data, in the same process: inputs
``(batch 32, sequence 128, d_model 256)`` -> 4 post-norm encoder blocks (8-head
self-attention, residual, LayerNormalization, feed-forward 256 -> 512 (relu) -> 256,
residual, LayerNormalization) -> mean over the sequence -> Dense(10) logits, with Adam
and sparse categorical cross-entropy. The cornu model is what a Keras user writes
(``MultiHeadAttention`` blocks in a functional model); the PyTorch model is what a
PyTorch user writes (``nn.Linear`` projections and ``scaled_dot_product_attention``).
Without attention dropout and score output, cornu's ``MultiHeadAttention`` runs the same
fused kernel.

Epochs alternate between the two (so machine load hits both alike) and the median epoch
time of each is compared. Prints the throughput ratio cornu / PyTorch (target >= 0.9).
Runs on the default device (a GPU when there is one).

    python bench/bench_transformer.py [--steps 4] [--rounds 3] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import cornu
from cornu import layers

D_MODEL, HEADS, FF, SEQ, BATCH, LAYERS, CLASSES = 256, 8, 512, 128, 32, 4, 10


def cornu_model() -> cornu.Model:
    inputs = cornu.Input(shape=(SEQ, D_MODEL))
    x = inputs
    for _ in range(LAYERS):
        attention = layers.MultiHeadAttention(num_heads=HEADS, key_dim=D_MODEL // HEADS)(x, x)
        x = layers.LayerNormalization(epsilon=1e-6)(x + attention)
        ff = layers.Dense(FF, activation="relu")(x)
        ff = layers.Dense(D_MODEL)(ff)
        x = layers.LayerNormalization(epsilon=1e-6)(x + ff)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(CLASSES)(x)
    model = cornu.Model(inputs, outputs)
    model.compile(optimizer=cornu.optimizers.Adam(1e-3),
                  loss=cornu.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


class TorchBlock(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.query = nn.Linear(D_MODEL, D_MODEL)
        self.key = nn.Linear(D_MODEL, D_MODEL)
        self.value = nn.Linear(D_MODEL, D_MODEL)
        self.out = nn.Linear(D_MODEL, D_MODEL)
        self.norm1 = nn.LayerNorm(D_MODEL, eps=1e-6)
        self.ff1 = nn.Linear(D_MODEL, FF)
        self.ff2 = nn.Linear(FF, D_MODEL)
        self.norm2 = nn.LayerNorm(D_MODEL, eps=1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape

        def heads(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, HEADS, D_MODEL // HEADS).transpose(1, 2)

        attention = F.scaled_dot_product_attention(
            heads(self.query(x)), heads(self.key(x)), heads(self.value(x)))
        attention = self.out(attention.transpose(1, 2).reshape(b, t, D_MODEL))
        x = self.norm1(x + attention)
        return self.norm2(x + self.ff2(F.relu(self.ff1(x))))


class TorchModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.Sequential(*[TorchBlock() for _ in range(LAYERS)])
        self.head = nn.Linear(D_MODEL, CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(x).mean(dim=1))


class TorchLoop:
    """One epoch = a shuffled pass in batches: forward, cross-entropy, backward, Adam step."""

    def __init__(self, x: np.ndarray, y: np.ndarray, device: torch.device) -> None:
        self.x, self.y, self.device = torch.from_numpy(x), torch.from_numpy(y), device
        self.model = TorchModel().to(device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3, eps=1e-7)

    def epoch(self) -> float:
        n = self.x.shape[0]
        order = torch.randperm(n)
        total = torch.zeros((), device=self.device)
        for start in range(0, n, BATCH):
            index = order[start:start + BATCH]
            xb = self.x[index].to(self.device, non_blocking=True)
            yb = self.y[index].to(self.device, non_blocking=True)
            loss = F.cross_entropy(self.model(xb), yb)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total += loss.detach()
        return float(total) / -(-n // BATCH)


def timed(fn) -> float:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4, help="batches per epoch")
    parser.add_argument("--rounds", type=int, default=3, help="timed epochs of each")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    n = BATCH * args.steps
    x = rng.standard_normal((n, SEQ, D_MODEL)).astype("float32")
    y = rng.integers(0, CLASSES, size=(n,)).astype("int64")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    cornu.utils.set_random_seed(0)
    model = cornu_model()
    loop = TorchLoop(x, y, device)
    counts = (sum(int(np.prod(w.shape)) for w in model.trainable_weights),
              sum(p.numel() for p in loop.model.parameters()))
    assert counts[0] == counts[1], f"models differ: {counts}"

    def cornu_epoch() -> None:
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=True, verbose=0)

    cornu_epoch()  # warm-up: build, first allocations
    loop.epoch()
    cornu_times, torch_times = [], []
    for _ in range(args.rounds):
        cornu_times.append(timed(cornu_epoch))
        torch_times.append(timed(loop.epoch))
    c, t = statistics.median(cornu_times), statistics.median(torch_times)
    print(f"device={device} threads={torch.get_num_threads()} params={counts[0]} "
          f"steps/epoch={args.steps} batch={BATCH} seq={SEQ} d_model={D_MODEL} heads={HEADS}")
    print(f"cornu fit:  {c:.3f} s/epoch  ({c / args.steps * 1000:.1f} ms/step)  "
          f"epochs {[round(v, 3) for v in cornu_times]}")
    print(f"torch loop: {t:.3f} s/epoch  ({t / args.steps * 1000:.1f} ms/step)  "
          f"epochs {[round(v, 3) for v in torch_times]}")
    print(f"ratio (cornu throughput / torch throughput): {t / c:.3f}  (target >= 0.9)")


if __name__ == "__main__":
    main()
