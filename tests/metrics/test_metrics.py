"""Metrics: numbers against NumPy, state on the device, configs, lookup by name."""

import inspect

import numpy as np
import pytest
import torch

from cornu import metrics, ops

EPS = 1e-7


def _np(x):
    return ops.convert_to_numpy(x)


def _run(metric, batches):
    for batch in batches:
        metric.update_state(*batch)
    return _np(metric.result())


# --- accuracy ----------------------------------------------------------------------------
def test_accuracy_family_matches_numpy(rng):
    scores = rng.standard_normal((8, 5)).astype("float32")
    labels = rng.integers(0, 5, 8)
    onehot = np.eye(5, dtype="float32")[labels]
    rank = (scores > scores[np.arange(8), labels][:, None]).sum(-1)
    np.testing.assert_allclose(_run(metrics.SparseTopKCategoricalAccuracy(k=2),
                                    [(labels, scores)]), (rank < 2).mean(), rtol=1e-6)
    np.testing.assert_allclose(_run(metrics.TopKCategoricalAccuracy(k=3), [(onehot, scores)]),
                               (rank < 3).mean(), rtol=1e-6)
    np.testing.assert_allclose(_run(metrics.CategoricalAccuracy(), [(onehot, scores)]),
                               (scores.argmax(-1) == labels).mean(), rtol=1e-6)
    sorted_ids = np.argsort(-scores, axis=-1)
    np.testing.assert_allclose(
        _np(metrics.sparse_top_k_categorical_accuracy(labels, sorted_ids, k=2,
                                                      from_sorted_ids=True)),
        (rank < 2).astype("float32"))
    probs = rng.uniform(size=(6, 1)).astype("float32")
    targets = rng.integers(0, 2, (6, 1)).astype("float32")
    sw = np.array([1, 2, 0, 1, 1, 3], dtype="float32")
    hit = ((probs > 0.7) == targets)[:, 0]
    np.testing.assert_allclose(_run(metrics.BinaryAccuracy(threshold=0.7),
                                    [(targets, probs, sw)]), (hit * sw).sum() / sw.sum(),
                               rtol=1e-6)


# --- probabilistic, regression, correlation, hinge ----------------------------------------
def test_mean_metrics_accumulate_weighted_means(rng):
    t = rng.integers(0, 2, (5, 3)).astype("float32")
    p = rng.uniform(0.05, 0.95, (5, 3)).astype("float32")
    sw = rng.uniform(0.5, 2, 5).astype("float32")
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)
    got = _run(metrics.BinaryCrossentropy(), [(t[:2], p[:2], sw[:2]), (t[2:], p[2:], sw[2:])])
    np.testing.assert_allclose(got, (bce * sw).sum() / sw.sum(), rtol=1e-5)
    signed = 2 * t - 1
    np.testing.assert_allclose(_run(metrics.Hinge(), [(t, p)]),
                               np.maximum(1 - signed * p, 0).mean(), rtol=1e-5)
    np.testing.assert_allclose(_run(metrics.RootMeanSquaredError(), [(t[:2], p[:2]), (t[2:], p[2:])]),
                               np.sqrt(((t - p) ** 2).mean()), rtol=1e-5)
    cos = (t * p).sum(-1) / (np.linalg.norm(t, axis=-1).clip(EPS) * np.linalg.norm(p, axis=-1))
    np.testing.assert_allclose(_run(metrics.CosineSimilarity(), [(t, p)]), cos.mean(),
                               rtol=1e-5)
    np.testing.assert_allclose(_run(metrics.LogCoshError(), [(t, p)]),
                               np.log(np.cosh(p - t)).mean(), rtol=1e-5)


def test_sum_and_mean_with_sample_weights():
    assert float(_run(metrics.Sum(), [([1.0, 2.0, 3.0], [1.0, 0.0, 2.0])])) == 7.0
    mean = metrics.Mean()
    mean.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert float(mean.result()) == 2.0
    mean.reset_state()
    assert float(mean.result()) == 0.0


