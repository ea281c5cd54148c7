"""MLP training throughput: cornu's fit against a hand-written PyTorch loop, same run.

The model is 784-256-256-10 (ReLU, softmax cross-entropy), batch 128, Adam. Prints
samples/second for each and the ratios the foundation issue asks for:

* cornu ``fit`` / PyTorch loop (target >= 0.9x);
* cornu ``fit(jit_compile=True)`` / PyTorch loop;
* ``predict`` on one sample / ``model(x)`` under ``torch.no_grad()`` (target <= 2x);
* the time ``import cornu`` adds to ``import torch``.

Usage: python bench/bench_mlp.py [--batches 200] [--repeats 3] [--no-jit]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import cornu
from cornu import layers

BATCH = 128


def make_data(n_batches: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n_batches * BATCH, 784)).astype("float32")
    y = rng.integers(0, 10, size=n_batches * BATCH).astype("int64")
    return x, y


def cornu_model() -> cornu.Model:
    return cornu.Sequential([cornu.Input((784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(256, activation="relu"), layers.Dense(10)])


def time_cornu_fit(x, y, weights, jit: bool) -> float:
    model = cornu_model()
    model.set_weights(weights)
    model.compile(optimizer=cornu.optimizers.Adam(1e-3),
                  loss=cornu.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit)
    model.fit(x[:BATCH * 5], y[:BATCH * 5], batch_size=BATCH, epochs=1, verbose=0,
              shuffle=False)  # warm-up (and compilation)
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return len(x) / (time.perf_counter() - start)


def time_torch_loop(x, y, weights, device) -> float:
    params = [torch.tensor(w, device=device, requires_grad=True) for w in weights]
    opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7)

    def forward(xb):
        h = torch.relu(torch.addmm(params[1], xb, params[0]))
        h = torch.relu(torch.addmm(params[3], h, params[2]))
        return torch.addmm(params[5], h, params[4])

    def run(xs, ys):
        for start in range(0, len(xs), BATCH):
            xb = torch.from_numpy(xs[start:start + BATCH]).to(device)
            yb = torch.from_numpy(ys[start:start + BATCH]).to(device)
            opt.zero_grad()
            loss = F.cross_entropy(forward(xb), yb)
            loss.backward()
            opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()

    run(x[:BATCH * 5], y[:BATCH * 5])
    start = time.perf_counter()
    run(x, y)
    return len(x) / (time.perf_counter() - start)


def time_predict_one(weights, device) -> tuple[float, float]:
    model = cornu_model()
    model.set_weights(weights)
    sample = np.random.default_rng(1).standard_normal((1, 784)).astype("float32")
    tensor = torch.from_numpy(sample).to(device)
    n = 300

    def timed(fn):
        for _ in range(20):
            fn()
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - start) / n

    def direct():
        with torch.no_grad():
            return model(tensor)

    return timed(lambda: model.predict(sample, verbose=0)), timed(direct)


def import_overhead() -> float:
    """Seconds ``import cornu`` takes after ``import torch``, bytecode caches warm (the first
    run writes them, as on any user's machine)."""
    code = ("import time; t=time.perf_counter(); import torch; a=time.perf_counter()-t; "
            "t=time.perf_counter(); import cornu; print(time.perf_counter()-t)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, env=env).stdout) for _ in range(4)]
    return min(runs[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-jit", action="store_true")
    args = parser.parse_args()
    device = torch.device(str(cornu.backend.get_device()))
    print(f"device={device} torch={torch.__version__} threads={torch.get_num_threads()}")
    x, y = make_data(args.batches)
    weights = cornu_model().get_weights()

    results: dict[str, list[float]] = {"torch": [], "cornu": [], "cornu_jit": []}
    for _ in range(args.repeats):  # interleaved, so drifts in machine load hit all alike
        results["torch"].append(time_torch_loop(x, y, weights, device))
        results["cornu"].append(time_cornu_fit(x, y, weights, jit=False))
        if not args.no_jit:
            results["cornu_jit"].append(time_cornu_fit(x, y, weights, jit=True))
    med = {k: statistics.median(v) for k, v in results.items() if v}
    for name, value in med.items():
        print(f"{name:10s} {value:10.0f} samples/s")
    print(f"ratio fit/torch            {med['cornu'] / med['torch']:.3f}  (target >= 0.9)")
    if "cornu_jit" in med:
        print(f"ratio fit(jit)/torch       {med['cornu_jit'] / med['torch']:.3f}")
    predict, direct = time_predict_one(weights, device)
    print(f"predict(1 sample) {predict * 1e6:.0f} us, model(x) no_grad {direct * 1e6:.0f} us, "
          f"ratio {predict / direct:.2f}  (target <= 2)")
    print(f"import cornu after torch: {import_overhead():.3f} s  (target < 0.3)")


if __name__ == "__main__":
    main()
