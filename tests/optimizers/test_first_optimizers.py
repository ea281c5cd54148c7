"""SGD, Adam, RMSprop against NumPy implementations of Keras's update rules; clipping and decay."""

import numpy as np
import pytest

import cornu
from cornu import optimizers

rng = np.random.default_rng(3)
W0 = [rng.standard_normal((4, 3)).astype("float32"), rng.standard_normal(3).astype("float32")]
GRADS = [[rng.standard_normal(w.shape).astype("float32") for w in W0] for _ in range(3)]


def _run(optimizer):
    variables = [cornu.Variable(w) for w in W0]
    for grads in GRADS:
        optimizer.apply_gradients(zip([cornu.ops.convert_to_tensor(g) for g in grads], variables))
    return [v.numpy() for v in variables]


def _numpy_adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    w = [x.copy() for x in W0]
    m = [np.zeros_like(x) for x in w]
    v = [np.zeros_like(x) for x in w]
    for t, grads in enumerate(GRADS, start=1):
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for i, g in enumerate(grads):
            m[i] += (g - m[i]) * (1 - b1)
            v[i] += (g * g - v[i]) * (1 - b2)
            w[i] -= alpha * m[i] / (np.sqrt(v[i]) + eps)
    return w


def _numpy_sgd(lr, momentum=0.0, nesterov=False, weight_decay=0.0, clipvalue=None):
    w = [x.copy() for x in W0]
    m = [np.zeros_like(x) for x in w]
    for grads in GRADS:
        for i, g in enumerate(grads):
            if clipvalue is not None:
                g = np.clip(g, -clipvalue, clipvalue)
            w[i] -= w[i] * weight_decay * lr
            if momentum:
                m[i] = momentum * m[i] - lr * g
                w[i] += momentum * m[i] - lr * g if nesterov else m[i]
            else:
                w[i] -= lr * g
    return w


def _numpy_rmsprop(lr=0.01, rho=0.9, momentum=0.5, eps=1e-7, centered=True):
    w = [x.copy() for x in W0]
    vel, mom, avg = ([np.zeros_like(x) for x in w] for _ in range(3))
    for grads in GRADS:
        for i, g in enumerate(grads):
            vel[i] = rho * vel[i] + (1 - rho) * g * g
            if centered:
                avg[i] = rho * avg[i] + (1 - rho) * g
                denom = vel[i] - avg[i] ** 2 + eps
            else:
                denom = vel[i] + eps
            increment = lr * g / np.sqrt(denom)
            mom[i] = momentum * mom[i] + increment
            w[i] -= mom[i]
    return w


@pytest.mark.parametrize("optimizer,expected", [
    (lambda: optimizers.Adam(), _numpy_adam),
    (lambda: optimizers.Adam(0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-5),
     lambda: _numpy_adam(0.05, 0.8, 0.99, 1e-5)),
    (lambda: optimizers.SGD(0.1), lambda: _numpy_sgd(0.1)),
    (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
     lambda: _numpy_sgd(0.1, 0.9, True)),
    (lambda: optimizers.SGD(0.1, momentum=0.9, weight_decay=0.01),
     lambda: _numpy_sgd(0.1, 0.9, weight_decay=0.01)),
    (lambda: optimizers.SGD(0.1, clipvalue=0.5), lambda: _numpy_sgd(0.1, clipvalue=0.5)),
    (lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True), _numpy_rmsprop),
])
def test_update_rules_match_numpy(optimizer, expected):
    for ours, ref in zip(_run(optimizer()), expected()):
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_global_clipnorm_scales_all_gradients_jointly():
    norm = np.sqrt(sum(np.sum(g ** 2) for g in GRADS[0]))
    variables = [cornu.Variable(w) for w in W0]
    optimizers.SGD(1.0, global_clipnorm=0.5).apply_gradients(
        zip([cornu.ops.convert_to_tensor(g) for g in GRADS[0]], variables))
    for v, w, g in zip(variables, W0, GRADS[0]):
        np.testing.assert_allclose(v.numpy(), w - g * 0.5 / norm, rtol=1e-5, atol=1e-6)


def test_slots_iterations_and_learning_rate_setter():
    opt = optimizers.Adam(0.01)
    variables = [cornu.Variable(w) for w in W0]
    opt.apply(
        [cornu.ops.convert_to_tensor(g) for g in GRADS[0]], variables)
    assert int(opt.iterations.numpy()) == 1
    assert [v.name for v in opt.variables][:2] == ["iteration", "learning_rate"]
    assert len(opt.variables) == 2 + 2 * len(W0)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate.numpy()) == 0.5


@pytest.mark.parametrize("kwargs,fragment", [
    ({"clipnorm": 1.0, "global_clipnorm": 1.0}, "Only one of"),
    ({"learning_rate": -1.0}, "learning_rate"),
    ({"foo": 1}, "not recognized"),
])
def test_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        optimizers.Adam(**kwargs)


def test_string_lookup_and_config_round_trip():
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    opt = optimizers.SGD(0.2, momentum=0.5, nesterov=True)
    clone = optimizers.deserialize(optimizers.serialize(opt))
    assert clone.get_config() | {"name": None} == opt.get_config() | {"name": None}