def test_r2_score_matches_numpy(rng):
    t = rng.standard_normal((10, 3)).astype("float32")
    p = (t + 0.3 * rng.standard_normal((10, 3))).astype("float32")
    ss_res = ((t - p) ** 2).sum(0)
    ss_tot = ((t - t.mean(0)) ** 2).sum(0)
    raw = 1 - ss_res / ss_tot
    got = _run(metrics.R2Score(), [(t[:4], p[:4]), (t[4:], p[4:])])
    np.testing.assert_allclose(got, raw.mean(), rtol=1e-4)
    got = _run(metrics.R2Score(class_aggregation="variance_weighted_average"), [(t, p)])
    np.testing.assert_allclose(got, (raw * ss_tot).sum() / ss_tot.sum(), rtol=1e-4)
    adjusted = 1 - (1 - raw.mean()) * (30 - 1) / (30 - 2 - 1)
    np.testing.assert_allclose(_run(metrics.R2Score(num_regressors=2), [(t, p)]), adjusted,
                               rtol=1e-4)


def test_correlations_match_numpy(rng):
    t = rng.standard_normal((4, 6)).astype("float32")
    p = (t + rng.standard_normal((4, 6))).astype("float32")
    pearson = [np.corrcoef(a, b)[0, 1] for a, b in zip(t, p)]
    np.testing.assert_allclose(_np(metrics.pearson_correlation(t, p)), pearson, rtol=1e-4)
    tm, pm = t.mean(-1, keepdims=True), p.mean(-1, keepdims=True)
    # Keras 3's formula (its covariance centres y_true on the mean of y_pred).
    ccc = (2 * (t - pm) * (p - pm) / (t.var(-1, keepdims=True) + p.var(-1, keepdims=True)
                                      + (tm - pm) ** 2 + EPS)).mean(-1)
    np.testing.assert_allclose(_np(metrics.concordance_correlation(t, p)), ccc, rtol=1e-4)
    np.testing.assert_allclose(_run(metrics.PearsonCorrelation(), [(t, p)]), np.mean(pearson),
                               rtol=1e-4)


# --- confusion matrix ---------------------------------------------------------------------
def _counts(t, p, thresholds, sw=None):
    sw = np.ones_like(p) if sw is None else np.broadcast_to(sw[:, None], p.shape)
    pos = p.ravel()[None] > np.asarray(thresholds)[:, None]
    label = t.ravel()[None].astype(bool)
    w = sw.ravel()[None]
    return {"tp": (pos & label) @ w[0], "fp": (pos & ~label) @ w[0],
            "fn": (~pos & label) @ w[0], "tn": (~pos & ~label) @ w[0]}


@pytest.fixture
def binary(rng):
    t = rng.integers(0, 2, (16, 3)).astype("float32")
    p = np.round(rng.uniform(size=(16, 3)), 3).astype("float32")
    sw = rng.uniform(0.5, 2, 16).astype("float32")
    return t, p, sw


def test_confusion_counts_precision_recall_match_numpy(binary):
    t, p, sw = binary
    thresholds = [0.3, 0.6]
    c = _counts(t, p, thresholds, sw)
    batches = [(t[:7], p[:7], sw[:7]), (t[7:], p[7:], sw[7:])]
    for cls, key in ((metrics.TruePositives, "tp"), (metrics.FalsePositives, "fp"),
                     (metrics.TrueNegatives, "tn"), (metrics.FalseNegatives, "fn")):
        np.testing.assert_allclose(_run(cls(thresholds=thresholds), batches), c[key], rtol=1e-5)
    np.testing.assert_allclose(_run(metrics.Precision(thresholds=thresholds), batches),
                               c["tp"] / (c["tp"] + c["fp"]), rtol=1e-5)
    np.testing.assert_allclose(_run(metrics.Recall(thresholds=thresholds), batches),
                               c["tp"] / (c["tp"] + c["fn"]), rtol=1e-5)
    # class_id looks at one column; top_k keeps the k highest scores of each row.
    c2 = _counts(t[:, 2:], p[:, 2:], [0.5])
    np.testing.assert_allclose(_run(metrics.Recall(class_id=2), [(t, p)]),
                               c2["tp"][0] / (c2["tp"][0] + c2["fn"][0]), rtol=1e-5)
    top = np.argsort(-p, axis=1)[:, :1]
    in_top = np.zeros_like(t, dtype=bool)
    np.put_along_axis(in_top, top, True, axis=1)
    tp = (in_top & (t > 0)).sum()
    np.testing.assert_allclose(_run(metrics.Precision(top_k=1), [(t, p)]), tp / in_top.sum(),
                               rtol=1e-5)


