"""GroupQueryAttention: NumPy reference, fused vs explicit paths, config, errors."""

import numpy as np
import pytest
import torch

import cornu
from cornu import ops
from cornu.layers import GroupQueryAttention


def numpy_gqa(layer, q, v, mask=None, causal=False):
    wq, bq, wk, bk, wv, bv, wo, bo = (w.astype(np.float64) for w in layer.get_weights())
    repeats = wq.shape[1] // wk.shape[1]
    qp = np.einsum("btd,dnh->btnh", q, wq) + bq
    kp = np.repeat(np.einsum("bsd,dnh->bsnh", v, wk) + bk, repeats, axis=2)
    vp = np.repeat(np.einsum("bsd,dnh->bsnh", v, wv) + bv, repeats, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", qp, kp) / np.sqrt(wq.shape[-1])
    allowed = np.ones(logits.shape, bool)
    if mask is not None:
        allowed &= mask[:, None]
    if causal:
        allowed &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(allowed, logits, -1e9)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    out = np.einsum("bnts,bsnh->btnh", weights, vp)
    return np.einsum("btnh,nhd->btd", out, wo) + bo


@pytest.fixture
def data(rng):
    return rng.standard_normal((2, 5, 6)).astype("float32")


def test_weights_in_keras_layout(data):
    layer = GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    assert layer.name == "grouped_query_attention"
    layer(data, data)
    assert [tuple(w.shape) for w in layer.weights] == [
        (6, 4, 3), (4, 3), (6, 2, 3), (2, 3), (6, 2, 3), (2, 3), (4, 3, 6), (6,)]


@pytest.mark.parametrize("kv_heads", [1, 2, 4])
@pytest.mark.parametrize("setting", ["none", "mask", "causal"])
def test_paths_match_numpy_and_each_other(data, rng, kv_heads, setting, monkeypatch):
    layer = GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=kv_heads)
    mask = rng.random((2, 5, 5)) > 0.3
    mask[..., 0] = True
    kwargs = {"attention_mask": mask} if setting == "mask" else \
        {"use_causal_mask": setting == "causal"}
    calls = []
    fused_op = ops.dot_product_attention
    monkeypatch.setattr(cornu.ops, "dot_product_attention",
                        lambda *a, **k: calls.append(1) or fused_op(*a, **k))
    results = []
    for scores in (False, True):
        x = torch.tensor(data, requires_grad=True)
        out = layer(x, x, return_attention_scores=scores, **kwargs)
        out = out[0] if scores else out
        grads = torch.autograd.grad(out.square().sum(), [x] + layer.trainable_weights)
        results.append([out.detach().numpy()] + [g.numpy() for g in grads])
    assert len(calls) == 1  # only the call without scores ran the fused kernel
    want = numpy_gqa(layer, data, data, mask=kwargs.get("attention_mask"),
                     causal=setting == "causal")
    np.testing.assert_allclose(results[0][0], want, rtol=1e-5, atol=1e-5)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_config_round_trip_and_symbolic_call(data):
    layer = GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2,
                                use_gate=True, sliding_window=3, dropout=0.1, seed=2)
    inputs = cornu.Input((5, 6))
    out, scores = layer(inputs, inputs, return_attention_scores=True)
    assert out.shape == (None, 5, 6) and scores.shape == (None, 4, 5, 5)
    clone = GroupQueryAttention.from_config(layer.get_config())
    assert clone.get_config() | {"name": None} == layer.get_config() | {"name": None}
    clone(data, data)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(clone(data, data)),
                               ops.convert_to_numpy(layer(data, data)), rtol=1e-6, atol=1e-6)


def test_errors(data):
    with pytest.raises(ValueError, match="divisible by `num_key_value_heads`"):
        GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=3)
    with pytest.raises(ValueError, match="head_dim"):
        GroupQueryAttention(head_dim=0, num_query_heads=4, num_key_value_heads=2)
    layer = GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2,
                                name="gqa")
    layer(data, data)
    with pytest.raises(ValueError, match=r"'gqa' was built for .*\(6, 6, 6\)"):
        layer(data[..., :4], data)
    with pytest.raises(ValueError, match=r"'gqa'.*does not broadcast"):
        layer(data, data, attention_mask=np.ones((2, 5, 4), bool))
    with pytest.raises(ValueError, match=r"'g2'.*last dimension of `query_shape` and "
                                         r"`value_shape` must be equal"):
        GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2, name="g2")(
            cornu.Input((5, 6)), cornu.Input((5, 4)))
