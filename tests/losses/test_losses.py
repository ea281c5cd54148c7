"""Losses: numbers against NumPy, reductions, configs, lookup by name, bad input."""

import numpy as np
import pytest

import cornu
from cornu import losses, ops

EPS = 1e-7


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.fixture
def data(rng):
    return {
        "reg_true": rng.standard_normal((4, 3)).astype("float32"),
        "reg_pred": rng.standard_normal((4, 3)).astype("float32"),
        "bin_true": rng.integers(0, 2, (4, 3)).astype("float32"),
        "prob": rng.uniform(0.05, 0.95, (4, 3)).astype("float32"),
        "onehot": np.eye(5, dtype="float32")[rng.integers(0, 5, 4)],
        "probs5": (lambda p: p / p.sum(-1, keepdims=True))(rng.uniform(0.1, 1, (4, 5))
                                                          ).astype("float32"),
        "logits5": rng.standard_normal((4, 5)).astype("float32"),
        "labels": rng.integers(0, 5, (4,)).astype("int64"),
    }


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- numbers against NumPy, one family at a time ------------------------------------------
def test_probabilistic_losses_match_numpy(data):
    t, p = data["bin_true"], data["prob"]
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(_np(losses.binary_crossentropy(t, p)), bce.mean(-1), rtol=1e-5)
    logits = np.log(p / (1 - p))
    smoothed = t * 0.9 + 0.05
    expected = -(smoothed * np.log(p) + (1 - smoothed) * np.log(1 - p)).mean(-1)
    np.testing.assert_allclose(
        _np(losses.binary_crossentropy(t, logits, from_logits=True, label_smoothing=0.1)),
        expected, rtol=1e-5)
    p_t = t * p + (1 - t) * (1 - p)
    focal = ((1 - p_t) ** 2 * bce * (t * 0.25 + (1 - t) * 0.75)).mean(-1)
    np.testing.assert_allclose(
        _np(losses.binary_focal_crossentropy(t, p, apply_class_balancing=True)), focal,
        rtol=1e-5)

    y, logits5 = data["onehot"], data["logits5"]
    smooth = y * 0.8 + 0.2 / 5
    cce = -(smooth * np.log(_softmax(logits5))).sum(-1)
    np.testing.assert_allclose(
        _np(losses.categorical_crossentropy(y, logits5, from_logits=True, label_smoothing=0.2)),
        cce, rtol=1e-5)
    probs = data["probs5"]
    cfce = (0.25 * (1 - probs) ** 2 * -y * np.log(probs)).sum(-1)
    np.testing.assert_allclose(_np(losses.categorical_focal_crossentropy(y, probs)), cfce,
                               rtol=1e-5)
    labels = data["labels"]
    picked = probs[np.arange(4), labels]
    np.testing.assert_allclose(_np(losses.sparse_categorical_crossentropy(labels, probs)),
                               -np.log(picked), rtol=1e-5)
    np.testing.assert_allclose(
        _np(losses.categorical_generalized_cross_entropy(labels, probs, q=0.7)),
        (1 - picked ** 0.7) / 0.7, rtol=1e-5)
    q = np.clip(probs, EPS, 1)
    np.testing.assert_allclose(_np(losses.kl_divergence(y, probs)),
                               (np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / q)).sum(-1),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(losses.poisson(t, p)), (p - t * np.log(p + EPS)).mean(-1),
                               rtol=1e-5)


def test_sparse_crossentropy_ignore_class_masks_the_mean(data):
    labels, logits = np.array([0, 2, 1, 2]), data["logits5"]
    per_sample = -np.log(_softmax(logits))[np.arange(4), labels]
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)
    valid = labels != 2
    np.testing.assert_allclose(float(loss(labels, logits)), per_sample[valid].mean(), rtol=1e-5)
    none = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2, reduction=None)
    np.testing.assert_allclose(_np(none(labels, logits)), np.where(valid, per_sample, 0),
                               rtol=1e-5)