def _numpy_auc(t, p, num_thresholds=200, curve="ROC", summation="interpolation"):
    eps = 1e-7
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    thresholds = np.array([-eps] + inner + [1 + eps], dtype="float32")
    c = _counts(t, p, thresholds)
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    recall = tp / np.maximum(tp + fn, 1e-30)
    if curve == "ROC":
        x, y = fp / np.maximum(fp + tn, 1e-30), recall
    else:
        x, y = recall, np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-30), 0)
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "majoring": np.maximum(y[:-1], y[1:]),
               "minoring": np.minimum(y[:-1], y[1:])}[summation]
    return ((x[:-1] - x[1:]) * heights).sum()


@pytest.mark.parametrize("curve,summation", [("ROC", "interpolation"), ("ROC", "majoring"),
                                             ("PR", "minoring")])
def test_auc_matches_a_numpy_riemann_sum(binary, curve, summation):
    t, p, _ = binary
    m = metrics.AUC(curve=curve, summation_method=summation)
    got = _run(m, [(t[:5], p[:5]), (t[5:], p[5:])])
    np.testing.assert_allclose(got, _numpy_auc(t, p, 200, curve, summation), rtol=1e-4)


def test_auc_roc_approaches_the_exact_rank_statistic(rng):
    t = rng.integers(0, 2, 400)
    p = np.clip(0.3 * t + rng.uniform(size=400) * 0.7, 0, 1).astype("float32")
    pos, neg = p[t == 1], p[t == 0]
    exact = (pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean()
    got = _run(metrics.AUC(num_thresholds=1000), [(t, p)])
    np.testing.assert_allclose(got, exact, atol=2e-3)


def test_auc_multi_label_and_explicit_thresholds(binary):
    t, p, _ = binary
    multi = _run(metrics.AUC(multi_label=True, num_labels=3), [(t, p)])
    per_label = [_numpy_auc(t[:, i:i + 1], p[:, i:i + 1]) for i in range(3)]
    np.testing.assert_allclose(multi, np.mean(per_label), rtol=1e-4)
    m = metrics.AUC(thresholds=[0.25, 0.5, 0.75])
    assert m.num_thresholds == 5
    np.testing.assert_allclose(_run(m, [(t, p)]), _numpy_auc(t, p, 5), rtol=1e-4)


def test_operating_point_metrics_match_numpy(binary):
    t, p, _ = binary
    thresholds = np.arange(200) / 199
    c = _counts(t, p, thresholds)
    recall = c["tp"] / np.maximum(c["tp"] + c["fn"], 1e-30)
    spec = c["tn"] / np.maximum(c["tn"] + c["fp"], 1e-30)
    prec = np.where(c["tp"] + c["fp"] > 0, c["tp"] / np.maximum(c["tp"] + c["fp"], 1e-30), 0)
    cases = [(metrics.SensitivityAtSpecificity(0.6), spec, recall),
             (metrics.SpecificityAtSensitivity(0.6), recall, spec),
             (metrics.PrecisionAtRecall(0.5), recall, prec),
             (metrics.RecallAtPrecision(0.5), prec, recall)]
    for metric, constrained, dependent in cases:
        expected = np.max(np.where(constrained >= metric.value, dependent, 0), initial=0)
        np.testing.assert_allclose(_run(metric, [(t, p)]), expected, rtol=1e-5,
                                   err_msg=type(metric).__name__)


def test_f_scores_match_numpy(binary):
    t, p, sw = binary
    pred = (p > 0.4).astype("float32")
    tp, fp, fn = (pred * t).sum(0), (pred * (1 - t)).sum(0), ((1 - pred) * t).sum(0)
    precision, recall = tp / (tp + fp + EPS), tp / (tp + fn + EPS)

    def fbeta(b):
        return (1 + b * b) * precision * recall / (b * b * precision + recall + EPS)

    np.testing.assert_allclose(_run(metrics.FBetaScore(beta=2.0, threshold=0.4), [(t, p)]),
                               fbeta(2.0), rtol=1e-5)
    np.testing.assert_allclose(
        _run(metrics.F1Score(average="macro", threshold=0.4), [(t[:8], p[:8]), (t[8:], p[8:])]),
        fbeta(1.0).mean(), rtol=1e-5)
    weights = t.sum(0) / t.sum()
    np.testing.assert_allclose(_run(metrics.F1Score(average="weighted", threshold=0.4),
                                    [(t, p)]), (fbeta(1.0) * weights).sum(), rtol=1e-5)
    # Without a threshold, the highest score of each row is the predicted class.
    top = (p == p.max(-1, keepdims=True)).astype("float32")
    tp_all = (top * t).sum()
    micro_p, micro_r = tp_all / top.sum(), tp_all / t.sum()
    np.testing.assert_allclose(_run(metrics.F1Score(average="micro"), [(t, p)]),
                               2 * micro_p * micro_r / (micro_p + micro_r), rtol=1e-4)


def test_iou_family_matches_numpy(rng):
    t = rng.integers(0, 3, 20)
    p = rng.integers(0, 3, 20)
    cm = np.zeros((3, 3))
    np.add.at(cm, (t, p), 1)
    iou = np.diag(cm) / (cm.sum(0) + cm.sum(1) - np.diag(cm))
    np.testing.assert_allclose(_run(metrics.MeanIoU(3), [(t[:9], p[:9]), (t[9:], p[9:])]),
                               iou.mean(), rtol=1e-5)
    np.testing.assert_allclose(_run(metrics.IoU(3, [0, 2]), [(t, p)]), iou[[0, 2]].mean(),
                               rtol=1e-5)
    onehot, scores = np.eye(3)[t], np.eye(3)[p] * 0.8 + 0.05
    np.testing.assert_allclose(_run(metrics.OneHotMeanIoU(3), [(onehot, scores)]), iou.mean(),
                               rtol=1e-5)
    np.testing.assert_allclose(_run(metrics.OneHotIoU(3, [1]), [(onehot, scores)]), iou[1],
                               rtol=1e-5)
    probs = rng.uniform(size=20).astype("float32")
    labels = rng.integers(0, 2, 20)
    pred = (probs >= 0.3).astype(int)
    bcm = np.zeros((2, 2))
    np.add.at(bcm, (labels, pred), 1)
    biou = np.diag(bcm) / (bcm.sum(0) + bcm.sum(1) - np.diag(bcm))
    np.testing.assert_allclose(_run(metrics.BinaryIoU(threshold=0.3), [(labels, probs)]),
                               biou.mean(), rtol=1e-5)
    # Out-of-range ids and ignore_class entries are left out.
    m = metrics.MeanIoU(3, ignore_class=0)
    np.testing.assert_allclose(_run(m, [(np.append(t, 7), np.append(p, 1))]),
                               _run(metrics.MeanIoU(3), [(t[t != 0], p[t != 0])]), rtol=1e-5)


# --- running on the device ----------------------------------------------------------------
STATEFUL_CASES = [
    (metrics.AUC, {}, "bin"), (metrics.AUC, {"multi_label": True, "num_labels": 3}, "bin"),
    (metrics.AUC, {"thresholds": [0.3, 0.5]}, "bin"), (metrics.Precision, {"top_k": 2}, "bin"),
    (metrics.Recall, {"thresholds": [0.2, 0.7]}, "bin"),
    (metrics.SensitivityAtSpecificity, {"specificity": 0.5}, "bin"),
    (metrics.TruePositives, {}, "bin"), (metrics.F1Score, {}, "bin"),
    (metrics.FBetaScore, {"beta": 2.0, "average": "micro", "threshold": 0.5}, "bin"),
    (metrics.R2Score, {}, "reg"), (metrics.MeanIoU, {"num_classes": 3}, "ids"),
    (metrics.BinaryIoU, {}, "bin"), (metrics.OneHotIoU, {"num_classes": 3,
                                                         "target_class_ids": [1]}, "bin"),
    (metrics.SparseCategoricalAccuracy, {}, "sparse"),
    (metrics.SparseTopKCategoricalAccuracy, {"k": 2}, "sparse"),
    (metrics.CategoricalCrossentropy, {"from_logits": True}, "cat"),
    (metrics.RootMeanSquaredError, {}, "reg"), (metrics.Hinge, {}, "bin"),
    (metrics.PearsonCorrelation, {}, "reg"), (metrics.Mean, {}, "values"),
]


def _metric_inputs(kind, rng):
    if kind == "bin":
        return (rng.integers(0, 2, (8, 3)).astype("float32"),
                rng.uniform(size=(8, 3)).astype("float32"))
    if kind == "reg":
        return rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal(
            (8, 3)).astype("float32")
    if kind == "ids":
        return rng.integers(0, 3, 8), rng.integers(0, 3, 8)
    if kind == "sparse":
        return rng.integers(0, 3, 8), rng.standard_normal((8, 3)).astype("float32")
    if kind == "cat":
        return np.eye(3, dtype="float32")[rng.integers(0, 3, 8)], rng.standard_normal(
            (8, 3)).astype("float32")
    return (rng.standard_normal(8).astype("float32"),)


def test_update_state_never_reads_back_to_the_host(rng):
    # One test over all cases: the per-test fixtures cost more than the cases themselves.
    for cls, kwargs, kind in STATEFUL_CASES:
        _check_no_host_reads(cls, kwargs, kind, rng)


def _check_no_host_reads(cls, kwargs, kind, rng):
    metric = cls(**kwargs)
    args = [ops.convert_to_tensor(a) for a in _metric_inputs(kind, rng)]
    metric.update_state(*args)  # the first update may create state
    expected = _np(metric.result())
    metric.reset_state()
    with pytest.MonkeyPatch.context() as mp:
        def refuse(*a, **k):
            raise AssertionError(f"{cls.__name__}.update_state read a tensor back to the host")

        # Any of these on a tensor would wait for the device and copy to the host.
        for attr in ("item", "__bool__", "numpy", "tolist", "__float__", "__int__"):
            mp.setattr(torch.Tensor, attr, refuse)
        metric.update_state(*args)
    np.testing.assert_allclose(_np(metric.result()), expected, rtol=1e-6,
                               err_msg=cls.__name__)


# --- configs and names --------------------------------------------------------------------
CONFIG_CASES = [
    ("Accuracy", {}), ("BinaryAccuracy", {"threshold": 0.3}), ("CategoricalAccuracy", {}),
    ("SparseCategoricalAccuracy", {}), ("TopKCategoricalAccuracy", {"k": 3}),
    ("SparseTopKCategoricalAccuracy", {"k": 2, "from_sorted_ids": True}),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}), ("KLDivergence", {}),
    ("Poisson", {}), ("MeanSquaredError", {}), ("RootMeanSquaredError", {}),
    ("MeanAbsoluteError", {}), ("MeanAbsolutePercentageError", {}),
    ("MeanSquaredLogarithmicError", {}), ("CosineSimilarity", {}), ("LogCoshError", {}),
    ("R2Score", {"class_aggregation": None, "num_regressors": 1}),
    ("PearsonCorrelation", {"axis": 0}), ("ConcordanceCorrelation", {}),
    ("AUC", {"curve": "PR", "summation_method": "majoring", "num_thresholds": 50}),
    ("AUC", {"thresholds": [0.1, 0.5], "multi_label": True, "label_weights": [1.0, 2.0]}),
    ("TruePositives", {"thresholds": [0.2, 0.4]}), ("FalsePositives", {}),
    ("TrueNegatives", {}), ("FalseNegatives", {"thresholds": 0.7}),
    ("Precision", {"top_k": 2, "class_id": 1}), ("Recall", {"thresholds": [0.3, 0.6]}),
    ("PrecisionAtRecall", {"recall": 0.4}), ("RecallAtPrecision", {"precision": 0.6}),
    ("SensitivityAtSpecificity", {"specificity": 0.5, "num_thresholds": 20}),
    ("SpecificityAtSensitivity", {"sensitivity": 0.5, "class_id": 0}),
    ("F1Score", {"average": "macro", "threshold": 0.5}),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2], "ignore_class": 1}),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.4}), ("MeanIoU", {"num_classes": 4}),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}),
    ("OneHotMeanIoU", {"num_classes": 3}), ("Hinge", {}), ("SquaredHinge", {}),
    ("CategoricalHinge", {}), ("Mean", {}), ("Sum", {}),
]


