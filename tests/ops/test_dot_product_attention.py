"""ops.dot_product_attention against a NumPy reference (forward) and torch (gradient)."""

import numpy as np
import pytest

import cornu
from cornu import ops


def reference(q, k, v, mask=None, bias=None, scale=None, is_causal=False):
    """Softmax attention in float64, Keras layout (batch, seq, heads, dim)."""
    q, k, v = (np.asarray(a, np.float64) for a in (q, k, v))
    groups = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, groups, axis=2), np.repeat(v, groups, axis=2)
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    allowed = np.ones(logits.shape, bool)
    if mask is not None:
        allowed = allowed & mask
    if is_causal:
        allowed = allowed & np.tril(np.ones(logits.shape[-2:], bool))
    if bias is not None:
        logits = logits + bias
    logits = np.where(allowed, logits, -1e30)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", weights, v)


@pytest.fixture
def qkv(rng):
    def make(t=5, s=7, heads=4, kv_heads=4, dim=8, vdim=8):
        return (rng.standard_normal((2, t, heads, dim)).astype("float32"),
                rng.standard_normal((2, s, kv_heads, dim)).astype("float32"),
                rng.standard_normal((2, s, kv_heads, vdim)).astype("float32"))
    return make


@pytest.mark.parametrize("setting", ["plain", "mask_b1ts", "mask_bnts", "causal",
                                     "causal_and_mask", "bias", "scale", "gqa", "mqa",
                                     "value_dim"])
def test_matches_reference(rng, qkv, setting):
    shapes = {"gqa": {"kv_heads": 2}, "mqa": {"kv_heads": 1}, "value_dim": {"vdim": 3},
              "causal": {"s": 5}}.get(setting, {})
    q, k, v = qkv(**shapes)
    kwargs = {}
    if setting in ("mask_b1ts", "causal_and_mask"):
        kwargs["mask"] = rng.random((2, 1, 5, 7)) > 0.3
    if setting == "mask_bnts":
        kwargs["mask"] = rng.random((2, 4, 5, 7)) > 0.3
    if setting in ("causal", "causal_and_mask"):
        kwargs["is_causal"] = True
    if setting == "bias":
        kwargs["bias"] = rng.standard_normal((1, 4, 5, 7)).astype("float32")
    if setting == "scale":
        kwargs["scale"] = 0.3
    if "mask" in kwargs:
        kwargs["mask"][..., 0] = True  # keep every row attending somewhere
    got = ops.convert_to_numpy(ops.dot_product_attention(q, k, v, **kwargs))
    np.testing.assert_allclose(got, reference(q, k, v, **kwargs), rtol=1e-5, atol=1e-5)


def test_fully_masked_row_averages_uniformly_like_keras(qkv):
    q, k, v = qkv()
    mask = np.ones((2, 1, 5, 7), bool)
    mask[0, 0, 2] = False
    got = ops.convert_to_numpy(ops.dot_product_attention(q, k, v, mask=mask))
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got[0, 2], v[0].mean(axis=0), rtol=1e-5, atol=1e-5)


def test_gradients_match_explicit_softmax(rng, qkv):
    import torch

    q, k, v = (torch.tensor(a, requires_grad=True) for a in qkv(kv_heads=2))
    mask = torch.tensor(rng.random((2, 1, 5, 7)) > 0.3)
    mask[..., 0] = True
    out = ops.dot_product_attention(q, k, v, mask=mask)
    kr, vr = k.repeat_interleave(2, dim=2), v.repeat_interleave(2, dim=2)
    logits = torch.einsum("btnh,bsnh->bnts", q, kr) / np.sqrt(8)
    weights = torch.softmax(logits.masked_fill(~mask, -1e9), dim=-1)
    ref = torch.einsum("bnts,bsnh->btnh", weights, vr)
    up = torch.tensor(rng.standard_normal(tuple(out.shape)).astype("float32"))
    got = torch.autograd.grad((out * up).sum(), [q, k, v])
    want = torch.autograd.grad((ref * up).sum(), [q, k, v])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-4, atol=1e-5)


def test_symbolic_shape():
    q = cornu.Input((5, 4, 8))
    k = cornu.Input((7, 2, 8))
    out = ops.dot_product_attention(q, k, k)
    assert out.shape == (None, 5, 4, 8)


@pytest.mark.parametrize("kwargs,match", [
    ({"mask": np.ones((2, 1, 5, 6), bool)}, "`mask` must broadcast"),
    ({"mask": np.ones((1, 5, 7), bool), "bias": np.zeros((1, 5, 7))}, "only one of"),
    ({"attn_logits_soft_cap": 20.0}, "attn_logits_soft_cap"),
])
def test_errors(qkv, kwargs, match):
    q, k, v = qkv()
    with pytest.raises(ValueError, match=match):
        ops.dot_product_attention(q, k, v, **kwargs)


def test_rejects_bad_ranks_and_head_counts(qkv):
    q, k, v = qkv()
    with pytest.raises(ValueError, match="only supports 4D"):
        ops.dot_product_attention(q[:, :, 0], k[:, :, 0], v[:, :, 0])
    q3, k3, v3 = qkv(heads=3, kv_heads=2)
    with pytest.raises(ValueError, match="N a multiple of K"):
        ops.dot_product_attention(q3, k3, v3)
