"""Optimizer step benchmark: cornu's Adam vs ``torch.optim.Adam(foreach=True)``.

Both update the same 10M-parameter set of tensors (a transformer-block-like mix of
matrices and vectors) with fixed gradients; the script times ``optimizer.apply`` against
``optimizer.step()`` in the same run, interleaving repeats (the best repeat of each counts:
it is the least disturbed by other work on the machine), and prints the ratio
``torch time / cornu time`` (>= 1 means cornu is as fast or faster).

    python bench/bench_optimizer.py [--steps 50] [--repeats 5] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import cornu

SHAPES = ([(1024, 1024)] * 8 + [(1024, 512), (512, 1024)] + [(1024,)] * 12 + [(512,)] * 4
          + [(2048, 256)])


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _time(fn, steps: int, device: str) -> float:
    _sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    _sync(device)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = args.device
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype("float32") * 0.02 for s in SHAPES]
    grads_np = [rng.standard_normal(s).astype("float32") * 1e-3 for s in SHAPES]
    n_params = sum(int(np.prod(s)) for s in SHAPES)

    with cornu.device(device):
        variables = [cornu.Variable(w, name=f"w{i}") for i, w in enumerate(init)]
        grads = [cornu.ops.convert_to_tensor(g) for g in grads_np]
        cornu_opt = cornu.optimizers.Adam(learning_rate=1e-3)

    params = [torch.nn.Parameter(torch.tensor(w, device=device)) for w in init]
    for p, g in zip(params, grads_np):
        p.grad = torch.tensor(g, device=device)
    torch_opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7, foreach=True)

    def cornu_step() -> None:
        cornu_opt.apply(grads, variables)

    for _ in range(3):  # build the slots and warm both up
        cornu_step()
        torch_opt.step()
    cornu_times, torch_times = [], []
    for _ in range(args.repeats):
        cornu_times.append(_time(cornu_step, args.steps, device))
        torch_times.append(_time(torch_opt.step, args.steps, device))
    cornu_ms = min(cornu_times) * 1e3
    torch_ms = min(torch_times) * 1e3
    print(f"Adam step, {n_params / 1e6:.1f}M parameters in {len(SHAPES)} tensors, "
          f"device={device}, torch {torch.__version__}")
    print(f"  cornu Adam.apply            {cornu_ms:8.3f} ms/step")
    print(f"  torch.optim.Adam(foreach)   {torch_ms:8.3f} ms/step")
    print(f"  ratio (torch / cornu): {torch_ms / cornu_ms:.2f}x  (target >= 0.9x); "
          f"median ratio {statistics.median(torch_times) / statistics.median(cornu_times):.2f}x")


if __name__ == "__main__":
    main()
