"""ResNet50 inference: cornu against a hand-written PyTorch ResNet50 (and real Keras).

All three run the same weights on the same batch (8 images of 224x224 by default), in the
same process: cornu's ``cornu.applications.ResNet50`` (called as Keras users call a model,
``model(x, training=False)``, and through ``predict_on_batch``); a torchvision-style
ResNet50 written with ``torch.nn.functional`` (NCHW tensors prepared once, weights converted
once from Keras's layout, ``torch.no_grad``); and, when it is installed, real Keras 3 on its
torch backend (``keras.applications.ResNet50`` with cornu's weights copied in by
``set_weights``, which also proves the weight order is Keras's).

Weights are random (BatchNormalization statistics included), or Keras's ImageNet file
given with ``--weights``. The three outputs are compared first. Runs alternate between the
implementations and the median time of each is compared. Prints the throughput ratio
cornu / raw PyTorch (target >= 0.95).

    python bench/bench_resnet50.py [--batch 8] [--rounds 10] [--threads N] [--weights FILE]
                                   [--device cpu|cuda] [--no-keras]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

import cornu

# (blocks, bottleneck filters, first stride) of the four stages
STAGES = ((3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2))
EPSILON = 1.001e-5


def randomize(model: cornu.Model, rng: np.random.Generator) -> None:
    """Random BatchNormalization statistics and biases, so every weight matters."""
    for w in model.weights:
        name = w.path.split("/")[-1]
        if name in ("moving_variance", "gamma"):
            w.assign(rng.uniform(0.5, 1.5, w.shape).astype("float32"))
        elif name in ("moving_mean", "beta", "bias"):
            w.assign(rng.normal(0.0, 0.1, w.shape).astype("float32"))


class TorchResNet50:
    """ResNet50 as a PyTorch user writes it: F.conv2d / F.batch_norm on NCHW tensors.

    Keras's ResNet50 is the original v1 (the stride sits on the first 1x1 convolution of a
    block, as in Caffe), so this follows it rather than torchvision's v1.5."""

    def __init__(self, model: cornu.Model, device: str, memory_format: torch.memory_format):
        self.memory_format = memory_format

        def tensor(layer_name: str, index: int, conv: bool = False) -> torch.Tensor:
            value = torch.from_numpy(model.get_layer(layer_name).get_weights()[index])
            if conv:  # (kh, kw, in, out) -> (out, in, kh, kw)
                value = value.permute(3, 2, 0, 1).contiguous(memory_format=memory_format)
            return value.to(device)

        self.conv = {}
        self.bn = {}
        for layer in model.layers:
            if isinstance(layer, cornu.layers.Conv2D):
                self.conv[layer.name] = (tensor(layer.name, 0, conv=True),
                                         tensor(layer.name, 1))
            elif isinstance(layer, cornu.layers.BatchNormalization):
                self.bn[layer.name] = tuple(tensor(layer.name, i) for i in range(4))
        dense = model.get_layer("predictions").get_weights()
        self.fc = (torch.from_numpy(dense[0]).t().contiguous().to(device),
                   torch.from_numpy(dense[1]).to(device))

    def conv_bn(self, x: torch.Tensor, name: str, stride: int = 1, padding: int = 0,
                relu: bool = True) -> torch.Tensor:
        weight, bias = self.conv[f"{name}_conv"]
        x = F.conv2d(x, weight, bias, stride=stride, padding=padding)
        gamma, beta, mean, var = self.bn[f"{name}_bn"]
        x = F.batch_norm(x, mean, var, gamma, beta, False, 0.0, EPSILON)
        return F.relu(x) if relu else x

    def block(self, x: torch.Tensor, name: str, stride: int, project: bool) -> torch.Tensor:
        shortcut = self.conv_bn(x, f"{name}_0", stride, relu=False) if project else x
        x = self.conv_bn(x, f"{name}_1", stride)
        x = self.conv_bn(x, f"{name}_2", padding=1)
        x = self.conv_bn(x, f"{name}_3", relu=False)
        return F.relu(shortcut + x)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv_bn(x, "conv1", stride=2, padding=3)
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, stride=2)  # Keras pads with zeros
        for stage, (blocks, _, stride) in enumerate(STAGES, start=2):
            for i in range(1, blocks + 1):
                x = self.block(x, f"conv{stage}_block{i}", stride if i == 1 else 1, i == 1)
        x = x.mean(dim=(2, 3))
        return F.linear(x, *self.fc)