def test_regression_losses_match_numpy(data):
    t, p = data["reg_true"], data["reg_pred"]
    e = p - t
    np.testing.assert_allclose(_np(losses.mse(t, p)), (e ** 2).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.mae(t, p)), np.abs(e).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.mape(t, p)),
                               100 * np.abs(e / np.maximum(np.abs(t), EPS)).mean(-1), rtol=1e-5)
    msle = ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1)
    np.testing.assert_allclose(_np(losses.msle(t, p)), msle, rtol=1e-5)
    cos = -(t * p).sum(-1) / (np.linalg.norm(t, axis=-1) * np.linalg.norm(p, axis=-1))
    np.testing.assert_allclose(_np(losses.cosine_similarity(t, p)), cos, rtol=1e-5)
    huber = np.where(np.abs(e) <= 0.7, 0.5 * e ** 2, 0.7 * np.abs(e) - 0.5 * 0.49).mean(-1)
    np.testing.assert_allclose(_np(losses.huber(t, p, delta=0.7)), huber, rtol=1e-5)
    np.testing.assert_allclose(_np(losses.log_cosh(t, p)), np.log(np.cosh(e)).mean(-1),
                               rtol=1e-5)


def test_hinge_losses_match_numpy(data):
    t, p = data["bin_true"], data["reg_pred"]
    signed = 2 * t - 1
    np.testing.assert_allclose(_np(losses.hinge(t, p)),
                               np.maximum(1 - signed * p, 0).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.squared_hinge(t, p)),
                               (np.maximum(1 - signed * p, 0) ** 2).mean(-1), rtol=1e-5)
    # Labels already in {-1, 1} are used as they are.
    np.testing.assert_allclose(_np(losses.hinge(signed, p)), _np(losses.hinge(t, p)), rtol=1e-6)
    y, z = data["onehot"], data["logits5"]
    pos, neg = (y * z).sum(-1), ((1 - y) * z).max(-1)
    np.testing.assert_allclose(_np(losses.categorical_hinge(y, z)), np.maximum(neg - pos + 1, 0),
                               rtol=1e-5)


def test_segmentation_losses_match_numpy(data):
    t, p = data["bin_true"], data["prob"]
    inter = (t * p).sum()
    np.testing.assert_allclose(float(losses.dice(t, p)),
                               1 - 2 * inter / (t.sum() + p.sum() + EPS), rtol=1e-5)
    fp, fn = ((1 - p) * t).sum(axis=1), (p * (1 - t)).sum(axis=1)
    inter_rows = (t * p).sum(axis=1)
    expected = 1 - inter_rows / (inter_rows + 0.7 * fp + 0.3 * fn + EPS)
    np.testing.assert_allclose(_np(losses.tversky(t, p, alpha=0.7, beta=0.3, axis=1)), expected,
                               rtol=1e-5)


def test_circle_loss_matches_numpy(rng):
    x = rng.standard_normal((6, 4)).astype("float32")
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = np.array([0, 1, 0, 1, 2, 2])
    gamma, margin = 80.0, 0.4
    d = np.maximum(1 - x @ x.T, 0)
    pos = (labels[:, None] == labels[None]) & ~np.eye(6, dtype=bool)
    neg = labels[:, None] != labels[None]
    pos_logit = -gamma * np.maximum((margin + d) * pos, 0) * (margin - d)
    neg_logit = gamma * np.maximum((1 + margin - d) * neg, 0) * (1 - margin - d)

    def lse(v, m):
        v = np.where(m, v, -np.inf)
        top = v.max(1, keepdims=True)
        return (top + np.log(np.exp(v - top).sum(1, keepdims=True)))[:, 0]

    expected = np.logaddexp(0.0, lse(pos_logit, pos) + lse(neg_logit, neg))
    np.testing.assert_allclose(_np(losses.circle(labels, x)), expected, rtol=1e-4)


def _ctc_numpy(labels, logits):
    """CTC negative log-likelihood by the forward algorithm (blank = 0)."""
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    out = []
    for seq, lp in zip(labels, log_probs):
        seq = [int(s) for s in seq if s != 0]
        ext = [0]
        for s in seq:
            ext += [s, 0]
        alpha = np.full(len(ext), -np.inf)
        alpha[0] = lp[0, 0]
        if len(ext) > 1:
            alpha[1] = lp[0, ext[1]]
        for t in range(1, len(lp)):
            new = np.full(len(ext), -np.inf)
            for s in range(len(ext)):
                terms = [alpha[s]] + ([alpha[s - 1]] if s > 0 else [])
                if s > 1 and ext[s] != 0 and ext[s] != ext[s - 2]:
                    terms.append(alpha[s - 2])
                new[s] = np.logaddexp.reduce(terms) + lp[t, ext[s]]
            alpha = new
        out.append(-np.logaddexp(alpha[-1], alpha[-2]) if len(ext) > 1 else -alpha[-1])
    return np.array(out)


