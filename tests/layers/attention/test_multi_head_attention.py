"""MultiHeadAttention: NumPy reference, fused vs explicit paths, masks, config, errors."""

import numpy as np
import pytest
import torch

import cornu
from cornu import ops
from cornu.layers import MultiHeadAttention


def numpy_mha(layer, q, v, k=None, mask=None):
    """Keras's MHA in float64 NumPy from the layer's weights (rank-3 inputs, with bias)."""
    k = v if k is None else k
    wq, bq, wk, bk, wv, bv, wo, bo = (w.astype(np.float64) for w in layer.get_weights())
    qp = np.einsum("btd,dnh->btnh", q, wq) + bq
    kp = np.einsum("bsd,dnh->bsnh", k, wk) + bk
    vp = np.einsum("bsd,dnh->bsnh", v, wv) + bv
    logits = np.einsum("btnh,bsnh->bnts", qp, kp) / np.sqrt(wq.shape[-1])
    if mask is not None:
        logits = np.where(mask[:, None], logits, -1e9)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    if mask is not None:
        weights = np.where(mask[:, None], weights, 0.0)
    out = np.einsum("bnts,bsnh->btnh", weights, vp)
    return np.einsum("btnh,nhd->btd", out, wo) + bo, weights


@pytest.fixture
def inputs(rng):
    return (rng.standard_normal((2, 4, 5)).astype("float32"),
            rng.standard_normal((2, 6, 5)).astype("float32"))


def _tensor(x, mask=None):
    t = ops.convert_to_tensor(x)
    if mask is not None:
        t._keras_mask = ops.convert_to_tensor(mask)
    return t


def test_weights_in_keras_layout(inputs):
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=7)
    layer(*inputs)
    assert [tuple(w.shape) for w in layer.weights] == [
        (5, 2, 3), (2, 3), (5, 2, 3), (2, 3), (5, 2, 4), (2, 4), (2, 4, 7), (7,)]
    assert [sub.name for sub in (layer.query_dense, layer.key_dense, layer.value_dense,
                                 layer.output_dense)] == ["query", "key", "value",
                                                          "attention_output"]


def test_gate_weights_sit_between_key_and_value(inputs):
    layer = MultiHeadAttention(num_heads=2, key_dim=3, use_gate=True)
    layer(*inputs)
    assert [v.name for v in layer.weights] == ["kernel", "bias"] * 5
    assert tuple(layer.weights[4].shape) == (5, 2, 3)  # gate kernel


@pytest.mark.parametrize("scores", [False, True])
def test_matches_numpy_reference(inputs, rng, scores):
    q, v = inputs
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    mask = rng.random((2, 4, 6)) > 0.3
    mask[..., 0] = True
    got = layer(q, v, attention_mask=mask, return_attention_scores=scores)
    want, weights = numpy_mha(layer, q, v, mask=mask)
    out = got[0] if scores else got
    np.testing.assert_allclose(ops.convert_to_numpy(out), want, rtol=1e-5, atol=1e-5)
    if scores:
        np.testing.assert_allclose(ops.convert_to_numpy(got[1]), weights, rtol=1e-5, atol=1e-6)


MASK_SETTINGS = ["none", "query_mask", "value_mask", "attention_mask", "causal",
                 "causal_and_value_mask", "key", "sliding_window"]


def _call_args(setting, rng, q, v):
    qm = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    vm = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
    q_t, v_t, kwargs = _tensor(q), _tensor(v), {}
    if setting == "query_mask":
        q_t = _tensor(q, qm)
    if setting in ("value_mask", "causal_and_value_mask"):
        v_t = _tensor(v, vm)
    if setting == "attention_mask":
        mask = rng.random((2, 4, 6)) > 0.3
        mask[..., 0] = True
        kwargs["attention_mask"] = mask
    if setting.startswith("causal"):
        kwargs["use_causal_mask"] = True
    if setting == "key":
        kwargs["key"] = _tensor(rng.standard_normal((2, 6, 3)).astype("float32"), vm)
    return q_t, v_t, kwargs


