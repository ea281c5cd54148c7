"""Optimizers: update rules against NumPy, the shared machinery (clipping, decay, EMA,
accumulation, loss scaling), slots, configs, names and bad input."""

import numpy as np
import pytest
import torch

import cornu
from cornu import optimizers

SHAPES = [(4, 3), (3,), (2, 5)]
STEPS = 4


@pytest.fixture
def problem(rng):
    init = [rng.standard_normal(s).astype("float32") for s in SHAPES]
    grads = [[rng.standard_normal(s).astype("float32") for s in SHAPES] for _ in range(STEPS)]
    return init, grads


def _run(optimizer, init, grads):
    variables = [cornu.Variable(w, name=f"w{i}") for i, w in enumerate(init)]
    for step in grads:
        optimizer.apply_gradients(zip([cornu.ops.convert_to_tensor(g) for g in step],
                                      variables))
    return [v.numpy() for v in variables]


# --- NumPy references of each rule (per variable, written from the papers/Keras docs) ----
def np_sgd(w, gs, lr=0.1, momentum=0.9, nesterov=True):
    m = np.zeros_like(w)
    for g in gs:
        m = momentum * m - lr * g
        w = w + (momentum * m - lr * g if nesterov else m)
    return w


def np_adam(w, gs, lr=0.05, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None):
    m, v, vhat = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(gs, 1):
        if wd:
            w = w * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vhat = np.maximum(vhat, v)
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - alpha * m / (np.sqrt(vhat if amsgrad else v) + eps)
    return w


def np_rmsprop(w, gs, lr=0.01, rho=0.9, momentum=0.3, eps=1e-7):
    v, mg, mom = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g in gs:
        v = rho * v + (1 - rho) * g * g
        mg = rho * mg + (1 - rho) * g
        mom = momentum * mom + lr * g / np.sqrt(v - mg * mg + eps)
        w = w - mom
    return w


def np_adagrad(w, gs, lr=0.1, init=0.1, eps=1e-7):
    acc = np.full_like(w, init)
    for g in gs:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + eps)
    return w


def np_adadelta(w, gs, lr=1.0, rho=0.95, eps=1e-7):
    eg, ed = np.zeros_like(w), np.zeros_like(w)
    for g in gs:
        eg = rho * eg + (1 - rho) * g * g
        d = -np.sqrt(ed + eps) / np.sqrt(eg + eps) * g
        ed = rho * ed + (1 - rho) * d * d
        w = w + lr * d
    return w


def np_adamax(w, gs, lr=0.05, b1=0.9, b2=0.999, eps=1e-7):
    m, u = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(gs, 1):
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr * m / ((1 - b1 ** t) * (u + eps))
    return w


def np_nadam(w, gs, lr=0.05, b1=0.9, b2=0.999, eps=1e-7):
    m, v, prod = np.zeros_like(w), np.zeros_like(w), 1.0
    for t, g in enumerate(gs, 1):
        u_t, u_next = b1 * (1 - 0.5 * 0.96 ** t), b1 * (1 - 0.5 * 0.96 ** (t + 1))
        prod = prod * u_t
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = u_next * m / (1 - prod * u_next) + (1 - u_t) * g / (1 - prod)
        w = w - lr * m_hat / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return w


def np_ftrl(w, gs, lr=0.1, power=-0.5, init=0.1, l1=0.01, l2=0.02, shrink=0.01, beta=0.5):
    n, z = np.full_like(w, init), np.zeros_like(w)
    for g in gs:
        g2 = g + 2 * shrink * w
        n_new = n + g * g
        z = z + g2 - (n_new ** -power - n ** -power) / lr * w
        quad = n_new ** -power / lr + 2 * (l2 + beta / (2 * lr))
        w = (np.clip(z, -l1, l1) - z) / quad
        n = n_new
    return w


