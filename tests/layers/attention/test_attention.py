"""Attention and AdditiveAttention: NumPy reference, fused vs explicit, masks, config."""

import numpy as np
import pytest
import torch

import cornu
from cornu import ops
from cornu.layers import AdditiveAttention, Attention


def numpy_attention(q, v, k=None, scores_fn=None, q_mask=None, v_mask=None, causal=False):
    k = v if k is None else k
    scores = scores_fn(q, k) if scores_fn else q @ np.swapaxes(k, -1, -2)
    allowed = np.ones(scores.shape, bool)
    if v_mask is not None:
        allowed &= v_mask[:, None, :]
    if causal:
        allowed &= np.tril(np.ones(scores.shape[-2:], bool))
    scores = np.where(allowed, scores, scores - 1e9)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    out = weights @ v
    if q_mask is not None:
        out = np.where(q_mask[..., None], out, 0.0)
    return out, weights


@pytest.fixture
def qvk(rng):
    return (rng.standard_normal((2, 4, 5)).astype("float32"),
            rng.standard_normal((2, 6, 7)).astype("float32"),
            rng.standard_normal((2, 6, 5)).astype("float32"))


QM = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool)
VM = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], bool)


@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("masks", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_dot_attention_paths_match_numpy(qvk, use_scale, masks, causal, monkeypatch):
    q, v, k = qvk
    layer = Attention(use_scale=use_scale)
    layer([q, v, k])
    if use_scale:
        layer.scale.assign(1.7)
    calls = []
    fused_op = ops.dot_product_attention
    monkeypatch.setattr(cornu.ops, "dot_product_attention",
                        lambda *a, **kw: calls.append(1) or fused_op(*a, **kw))
    mask = [QM, VM] if masks else None
    results = []
    for scores in (False, True):
        leaves = [torch.tensor(a, requires_grad=True) for a in (q, v, k)]
        out = layer(leaves, mask=mask, return_attention_scores=scores, use_causal_mask=causal)
        out = out[0] if scores else out
        grads = torch.autograd.grad(out.square().sum(), leaves + layer.trainable_weights)
        results.append([out.detach().numpy()] + [g.numpy() for g in grads])
    assert len(calls) == 1
    want, _ = numpy_attention(q, v, k, scores_fn=lambda a, b: 1.7 * (a @ np.swapaxes(b, 1, 2))
                              if use_scale else a @ np.swapaxes(b, 1, 2),
                              q_mask=QM if masks else None, v_mask=VM if masks else None,
                              causal=causal)
    np.testing.assert_allclose(results[0][0], want, rtol=1e-5, atol=1e-5)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_concat_scores_and_additive_scores_match_numpy(qvk):
    q, v, k = qvk
    concat = Attention(score_mode="concat", use_scale=True)
    out, weights = concat([q, v, k], return_attention_scores=True, mask=[QM, VM])
    scale, weight = (float(w) for w in concat.get_weights())
    want, want_w = numpy_attention(
        q, v, k, q_mask=QM, v_mask=VM,
        scores_fn=lambda a, b: weight * np.tanh(scale * (a[:, :, None] + b[:, None])).sum(-1))
    np.testing.assert_allclose(ops.convert_to_numpy(out), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(weights), want_w, rtol=1e-5, atol=1e-6)

    additive = AdditiveAttention()
    out = additive([q, v, k], mask=[QM, VM], use_causal_mask=True)
    (scale,) = additive.get_weights()
    want, _ = numpy_attention(q, v, k, q_mask=QM, v_mask=VM, causal=True,
                              scores_fn=lambda a, b: (scale * np.tanh(a[:, :, None]
                                                                      + b[:, None])).sum(-1))
    np.testing.assert_allclose(ops.convert_to_numpy(out), want, rtol=1e-5, atol=1e-5)
    assert scale.shape == (5,)


def test_output_mask_is_the_query_mask(qvk):
    q, _, k = qvk
    q_t = ops.convert_to_tensor(q)
    q_t._keras_mask = ops.convert_to_tensor(QM)
    k_t = ops.convert_to_tensor(k)
    k_t._keras_mask = ops.convert_to_tensor(VM)
    out = Attention()([q_t, k_t])
    np.testing.assert_array_equal(ops.convert_to_numpy(out._keras_mask), QM)
    want, _ = numpy_attention(q, k, q_mask=QM, v_mask=VM)
    np.testing.assert_allclose(ops.convert_to_numpy(out), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls", [Attention, AdditiveAttention])
def test_functional_config_and_training(cls, rng):
    query, value = cornu.Input((4, 5)), cornu.Input((6, 5))
    out, scores = cls(name="att")([query, value], return_attention_scores=True)
    assert out.shape == (None, 4, 5) and scores.shape == (None, 4, 6)
    model = cornu.Model([query, value], cornu.layers.Dense(1)(cornu.layers.Flatten()(out)))
    model.compile(optimizer="sgd", loss="mse")
    x = [rng.standard_normal((4, 4, 5)).astype("float32"),
         rng.standard_normal((4, 6, 5)).astype("float32")]
    model.fit(x, np.ones((4, 1), "float32"), epochs=1, verbose=0)
    layer = cls(use_scale=True, dropout=0.2, seed=1)
    layer([x[0], x[1]])
    clone = cls.from_config(layer.get_config())
    assert clone.get_config() | {"name": None} == layer.get_config() | {"name": None}
    assert "score_mode" in layer.get_config() if cls is Attention else \
        "score_mode" not in layer.get_config()


def test_errors(qvk):
    q, v, k = qvk
    with pytest.raises(ValueError, match="score_mode"):
        Attention(score_mode="general")
    layer = Attention(name="att")
    with pytest.raises(ValueError, match=r"Attention 'att' must be called on a list"):
        layer(q)
    with pytest.raises(ValueError, match=r"'att'.*same last dimension.*key.shape=\(2, 6, 7\)"):
        layer([q, v, v])
    with pytest.raises(ValueError, match=r"'att'.*`value_mask`.*\(2, 6\).*\(2, 5\)"):
        layer([q, v, k], mask=[None, np.ones((2, 5), bool)])
    with pytest.raises(ValueError, match=r"'att'.*mask must be a list"):
        layer([q, v, k], mask=VM)