@pytest.mark.parametrize("setting", MASK_SETTINGS)
def test_fused_and_explicit_paths_agree(inputs, rng, setting, monkeypatch):
    """Forward and gradients of the fused kernel equal the explicit einsum/softmax path."""
    q, v = inputs
    layer = MultiHeadAttention(num_heads=2, key_dim=3,
                               sliding_window=2 if setting == "sliding_window" else None)
    calls = []
    fused_op = ops.dot_product_attention
    monkeypatch.setattr(cornu.ops, "dot_product_attention",
                        lambda *a, **k: calls.append(1) or fused_op(*a, **k))

    def run(scores):
        q_t, v_t, kwargs = _call_args(setting, rng=np.random.default_rng(1), q=q, v=v)
        leaves = [q_t.requires_grad_(), v_t.requires_grad_()]
        out = layer(q_t, v_t, return_attention_scores=scores, **kwargs)
        out = out[0] if scores else out
        up = torch.tensor(np.random.default_rng(2).standard_normal(tuple(out.shape)),
                          dtype=torch.float32)
        if setting == "query_mask":
            # Fully masked query rows are padding, where Keras's two paths differ on purpose
            # (see test_fully_masked_query_rows_follow_keras): compare the real rows only.
            up = up * q_t._keras_mask[..., None]
            out = out * q_t._keras_mask[..., None]
        grads = torch.autograd.grad((out * up).sum(), leaves + layer.trainable_weights)
        return [ops.convert_to_numpy(out)] + [g.numpy() for g in grads]

    fused = run(scores=False)
    assert calls, "the fused kernel did not run"
    calls.clear()
    explicit = run(scores=True)
    assert not calls, "the explicit path called the fused kernel"
    for a, b in zip(fused, explicit):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_fully_masked_query_rows_follow_keras(inputs):
    """Keras: uniform average on its fused path, zeros on its explicit path (dropout > 0)."""
    q, v = inputs
    qm = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    plain = MultiHeadAttention(num_heads=2, key_dim=3)
    plain(q, v)
    with_dropout = MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5)
    with_dropout(q, v)
    with_dropout.set_weights(plain.get_weights())
    fused = ops.convert_to_numpy(plain(_tensor(q, qm), v))
    assert not np.allclose(fused[0, 2], numpy_mha(plain, q, v)[0][0, 2])
    # The masked rows all equal the uniform average: same value for rows 2 and 3.
    np.testing.assert_allclose(fused[0, 2], fused[0, 3], rtol=1e-6)
    explicit = ops.convert_to_numpy(with_dropout(_tensor(q, qm), v, training=False))
    bias = plain.get_weights()[-1]
    np.testing.assert_allclose(explicit[0, 2:], np.broadcast_to(bias, (2, 5)), atol=1e-6)
    np.testing.assert_allclose(explicit[:, :2], fused[:, :2], rtol=1e-5, atol=1e-6)
    _, scores = with_dropout(_tensor(q, qm), v, return_attention_scores=True)
    assert not ops.convert_to_numpy(scores)[0, :, 2:].any()


def test_output_carries_query_mask(inputs):
    q, v = inputs
    qm = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    out = MultiHeadAttention(num_heads=2, key_dim=3)(_tensor(q, qm), v)
    np.testing.assert_array_equal(ops.convert_to_numpy(out._keras_mask), qm)


def test_dropout_runs_explicit_path_in_training(inputs, monkeypatch):
    q, v = inputs
    layer = MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=3)
    calls = []
    fused_op = ops.dot_product_attention
    monkeypatch.setattr(cornu.ops, "dot_product_attention",
                        lambda *a, **k: calls.append(1) or fused_op(*a, **k))
    a = ops.convert_to_numpy(layer(q, v, training=True))
    assert not calls
    b = ops.convert_to_numpy(layer(q, v, training=False))
    assert calls
    assert not np.allclose(a, b)


def test_multi_axis_attention_matches_flattened_attention(rng):
    """Attention over axes (1, 2) equals attention over their flattened product."""
    q = rng.standard_normal((2, 3, 2, 5)).astype("float32")
    v = rng.standard_normal((2, 2, 3, 5)).astype("float32")
    layer = MultiHeadAttention(num_heads=2, key_dim=2)
    out, scores = layer(q, v, return_attention_scores=True)
    assert tuple(scores.shape) == (2, 2, 3, 2, 2, 3)
    flat = MultiHeadAttention(num_heads=2, key_dim=2)
    flat(q.reshape(2, 6, 5), v.reshape(2, 6, 5))
    flat.set_weights(layer.get_weights())
    want = ops.convert_to_numpy(flat(q.reshape(2, 6, 5), v.reshape(2, 6, 5)))
    np.testing.assert_allclose(ops.convert_to_numpy(out).reshape(2, 6, 5), want, rtol=1e-5,
                               atol=1e-5)


def test_attention_axes_as_batch_axis(rng):
    """attention_axes=(2,) on rank 4: axis 1 acts as a batch axis."""
    q = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    v = rng.standard_normal((2, 3, 6, 5)).astype("float32")
    layer = MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=2)
    out = ops.convert_to_numpy(layer(q, v))
    ref = MultiHeadAttention(num_heads=2, key_dim=2)
    ref(q[:, 0], v[:, 0])
    ref.set_weights(layer.get_weights())
    for i in range(3):
        np.testing.assert_allclose(out[:, i], ops.convert_to_numpy(ref(q[:, i], v[:, i])),
                                   rtol=1e-5, atol=1e-5)


