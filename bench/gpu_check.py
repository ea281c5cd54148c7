"""Checks that need a CUDA device: no host syncs per training step, fused recurrent
kernels (cuDNN) agree with the step loop in forward and gradient, seeded dropout, and
the default device placement.

Usage (on a machine with a GPU): python bench/gpu_check.py
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

import cornu
from cornu import layers, ops


def count_syncs(fn) -> int:
    """How many host-device synchronizations ``fn`` triggers (torch's sync debug mode)."""
    torch.cuda.synchronize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            fn()
        finally:
            torch.cuda.set_sync_debug_mode("default")
    return sum("synchroniz" in str(w.message) for w in caught)


def check_fit_syncs() -> None:
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((64 * 20, 32)).astype("float32"), device="cuda")
    y = torch.tensor(rng.integers(0, 10, 64 * 20), device="cuda")
    for optimizer in ("adam", "sgd", "rmsprop"):
        model = cornu.Sequential([cornu.Input((32,)), layers.Dense(64, activation="relu"),
                                  layers.Dropout(0.1), layers.BatchNormalization(),
                                  layers.Dense(10)])
        model.compile(optimizer=optimizer, metrics=["accuracy"],
                      loss=cornu.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x[:128], y[:128], batch_size=64, verbose=0)  # build + warm-up
        one = count_syncs(lambda: model.fit(x[:64 * 2], y[:64 * 2], batch_size=64, verbose=0,
                                            shuffle=False))
        many = count_syncs(lambda: model.fit(x, y, batch_size=64, verbose=0, shuffle=False))
        print(f"fit syncs [{optimizer}]: 2 steps -> {one}, 20 steps -> {many} "
              f"(per extra step: {(many - one) / 18:.2f})")


def check_fused_rnn() -> None:
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.standard_normal((4, 7, 3)).astype("float32"), device="cuda")
    def tanh(t):  # not the built-in activation, so the layer takes its step loop
        return ops.tanh(t)

    for make in (lambda fused: layers.LSTM(5, return_sequences=True, use_cudnn=fused),
                 lambda fused: layers.GRU(5, return_sequences=True, use_cudnn=fused),
                 lambda fused: layers.SimpleRNN(5, return_sequences=True,
                                                activation="tanh" if fused else tanh)):
        fused, loop = make("auto"), make(False)
        fused(x)
        loop(x)
        loop.set_weights(fused.get_weights())
        outs, grads = [], []
        for layer in (fused, loop):
            xi = x.clone().requires_grad_(True)
            out = layer(xi, training=True)
            out.square().sum().backward()
            outs.append(out.detach().cpu().numpy())
            grads.append([xi.grad.cpu().numpy()] + [w.grad.cpu().numpy() for w in layer.weights])
        err = max(float(np.abs(a - b).max()) for a, b in zip(grads[0], grads[1]))
        print(f"{type(fused).__name__}: forward max err "
              f"{float(np.abs(outs[0] - outs[1]).max()):.2e}, gradient max err {err:.2e}")


def check_seeded_dropout_and_device() -> None:
    layer = layers.Dropout(0.5, seed=3)
    out = layer(ops.ones((4, 8)), training=True)
    print(f"seeded dropout on {out.device}: kept fraction {float((out != 0).float().mean()):.2f}")
    print(f"default device: {cornu.backend.get_device()}")


def main() -> None:
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}")
    check_seeded_dropout_and_device()
    check_fused_rnn()
    check_fit_syncs()


if __name__ == "__main__":
    main()
