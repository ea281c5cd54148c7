"""cornu.ops against NumPy and torch.nn.functional."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import ops

X = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
P = np.abs(X) + 0.1


@pytest.mark.parametrize("name,reference,arg", [
    ("exp", np.exp, X), ("log", np.log, P), ("sqrt", np.sqrt, P), ("abs", np.abs, X),
    ("square", np.square, X), ("tanh", np.tanh, X), ("sin", np.sin, X),
    ("floor", np.floor, X), ("sign", np.sign, X), ("negative", np.negative, X),
    ("log1p", np.log1p, P), ("reciprocal", np.reciprocal, P),
])
def test_elementwise_unary(name, reference, arg):
    out = ops.convert_to_numpy(getattr(ops, name)(arg))
    np.testing.assert_allclose(out, reference(arg), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,reference", [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("divide", np.divide), ("maximum", np.maximum), ("minimum", np.minimum),
    ("power", lambda a, b: np.power(np.abs(a), b)),
])
def test_elementwise_binary_with_broadcasting(name, reference):
    a, b = X, X[0]
    if name == "power":
        a = np.abs(a)
    out = ops.convert_to_numpy(getattr(ops, name)(a, b))
    np.testing.assert_allclose(out, reference(a, b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "var", "std"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True), ((0, 1), False)])
def test_reductions(name, axis, keepdims):
    out = ops.convert_to_numpy(getattr(ops, name)(X, axis=axis, keepdims=keepdims))
    expected = getattr(np, name)(X, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_shape_ops():
    t = ops.convert_to_tensor(X)
    assert ops.shape(ops.reshape(t, (2, -1))) == (2, 6)
    assert ops.shape(ops.transpose(t)) == (4, 3)
    assert ops.shape(ops.expand_dims(t, (0, 2))) == (1, 3, 1, 4)
    assert ops.shape(ops.concatenate([t, t], axis=1)) == (3, 8)
    assert ops.shape(ops.stack([t, t], axis=0)) == (2, 3, 4)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.where(X > 0, X, 0.0)),
                                  np.where(X > 0, X, 0.0))
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.clip(X, -0.5, 0.5)),
                                  np.clip(X, -0.5, 0.5))
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.argmax(X, axis=1)), X.argmax(1))
    np.testing.assert_allclose(ops.convert_to_numpy(ops.matmul(X, X.T)), X @ X.T, rtol=1e-5)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.take(X, [2, 0], axis=1)),
                                  np.take(X, [2, 0], axis=1))
    assert ops.dtype(ops.cast(t, "int32")) == "int32"
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.eye(3, 4, k=1)), np.eye(3, 4, k=1))


def test_comparisons_and_python_scalar_dtypes():
    assert ops.dtype(ops.convert_to_tensor(1.5)) == "float32"
    assert ops.dtype(ops.convert_to_tensor([1, 2])) == "int32"
    assert ops.dtype(ops.add(ops.convert_to_tensor([1, 2]), 0.5)) == "float32"
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.greater(X, 0)), X > 0)


@pytest.mark.parametrize("name,reference", [
    ("relu", F.relu), ("sigmoid", torch.sigmoid), ("softplus", F.softplus),
    ("softsign", F.softsign), ("silu", F.silu), ("elu", F.elu), ("selu", F.selu),
    ("log_sigmoid", F.logsigmoid), ("hard_sigmoid", lambda t: F.relu6(t + 3) / 6),
    ("gelu", lambda t: F.gelu(t, approximate="tanh")),
    ("leaky_relu", lambda t: F.leaky_relu(t, 0.2)),
    ("softmax", lambda t: F.softmax(t, dim=-1)), ("log_softmax", lambda t: F.log_softmax(t, -1)),
])
def test_nn_ops_match_torch(name, reference):
    out = ops.convert_to_numpy(getattr(ops, name)(X))
    np.testing.assert_allclose(out, reference(torch.tensor(X)).numpy(), rtol=1e-5, atol=1e-6)


def test_one_hot_treats_out_of_range_as_zero_rows():
    out = ops.convert_to_numpy(ops.one_hot(np.array([0, 2, -1]), 3))
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 0, 0]])


def test_crossentropy_kernels_match_torch():
    logits = torch.tensor(X)
    labels = torch.tensor([0, 3, 1])
    ours = ops.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    np.testing.assert_allclose(ops.convert_to_numpy(ours),
                               F.cross_entropy(logits, labels, reduction="none").numpy(),
                               rtol=1e-5)
    target = (X > 0).astype("float32")
    ours = ops.binary_crossentropy(target, X, from_logits=True)
    theirs = F.binary_cross_entropy_with_logits(logits, torch.tensor(target), reduction="none")
    np.testing.assert_allclose(ops.convert_to_numpy(ours), theirs.numpy(), rtol=1e-5)


def test_ops_on_symbolic_tensors_build_graph_nodes():
    inputs = cornu.Input((4,))
    out = ops.softmax(ops.matmul(inputs, ops.ones((4, 3))) * 2.0)
    assert out.shape == (None, 3)
    model = cornu.Model(inputs, out)
    result = ops.convert_to_numpy(model(X))
    np.testing.assert_allclose(result, ops.convert_to_numpy(ops.softmax(X @ np.ones((4, 3)) * 2)),
                               rtol=1e-6)
    with pytest.raises(TypeError, match="no truth value"):
        bool(inputs)