def test_ctc_loss_matches_numpy_forward_algorithm(rng):
    labels = np.array([[1, 2, 2, 0], [3, 1, 0, 0]], dtype="int32")
    logits = rng.standard_normal((2, 8, 5)).astype("float32")
    np.testing.assert_allclose(_np(losses.ctc(labels, logits)), _ctc_numpy(labels, logits),
                               rtol=1e-4)
    np.testing.assert_allclose(float(losses.CTC()(labels, logits)),
                               _ctc_numpy(labels, logits).mean(), rtol=1e-4)


# --- reductions, sample weights and masks -------------------------------------------------
@pytest.mark.parametrize("reduction", ["sum", "sum_over_batch_size", "mean",
                                       "mean_with_sample_weight", "none", None])
def test_reductions_with_sample_weight(data, reduction):
    t, p = data["reg_true"], data["reg_pred"]
    sw = np.array([1.0, 0.0, 2.0, 0.5], dtype="float32")
    per_sample = ((p - t) ** 2).mean(-1) * sw
    expected = {"sum": per_sample.sum(), "sum_over_batch_size": per_sample.mean(),
                "mean": per_sample.mean(), "mean_with_sample_weight": per_sample.sum() / sw.sum(),
                "none": per_sample, None: per_sample}[reduction]
    got = losses.MeanSquaredError(reduction=reduction)(t, p, sample_weight=sw)
    np.testing.assert_allclose(_np(got), expected, rtol=1e-5)


def test_a_mask_on_the_prediction_limits_the_mean_to_valid_entries(data):
    t, p = data["reg_true"], data["reg_pred"]
    pred = ops.convert_to_tensor(p)
    pred._keras_mask = ops.convert_to_tensor(np.array([True, False, True, True]))
    per_sample = ((p - t) ** 2).mean(-1)
    np.testing.assert_allclose(float(losses.MeanSquaredError()(t, pred)),
                               per_sample[[0, 2, 3]].mean(), rtol=1e-5)


def test_loss_gradient_matches_numpy(data):
    t, p = data["reg_true"], data["reg_pred"]
    variable = cornu.Variable(p)
    import torch

    loss = losses.Huber(delta=0.5)(t, variable)
    (grad,) = torch.autograd.grad(loss, [variable])
    e = p - t
    expected = np.where(np.abs(e) <= 0.5, e, 0.5 * np.sign(e)) / e.size
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-5, atol=1e-7)


# --- configs and names --------------------------------------------------------------------
CLASS_CASES = [
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "bin"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "gamma": 1.5}, "bin"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "cat"),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5}, "cat"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, "sparse"),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}, "sparse"),
    ("KLDivergence", {}, "cat"), ("Poisson", {}, "bin"), ("MeanSquaredError", {}, "reg"),
    ("MeanAbsoluteError", {}, "reg"), ("MeanAbsolutePercentageError", {}, "reg"),
    ("MeanSquaredLogarithmicError", {}, "reg"), ("CosineSimilarity", {"axis": -1}, "reg"),
    ("Huber", {"delta": 0.5}, "reg"), ("LogCosh", {}, "reg"), ("Hinge", {}, "bin"),
    ("SquaredHinge", {}, "bin"), ("CategoricalHinge", {}, "cat"), ("Dice", {"axis": 1}, "bin"),
    ("Tversky", {"alpha": 0.3, "beta": 0.7}, "bin"), ("Circle", {"gamma": 10.0}, "embed"),
    ("CTC", {}, "ctc"),
]