def np_lion(w, gs, lr=0.05, b1=0.9, b2=0.99):
    m = np.zeros_like(w)
    for g in gs:
        w = w - lr * np.sign(b1 * m + (1 - b1) * g)
        m = b2 * m + (1 - b2) * g
    return w


def np_lamb(w, gs, lr=0.05, b1=0.9, b2=0.999, eps=1e-7):
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(gs, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        r = (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        wn, rn = np.linalg.norm(w), np.linalg.norm(r)
        w = w - lr * (wn / rn if wn > 0 and rn > 0 else 1.0) * r
    return w


def np_adafactor(w, gs, lr=0.05, decay=-0.8, eps1=1e-30, eps2=1e-3, clip=1.0):
    r = np.zeros(w.shape[:-1]) if w.ndim >= 2 else None
    c = np.zeros(w.shape[:-2] + w.shape[-1:]) if w.ndim >= 2 else None
    v = np.zeros_like(w)
    for t, g in enumerate(gs, 1):
        rho = min(min(lr, 1 / np.sqrt(t)), 1 / np.sqrt(t))
        alpha = max(eps2, np.sqrt((w ** 2).mean())) * rho
        sq = g * g + eps1
        beta = 1 - t ** decay
        if w.ndim >= 2:
            r = beta * r + (1 - beta) * sq.mean(-1)
            c = beta * c + (1 - beta) * sq.mean(-2)
            v = (r / r.mean(-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            v = beta * v + (1 - beta) * sq
        u = g / np.sqrt(v)
        u = u / max(1.0, np.sqrt((u ** 2).mean()) / clip)
        w = w - alpha * u
    return w


def np_schedule_free(w, gs, lr=0.05, b1=0.9, b2=0.999, eps=1e-8):
    z, v, x = w.copy(), np.zeros_like(w), w.copy()
    for t, g in enumerate(gs, 1):
        v = b2 * v + (1 - b2) * g * g
        z = z - lr * g / (np.sqrt(v / (1 - b2 ** t)) + eps)
        x = (1 - 1 / t) * x + z / t
        w = (1 - b1) * z + b1 * x
    return w


RULES = [
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, np_sgd),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}, lambda w, g: np_sgd(w, g, nesterov=False)),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}, lambda w, g: np_adam(w, g, amsgrad=True)),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1},
     lambda w, g: np_adam(w, g, wd=0.1)),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.3}, np_rmsprop),
    ("Adagrad", {"learning_rate": 0.1}, np_adagrad),
    ("Adadelta", {"learning_rate": 1.0}, np_adadelta),
    ("Adamax", {"learning_rate": 0.05}, np_adamax),
    ("Nadam", {"learning_rate": 0.05}, np_nadam),
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
              "l2_regularization_strength": 0.02, "l2_shrinkage_regularization_strength": 0.01,
              "beta": 0.5}, np_ftrl),
    ("Lion", {"learning_rate": 0.05}, np_lion),
    ("Lamb", {"learning_rate": 0.05}, np_lamb),
    ("Adafactor", {"learning_rate": 0.05}, np_adafactor),
    ("ScheduleFreeAdamW", {"learning_rate": 0.05}, np_schedule_free),
]


def test_update_rules_match_numpy(problem):
    init, grads = problem
    for name, kwargs, reference in RULES:
        got = _run(getattr(optimizers, name)(**kwargs), init, grads)
        for i, w in enumerate(init):
            expected = reference(w.astype("float64"), [g[i].astype("float64") for g in grads])
            np.testing.assert_allclose(got[i], expected, rtol=2e-4, atol=2e-6,
                                       err_msg=f"{name} {kwargs} variable {i}")