def test_metric_config_round_trip_and_lookup():
    for name, kwargs in CONFIG_CASES:
        _check_config(name, kwargs)


def _check_config(name, kwargs):
    cls = getattr(metrics, name)
    metric = cls(name="custom_name", **kwargs)
    config = metric.get_config()
    assert config["name"] == "custom_name"
    for key, value in kwargs.items():
        assert config[key] == value, (name, key)
    clone = cls.from_config(config)
    assert clone.get_config() == config, name
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is cls and restored.get_config() == config, name
    required = [p for p in inspect.signature(cls).parameters.values()
                if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
    if not required:
        assert type(metrics.get(name)) is cls


def test_keras_names_and_aliases_resolve():
    assert isinstance(metrics.get("auc"), metrics.AUC)
    for alias, cls in {"mse": metrics.MeanSquaredError, "MAE": metrics.MeanAbsoluteError,
                       "mape": metrics.MeanAbsolutePercentageError,
                       "msle": metrics.MeanSquaredLogarithmicError,
                       "bce": metrics.BinaryCrossentropy, "binary_crossentropy":
                       metrics.BinaryCrossentropy, "accuracy": metrics.Accuracy,
                       "root_mean_squared_error": metrics.RootMeanSquaredError,
                       "precision": metrics.Precision, "f1_score": metrics.F1Score}.items():
        assert type(metrics.get(alias)) is cls, alias
    assert metrics.get("huber") is metrics.huber
    wrapper = metrics.MeanMetricWrapper(metrics.huber, name="h", delta=0.5)
    clone = metrics.MeanMetricWrapper.from_config(wrapper.get_config())
    assert clone._fn is metrics.huber and clone.get_config()["delta"] == 0.5


def test_default_names_are_unique_like_keras():
    assert metrics.Precision().name == "precision"
    assert metrics.Precision().name == "precision_1"
    assert metrics.MeanIoU(2).name == "mean_io_u"


def test_bad_arguments_are_reported():
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'. Did you mean 'accuracy'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XYZ")
    with pytest.raises(ValueError, match="`num_labels` is needed only"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="Target class id 5 is out of range"):
        metrics.IoU(3, [5])
    with pytest.raises(ValueError, match="beta"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="specificity"):
        metrics.SensitivityAtSpecificity(1.5)