def test_functional_model_trains_and_round_trips_config(rng):
    inputs = cornu.Input((6, 8))
    x, scores = MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(
        inputs, inputs, use_causal_mask=True, return_attention_scores=True)
    assert x.shape == (None, 6, 8) and scores.shape == (None, 2, 6, 6)
    outputs = cornu.layers.Dense(1)(cornu.layers.Flatten()(x))
    model = cornu.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    data = rng.standard_normal((8, 6, 8)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    model.fit(data, np.ones((8, 1), "float32"), epochs=1, batch_size=4, verbose=0)
    changed = [not np.allclose(a, b) for a, b in zip(before, model.get_weights())]
    # The key bias shifts every score of a query equally, so softmax gives it no gradient.
    assert changed[:8] == [True, True, True, False, True, True, True, True]

    layer = model.get_layer("mha") if hasattr(model, "get_layer") else model.layers[1]
    config = layer.get_config()
    assert config["attention_axes"] == (1,)
    clone = MultiHeadAttention.from_config(config)
    clone(data, data)
    assert clone.get_config() | {"name": None} == config | {"name": None}
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(clone(data, data)),
                               ops.convert_to_numpy(layer(data, data)), rtol=1e-6, atol=1e-6)


def test_compute_output_shape():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, output_shape=(2, 3))
    assert layer.compute_output_shape((None, 4, 5), (None, 6, 5)) == (None, 4, 2, 3)


@pytest.mark.parametrize("kwargs,match", [
    ({"num_heads": 2, "key_dim": 0}, "key_dim"),
    ({"num_heads": 2, "key_dim": -3}, "key_dim"),
    ({"num_heads": 2, "key_dim": 2.5}, "key_dim"),
    ({"num_heads": 0, "key_dim": 2}, "num_heads"),
    ({"num_heads": 2, "key_dim": 2, "value_dim": 0}, "value_dim"),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": "x"}, "attention_axes"),
    ({"num_heads": 2, "key_dim": 2, "dropout": 0.2, "flash_attention": True}, "flash"),
    ({"num_heads": 2, "key_dim": 2, "dropout": 2.0}, "dropout"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MultiHeadAttention(**kwargs)


@pytest.mark.parametrize("axes", [0, 2, -1, 5, (1, 1)])
def test_attention_axes_out_of_range(inputs, axes):
    layer = MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=axes, name="mha")
    with pytest.raises(ValueError, match=r"MultiHeadAttention 'mha'.*attention_axes.*\[1, 1\]"):
        layer(*inputs)


def test_incompatible_masks(inputs):
    q, v = inputs
    layer = MultiHeadAttention(num_heads=2, key_dim=3, name="mha")
    with pytest.raises(ValueError, match=r"'mha'.*does not broadcast.*\(2, 2, 4, 6\).*\(2, 4, 5\)"):
        layer(q, v, attention_mask=np.ones((2, 4, 5), bool))
    with pytest.raises(ValueError, match=r"'mha'.*`query_mask`.*\(2, 4\).*\(2, 3\)"):
        layer(_tensor(q, np.ones((2, 3), bool)), v)
    with pytest.raises(ValueError, match=r"'mha'.*`value_mask`.*\(2, 6\).*\(2, 4\)"):
        layer(q, v, value_mask=np.ones((2, 4), bool))


def test_last_dimensions_that_do_not_fit(inputs, rng):
    q, v = inputs
    layer = MultiHeadAttention(num_heads=2, key_dim=3, name="mha")
    layer(q, v)
    with pytest.raises(ValueError,
                       match=r"'mha' was built for .* \(5, 5, 5\).*query.shape=\(2, 4, 7\)"):
        layer(rng.standard_normal((2, 4, 7)).astype("float32"), v)
    with pytest.raises(ValueError, match=r"'mha'.*value.*key.*except the last one"):
        layer(q, v, key=rng.standard_normal((2, 5, 5)).astype("float32"))
    with pytest.raises(ValueError, match=r"'mha'.*same rank"):
        MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(q, v[:, 0])


def test_flash_attention_setting(inputs):
    q, v = inputs
    forced = MultiHeadAttention(num_heads=2, key_dim=3, flash_attention=True, name="mha")
    plain = MultiHeadAttention(num_heads=2, key_dim=3)
    forced(q, v)
    plain(q, v)
    plain.set_weights(forced.get_weights())
    try:
        out = ops.convert_to_numpy(forced(q, v, use_causal_mask=True))
    except ValueError as error:  # a device without a flash kernel says so
        assert "flash kernel cannot run" in str(error)
    else:
        np.testing.assert_allclose(out, ops.convert_to_numpy(plain(q, v, use_causal_mask=True)),
                                   rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="'mha'.*scores is not supported when flash"):
        forced(q, v, return_attention_scores=True)
    cornu.config.disable_flash_attention()
    try:
        assert MultiHeadAttention(num_heads=2, key_dim=3)._flash_attention is False
    finally:
        cornu.config.enable_flash_attention()
    assert cornu.config.is_flash_attention_enabled() is None