def keras_model(model: cornu.Model):
    """Real Keras's ResNet50 (torch backend) with cornu's weights, or None."""
    if importlib.util.find_spec("keras") is None:
        return None
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    if keras.backend.backend() != "torch":
        return None
    reference = keras.applications.ResNet50(weights=None, classifier_activation=None)
    reference.set_weights(model.get_weights())
    return reference


def timed(fn, rounds_out: list) -> None:
    start = time.perf_counter()
    fn()
    rounds_out.append(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10, help="timed calls of each")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    parser.add_argument("--weights", default=None, help="Keras's ResNet50 ImageNet .h5 file")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--torch-format", choices=("nchw", "channels_last"), default="nchw",
                        help="memory format of the PyTorch model's images and weights")
    parser.add_argument("--no-keras", action="store_true", help="skip real Keras")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    memory_format = (torch.channels_last if args.torch_format == "channels_last"
                     else torch.contiguous_format)
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (args.batch, 224, 224, 3)).astype("float32")
    x_np = cornu.applications.resnet50.preprocess_input(images.copy())

    with cornu.device(args.device):
        cornu.utils.set_random_seed(0)
        # Logits (no softmax), so that the outputs compared below are not saturated.
        model = cornu.applications.ResNet50(weights=args.weights, classifier_activation=None)
        if args.weights is None:
            randomize(model, rng)
        x_cornu = cornu.ops.convert_to_tensor(x_np)
    raw = TorchResNet50(model, args.device, memory_format)
    x_torch = torch.from_numpy(x_np).permute(0, 3, 1, 2).to(args.device)
    x_torch = x_torch.contiguous(memory_format=memory_format)
    reference = None if args.no_keras else keras_model(model)

    def sync() -> None:
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    def run_cornu():
        model(x_cornu, training=False)
        sync()

    def run_predict():
        model.predict_on_batch(x_np)
        sync()

    def run_torch():
        with torch.no_grad():
            raw(x_torch)
        sync()

    def run_keras():
        reference(x_np, training=False)
        sync()

    with torch.no_grad():
        expected = raw(x_torch).cpu().numpy()
    got = cornu.ops.convert_to_numpy(model(x_cornu, training=False))
    print(f"logits up to {np.abs(expected).max():.1f}; "
          f"max |cornu - torch| = {np.abs(got - expected).max():.2e}")
    runners = {"cornu model(x)": run_cornu, "cornu predict_on_batch": run_predict,
               "raw torch": run_torch}
    if reference is not None:
        theirs = np.asarray(reference(x_np, training=False).detach().cpu())
        print(f"max |cornu - keras| = {np.abs(got - theirs).max():.2e}")
        runners["keras (torch backend)"] = run_keras
    times: dict = {name: [] for name in runners}
    for fn in runners.values():  # warm-up
        fn()
    for i in range(args.rounds):
        order = list(runners.items())
        for name, fn in order if i % 2 == 0 else reversed(order):
            timed(fn, times[name])
    print(f"device={args.device} threads={torch.get_num_threads()} batch={args.batch} "
          f"torch-format={args.torch_format} rounds={args.rounds}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:24s}: {1000 * value:8.1f} ms/batch  "
              f"({args.batch / value:.1f} images/s)")
    base = medians["raw torch"]
    print(f"throughput ratio cornu/torch = {base / medians['cornu model(x)']:.3f}x "
          f"(predict_on_batch {base / medians['cornu predict_on_batch']:.3f}x; "
          "target >= 0.95)")
    if "keras (torch backend)" in medians:
        print(f"throughput ratio cornu/keras = "
              f"{medians['keras (torch backend)'] / medians['cornu model(x)']:.3f}x")


if __name__ == "__main__":
    main()