def _newton_schulz(x, steps=5, a=3.4445, b=-4.775, c=2.0315):
    tall = x.shape[0] > x.shape[1]
    x = x.T if tall else x
    x = x / (np.linalg.norm(x) + 1e-7)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def test_muon_orthogonalizes_matrices_and_uses_adamw_elsewhere(problem):
    init, grads = problem
    got = _run(optimizers.Muon(learning_rate=0.05, weight_decay=0.1, adam_weight_decay=0.2),
               init, grads)
    for i in (0, 2):
        w, m = init[i].astype("float64"), np.zeros(init[i].shape)
        for step in grads:
            g = step[i].astype("float64")
            w = w * (1 - 0.05 * 0.1)
            m = 0.95 * m + g
            update = 0.05 * _newton_schulz(g + 0.95 * m)
            w = w - update * np.sqrt(max(w.shape)) * 0.2
        np.testing.assert_allclose(got[i], w, rtol=1e-4, atol=1e-5)
    expected = np_adam(init[1].astype("float64"), [g[1] for g in grads], wd=0.2)
    np.testing.assert_allclose(got[1], expected, rtol=1e-4, atol=1e-6)


# --- the shared machinery -----------------------------------------------------------------
def test_clipping(problem):
    init, grads = problem
    one = [grads[0]]
    clipped = _run(optimizers.SGD(learning_rate=1.0, clipvalue=0.2), init, one)
    for w, g, got in zip(init, grads[0], clipped):
        np.testing.assert_allclose(got, w - np.clip(g, -0.2, 0.2), rtol=1e-6)
    clipped = _run(optimizers.SGD(learning_rate=1.0, clipnorm=0.5), init, one)
    for w, g, got in zip(init, grads[0], clipped):
        np.testing.assert_allclose(got, w - g * 0.5 / max(np.linalg.norm(g), 0.5), rtol=1e-5)
    clipped = _run(optimizers.SGD(learning_rate=1.0, global_clipnorm=0.5), init, one)
    total = np.sqrt(sum((g ** 2).sum() for g in grads[0]))
    for w, g, got in zip(init, grads[0], clipped):
        np.testing.assert_allclose(got, w - g * 0.5 / total, rtol=1e-5)


def test_weight_decay_skips_excluded_variables(problem):
    init, grads = problem
    variables = [cornu.Variable(w, name=n) for w, n in zip(init, ("kernel", "bias", "gamma"))]
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[variables[2]], var_names=["bias"])
    opt.apply([cornu.ops.convert_to_tensor(g) for g in grads[0]], variables)
    decay = [1 - 0.1 * 0.5, 1.0, 1.0]
    for w, g, d, v in zip(init, grads[0], decay, variables):
        np.testing.assert_allclose(v.numpy(), w * d - 0.1 * g, rtol=1e-6)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_ema_and_overwrite(problem):
    init, grads = problem
    got = _run(optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5,
                              ema_overwrite_frequency=3), init, grads)
    for i, w in enumerate(init):
        ema = None
        for step, g in enumerate(grads):
            w = w - 0.1 * g[i]
            ema = w.copy() if step == 0 else 0.5 * ema + 0.5 * w
            if (step + 1) % 3 == 0:
                w = ema.copy()
        np.testing.assert_allclose(got[i], w, rtol=1e-5)


def test_gradient_accumulation_updates_with_the_mean(problem):
    init, grads = problem
    opt = optimizers.SGD(learning_rate=0.1, gradient_accumulation_steps=2)
    got = _run(opt, init, grads)
    for i, w in enumerate(init):
        expected = w - 0.1 * (grads[0][i] + grads[1][i]) / 2 - 0.1 * (grads[2][i] +
                                                                       grads[3][i]) / 2
        np.testing.assert_allclose(got[i], expected, rtol=1e-5)
    assert int(opt.iterations) == 2 and int(opt._iterations) == 4


def test_loss_scale_factor_divides_gradients(problem):
    init, grads = problem
    got = _run(optimizers.SGD(learning_rate=0.1, loss_scale_factor=4.0), init, [grads[0]])
    for w, g, out in zip(init, grads[0], got):
        np.testing.assert_allclose(out, w - 0.1 * g / 4.0, rtol=1e-6)