def _inputs(kind, data, rng):
    if kind == "reg":
        return data["reg_true"], data["reg_pred"]
    if kind == "bin":
        return data["bin_true"], data["prob"]
    if kind == "cat":
        return data["onehot"], data["probs5"]
    if kind == "sparse":
        return data["labels"], data["probs5"]
    if kind == "embed":
        x = data["logits5"] / np.linalg.norm(data["logits5"], axis=1, keepdims=True)
        return np.array([0, 1, 0, 1]), x
    return np.array([[1, 2, 0], [3, 0, 0]], "int32"), rng.standard_normal((2, 6, 4)).astype(
        "float32")


def test_loss_class_config_round_trip_and_lookup(data, rng):
    # One test over all classes: the per-test fixtures cost more than the cases themselves.
    for name, kwargs, kind in CLASS_CASES:
        _check_config(name, kwargs, kind, data, rng)


def _check_config(name, kwargs, kind, data, rng):
    cls = getattr(losses, name)
    loss = cls(reduction="sum", **kwargs)
    config = loss.get_config()
    assert config["reduction"] == "sum"
    for key, value in kwargs.items():
        assert config[key] == value
    clone = cls.from_config(config)
    assert clone.get_config() == config, name
    restored = losses.deserialize(losses.serialize(loss))
    assert type(restored) is cls and restored.get_config() == config, name
    y_true, y_pred = _inputs(kind, data, rng)
    np.testing.assert_allclose(_np(clone(y_true, y_pred)), _np(loss(y_true, y_pred)), rtol=1e-6,
                               err_msg=name)
    assert type(losses.get(name)) is cls
    assert type(losses.get({"class_name": name, "config": config})) is cls


def test_every_keras_name_and_alias_resolves():
    functions = ["binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
                 "categorical_focal_crossentropy", "categorical_generalized_cross_entropy",
                 "sparse_categorical_crossentropy", "kl_divergence", "poisson",
                 "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                 "mean_squared_logarithmic_error", "cosine_similarity", "huber", "log_cosh",
                 "hinge", "squared_hinge", "categorical_hinge", "dice", "tversky", "circle",
                 "ctc"]
    for name in functions:
        assert losses.get(name) is getattr(losses, name)
    aliases = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
               "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
               "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
               "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
               "kld": "kl_divergence", "KLD": "kl_divergence", "bce": "binary_crossentropy",
               "BCE": "binary_crossentropy"}
    for alias, name in aliases.items():
        assert losses.get(alias) is getattr(losses, name)
        assert getattr(losses, alias) is getattr(losses, name)


def test_function_losses_serialize_by_name():
    config = losses.serialize(losses.huber)
    assert config["class_name"] == "function" and config["config"] == "huber"
    assert losses.deserialize(config) is losses.huber
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=0.3)
    restored = losses.LossFunctionWrapper.from_config(wrapper.get_config())
    assert restored.fn is losses.huber and restored.get_config()["delta"] == 0.3


def test_custom_loss_subclass(data):
    class Cubic(losses.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.abs(y_true - y_pred) ** 3, axis=-1)

    t, p = data["reg_true"], data["reg_pred"]
    np.testing.assert_allclose(float(Cubic()(t, p)), (np.abs(t - p) ** 3).mean(), rtol=1e-5)
    assert Cubic().name.startswith("cubic")


# --- bad input ----------------------------------------------------------------------------
def test_unknown_loss_name_suggests_close_matches():
    with pytest.raises(ValueError, match=r"Unknown loss 'mse_loss'\. Did you mean 'mse'"):
        losses.get("mse_loss")
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        losses.get("categorical_crosentropy")


def test_shapes_that_cannot_broadcast_are_named():
    with pytest.raises(ValueError, match=r"mean_squared_error.*y_true.shape=\(4, 3\).*"
                                         r"y_pred.shape=\(4, 2\)"):
        losses.MeanSquaredError()(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="categorical_crossentropy expects `y_true` one-hot"):
        losses.categorical_crossentropy(np.zeros((4,)), np.ones((4, 3)) / 3)


def test_sparse_labels_out_of_range_are_reported():
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\)"):
        losses.sparse_categorical_crossentropy(np.array([0, 5]), np.ones((2, 3)) / 3)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="y_pred.shape"):
        losses.ctc(np.zeros((2, 3), "int32"), np.zeros((2, 3)))
