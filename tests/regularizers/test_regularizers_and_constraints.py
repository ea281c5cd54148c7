"""Regularizers and constraints: formulas against NumPy, names, configs, use in training."""

import numpy as np
import pytest

import cornu
from cornu import constraints, ops, regularizers


def _np(x):
    return ops.convert_to_numpy(x)


def test_regularizers_match_numpy(rng):
    w = rng.standard_normal((4, 3)).astype("float32")
    np.testing.assert_allclose(float(regularizers.L1(0.1)(w)), 0.1 * np.abs(w).sum(), rtol=1e-5)
    np.testing.assert_allclose(float(regularizers.L2(0.2)(w)), 0.2 * (w ** 2).sum(), rtol=1e-5)
    np.testing.assert_allclose(float(regularizers.L1L2(0.1, 0.2)(w)),
                               0.1 * np.abs(w).sum() + 0.2 * (w ** 2).sum(), rtol=1e-5)
    for mode, x in (("rows", w), ("columns", w.T)):
        n = x / np.linalg.norm(x, axis=1, keepdims=True)
        product = n @ n.T
        size = product.shape[0]
        expected = 0.3 * np.abs(product * (1 - np.eye(size))).sum() / (size * (size - 1))
        np.testing.assert_allclose(float(regularizers.OrthogonalRegularizer(0.3, mode)(w)),
                                   expected, rtol=1e-5)


def test_constraints_match_numpy(rng):
    w = rng.standard_normal((4, 3)).astype("float32") * 2
    norms = np.linalg.norm(w, axis=0, keepdims=True)
    eps = 1e-7
    np.testing.assert_allclose(_np(constraints.MaxNorm(1.5)(w)),
                               w * np.clip(norms, 0, 1.5) / (eps + norms), rtol=1e-5)
    desired = 0.5 * np.clip(norms, 0.5, 1.0) + 0.5 * norms
    np.testing.assert_allclose(_np(constraints.MinMaxNorm(0.5, 1.0, rate=0.5)(w)),
                               w * desired / (eps + norms), rtol=1e-5)
    np.testing.assert_allclose(_np(constraints.NonNeg()(w)), np.maximum(w, 0))
    row_norms = np.linalg.norm(w, axis=1, keepdims=True)
    np.testing.assert_allclose(_np(constraints.UnitNorm(axis=1)(w)), w / (eps + row_norms),
                               rtol=1e-5)


def test_names_configs_and_lookup():
    for obj in (regularizers.L1(0.3), regularizers.L2(0.1), regularizers.L1L2(0.1, 0.2),
                regularizers.OrthogonalRegularizer(0.2, "columns")):
        config = regularizers.serialize(obj)
        assert regularizers.deserialize(config).get_config() == obj.get_config()
    for name, cls in {"l1": regularizers.L1, "l2": regularizers.L2, "l1l2": regularizers.L1L2,
                      "l1_l2": regularizers.L1L2, "L1L2": regularizers.L1L2,
                      "orthogonal_regularizer": regularizers.OrthogonalRegularizer}.items():
        assert type(regularizers.get(name)) is cls
    assert regularizers.l1_l2(l1=0.1).get_config() == {"l1": 0.1, "l2": 0.0}
    for obj in (constraints.MaxNorm(3, axis=1), constraints.MinMaxNorm(0.1, 2.0, 0.5),
                constraints.NonNeg(), constraints.UnitNorm(axis=[0, 1])):
        restored = constraints.deserialize(constraints.serialize(obj))
        assert type(restored) is type(obj) and restored.get_config() == obj.get_config()
    for name, cls in {"max_norm": constraints.MaxNorm, "min_max_norm": constraints.MinMaxNorm,
                      "non_neg": constraints.NonNeg, "unit_norm": constraints.UnitNorm,
                      "NonNeg": constraints.NonNeg}.items():
        assert type(constraints.get(name)) is cls
    assert constraints.max_norm is constraints.MaxNorm


def test_applied_during_training(rng):
    x = rng.standard_normal((16, 4)).astype("float32")
    y = rng.standard_normal((16, 2)).astype("float32")
    dense = cornu.layers.Dense(2, kernel_regularizer="l2", kernel_constraint="non_neg")
    model = cornu.Sequential([cornu.Input((4,)), dense])
    model.compile(optimizer="sgd", loss="mse")
    kernel = dense.kernel.numpy()
    penalty = float(ops.convert_to_numpy(sum(model.losses)))
    np.testing.assert_allclose(penalty, 0.01 * (kernel ** 2).sum(), rtol=1e-5)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert (dense.kernel.numpy() >= 0).all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="l1"):
        regularizers.L1(-0.1)
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="rank 2|2-D"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 2, 2), "float32"))
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'"):
        regularizers.get("l3")
