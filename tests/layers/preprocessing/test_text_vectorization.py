"""TextVectorization: standardize, split, n-grams, output modes, adapt, config."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops


def to_np(x):
    return ops.convert_to_numpy(x)


def test_documented_int_example():
    layer = layers.TextVectorization(max_tokens=5000, output_mode="int",
                                     output_sequence_length=4,
                                     vocabulary=["earth", "wind", "and", "fire"])
    out = layer(np.array([["earth wind and Fire"], ["fire and earth michigan"]]))
    np.testing.assert_array_equal(to_np(out), [[2, 3, 4, 5], [5, 4, 2, 1]])
    assert layer.get_vocabulary()[:2] == ["", "[UNK]"]


def test_adapt_standardize_and_padding():
    layer = layers.TextVectorization()
    layer.adapt(["The cat, the HAT!", "a cat"])
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "hat", "a"]
    out = to_np(layer(["the cat sat", "hat"]))
    np.testing.assert_array_equal(out, [[2, 3, 1], [4, 0, 0]])  # padded to the longest
    short = layers.TextVectorization(vocabulary=["a", "b"], output_sequence_length=2)
    np.testing.assert_array_equal(to_np(short(["a b a b"])), [[2, 3]])  # truncated
    raw = layers.TextVectorization(standardize=None, split="character",
                                   vocabulary=["A", "b"])
    np.testing.assert_array_equal(to_np(raw(["Ab!"])), [[2, 3, 1]])


def test_ngrams_and_vector_modes():
    layer = layers.TextVectorization(output_mode="multi_hot", ngrams=2)
    layer.adapt(["the cat sat", "the dog"])
    vocab = layer.get_vocabulary()
    assert vocab[0] == "[UNK]" and "the cat" in vocab and "cat sat" in vocab
    out = to_np(layer(["the cat"]))
    expected = np.zeros(len(vocab))
    expected[[vocab.index("the"), vocab.index("cat"), vocab.index("the cat")]] = 1
    np.testing.assert_array_equal(out[0], expected)
    count = layers.TextVectorization(output_mode="count", vocabulary=["a", "b"])
    np.testing.assert_array_equal(to_np(count(["a a c", "b"])), [[1, 2, 0], [0, 0, 1]])
    tf_idf = layers.TextVectorization(output_mode="tf_idf")
    tf_idf.adapt(["a b b", "a c"])
    vocab = tf_idf.get_vocabulary()
    out = to_np(tf_idf(["a b z"]))[0]
    # idf = log(1 + documents / (1 + documents containing the token)).
    np.testing.assert_allclose(out[vocab.index("a")], np.log(1 + 2 / 3), rtol=1e-6)
    np.testing.assert_allclose(out[vocab.index("b")], np.log(1 + 2 / 2), rtol=1e-6)
    np.testing.assert_allclose(out[0], np.mean([np.log(2), np.log(1 + 2 / 3), np.log(2)]),
                               rtol=1e-6)  # the OOV weight is the mean idf


def test_config_round_trip_keeps_vocabulary():
    layer = layers.TextVectorization(max_tokens=10, output_sequence_length=3, ngrams=(1, 2))
    layer.adapt(["x y z", "x y"])
    config = layer.get_config()
    assert "x" in config["vocabulary"] and config["ngrams"] == (1, 2)
    clone = layers.TextVectorization.from_config(config)
    np.testing.assert_array_equal(to_np(clone(["x y q"])), to_np(layer(["x y q"])))


def test_callables_and_errors():
    layer = layers.TextVectorization(standardize=lambda t: np.char.upper(t.astype(str)),
                                     split=lambda s: s.split("-"), vocabulary=["A", "B"])
    np.testing.assert_array_equal(to_np(layer(["a-b-c"])), [[2, 3, 1]])
    with pytest.raises(ValueError, match="last dimension of 1"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="output_mode"):
        layers.TextVectorization(output_mode="one_hot")
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)


def test_vectorized_text_trains_a_model(rng):
    texts = ["good movie", "bad movie", "good fun", "bad bad"] * 4
    labels = np.array([1, 0, 1, 0] * 4, dtype="float32")
    vectorizer = layers.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(texts)
    x = to_np(vectorizer(texts))
    model = cornu.Sequential([cornu.Input((x.shape[1],)),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, labels, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"][-1])