def test_constraints_are_applied_after_each_update(problem):
    init, grads = problem
    v = cornu.Variable(init[0], name="kernel")
    v.constraint = cornu.constraints.NonNeg()
    optimizers.SGD(learning_rate=0.1).apply([cornu.ops.convert_to_tensor(grads[0][0])], [v])
    np.testing.assert_allclose(v.numpy(), np.maximum(init[0] - 0.1 * grads[0][0], 0),
                               rtol=1e-6)


def test_learning_rate_schedules_and_callables(problem):
    init, grads = problem
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    got = _run(optimizers.SGD(learning_rate=schedule), init, grads)
    np.testing.assert_allclose(got[1], init[1] - 0.1 * sum(0.5 ** t * g[1] for t, g in
                                                           enumerate(grads)), rtol=1e-5)
    got = _run(optimizers.SGD(learning_rate=lambda: 0.2), init, [grads[0]])
    np.testing.assert_allclose(got[0], init[0] - 0.2 * grads[0][0], rtol=1e-6)
    opt = optimizers.Adam(learning_rate=0.1)
    opt.learning_rate = 0.05
    np.testing.assert_allclose(float(opt.learning_rate), 0.05)
    with pytest.raises(TypeError, match="schedule"):
        optimizers.SGD(learning_rate=schedule).learning_rate = 0.1


def test_loss_scale_optimizer_skips_non_finite_steps_and_adapts_the_scale(problem):
    init, grads = problem
    variables = [cornu.Variable(w) for w in init]
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.1), initial_scale=8.0,
                                        dynamic_growth_steps=2)
    scaled = [cornu.ops.convert_to_tensor(g * 8.0) for g in grads[0]]
    opt.apply(scaled, variables)
    np.testing.assert_allclose(variables[0].numpy(), init[0] - 0.1 * grads[0][0], rtol=1e-6)
    assert float(opt.dynamic_scale) == 8.0
    opt.apply([cornu.ops.convert_to_tensor(g * 8.0) for g in grads[1]], variables)
    assert float(opt.dynamic_scale) == 16.0
    before = variables[0].numpy()
    bad = [cornu.ops.convert_to_tensor(np.full(s, np.inf, "float32")) for s in SHAPES]
    opt.apply(bad, variables)
    np.testing.assert_array_equal(variables[0].numpy(), before)
    assert float(opt.dynamic_scale) == 8.0
    assert float(opt.scale_loss(cornu.ops.convert_to_tensor(2.0))) == 16.0
    assert int(opt.iterations) == 2
    names = [v.name for v in opt.variables]
    assert names[:4] == ["iteration", "learning_rate", "step_counter", "dynamic_scale"]
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)


def test_a_training_step_never_reads_back_to_the_host(problem):
    init, grads = problem
    for name, kwargs, _ in RULES:
        opt = getattr(optimizers, name)(**kwargs)
        variables = [cornu.Variable(w) for w in init]
        tensors = [cornu.ops.convert_to_tensor(g) for g in grads[0]]
        opt.apply(tensors, variables)
        with pytest.MonkeyPatch.context() as mp:
            def refuse(*a, **k):
                raise AssertionError(f"{name}.apply read a tensor back to the host")

            for attr in ("item", "__bool__", "numpy", "tolist", "__float__", "__int__"):
                mp.setattr(torch.Tensor, attr, refuse)
            opt.apply(tensors, variables)


# --- slots, configs and names -------------------------------------------------------------
def test_slot_order_and_names_follow_keras():
    kernel, bias = cornu.Variable(np.ones((2, 2)), name="k"), cornu.Variable(np.ones(2),
                                                                           name="b")
    opt = optimizers.Adam(use_ema=True)
    opt.build([kernel, bias])
    assert [v.name for v in opt.variables] == [
        "iteration", "learning_rate", "k_average", "b_average", "k_momentum", "k_velocity",
        "b_momentum", "b_velocity"]
    opt = optimizers.Adafactor()
    opt.build([kernel, bias])
    assert [tuple(v.shape) for v in opt.variables] == [(), (), (2,), (2,), (2, 2), (), (),
                                                       (2,)]
    assert optimizers.RMSprop().name == "rm_sprop"


CONFIGS = [
    ("SGD", {"momentum": 0.5, "nesterov": True, "clipnorm": 1.0}),
    ("Adam", {"beta_1": 0.8, "amsgrad": True, "use_ema": True, "ema_momentum": 0.9}),
    ("AdamW", {"weight_decay": 0.01, "global_clipnorm": 2.0}),
    ("RMSprop", {"rho": 0.8, "centered": True, "gradient_accumulation_steps": 3}),
    ("Adagrad", {"initial_accumulator_value": 0.5}), ("Adadelta", {"rho": 0.9}),
    ("Adamax", {"beta_2": 0.99}), ("Nadam", {"epsilon": 1e-5, "loss_scale_factor": 128.0}),
    ("Ftrl", {"l1_regularization_strength": 0.1, "beta": 0.2}), ("Lion", {"beta_1": 0.8}),
    ("Lamb", {"clipvalue": 0.5}), ("Adafactor", {"relative_step": False}),
    ("Muon", {"exclude_layers": ["head"], "ns_steps": 3}),
    ("ScheduleFreeAdamW", {"warmup_steps": 10}),
]


def test_config_round_trip_and_lookup():
    for name, kwargs in CONFIGS:
        cls = getattr(optimizers, name)
        opt = cls(learning_rate=0.25, **kwargs)
        config = opt.get_config()
        for key, value in kwargs.items():
            assert config[key] == value, (name, key)
        assert config["learning_rate"] == 0.25
        assert cls.from_config(config).get_config() == config, name
        restored = optimizers.deserialize(optimizers.serialize(opt))
        assert type(restored) is cls and restored.get_config() == config, name
        assert type(optimizers.get(name.lower())) is cls
        assert type(optimizers.get(name.upper())) is cls
    schedule = optimizers.schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=5)
    restored = optimizers.deserialize(optimizers.serialize(optimizers.Adam(schedule)))
    assert restored.get_config()["learning_rate"]["config"] == schedule.get_config()
    scaled = optimizers.LossScaleOptimizer(optimizers.Adam(0.2), initial_scale=4.0)
    restored = optimizers.deserialize(optimizers.serialize(scaled))
    assert type(restored.inner_optimizer) is optimizers.Adam
    assert restored.get_config()["initial_scale"] == 4.0


def test_state_can_be_set_and_saved(problem):
    init, grads = problem
    opt = optimizers.Adam(learning_rate=0.05)
    _run(opt, init, grads[:2])
    store = {}
    opt.save_own_variables(store)
    other = optimizers.Adam(learning_rate=0.05)
    variables = [cornu.Variable(w) for w in init]
    other.build(variables)
    other.load_own_variables(store)
    assert int(other.iterations) == 2
    np.testing.assert_array_equal(other.variables[2].numpy(), opt.variables[2].numpy())


# --- bad input ----------------------------------------------------------------------------
def test_bad_arguments_are_reported():
    with pytest.raises(ValueError, match=r"learning_rate.*Received: learning_rate=-0.1"):
        optimizers.Adam(learning_rate=-0.1)
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and "
                                         "`global_clipnorm`"):
        optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0)
    with pytest.raises(ValueError, match="`clipnorm` must be a non-negative"):
        optimizers.SGD(clipnorm=-1.0)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'. Did you mean 'adam'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="learning_rate_power"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.SGD(gradient_accumulation_steps=1)
    opt = optimizers.SGD()
    opt.build([cornu.Variable(np.ones(2))])
    with pytest.raises(ValueError, match="does not track"):
        opt.apply([cornu.ops.convert_to_tensor(np.ones(2))], [cornu.Variable(np.ones(2))])
    with pytest.raises(ValueError, match="No gradients provided"):
        optimizers.SGD().apply([None], [cornu.Variable(np.ones(2))])
