"""StringLookup and IntegerLookup: Keras's documented examples, adapt, config."""

import numpy as np
import pytest

from cornu import layers, ops


def to_np(x):
    return ops.convert_to_numpy(x) if not isinstance(x, np.ndarray) else x


VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]


def test_string_lookup_documented_outputs():
    np.testing.assert_array_equal(to_np(layers.StringLookup(vocabulary=VOCAB)(DATA)),
                                  [[1, 3, 4], [4, 0, 2]])
    two_oov = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)(DATA)
    assert to_np(two_oov)[1, 1] in (0, 1) and to_np(two_oov)[0, 0] == 2
    masked = layers.StringLookup(vocabulary=VOCAB, mask_token="")([["a", "c", ""],
                                                                  ["", "z", "b"]])
    np.testing.assert_array_equal(to_np(masked), [[2, 4, 0], [0, 1, 3]])
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    multi = layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(data)
    np.testing.assert_array_equal(to_np(multi), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    count = layers.StringLookup(vocabulary=VOCAB, output_mode="count")(data)
    np.testing.assert_array_equal(to_np(count), [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    one_hot = layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "z"])
    np.testing.assert_array_equal(to_np(one_hot), np.eye(5)[[1, 2, 0]])
    tf_idf = layers.StringLookup(output_mode="tf_idf", vocabulary=VOCAB,
                                 idf_weights=[0.25, 0.75, 0.6, 0.4])(data)
    np.testing.assert_allclose(to_np(tf_idf), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]],
                               rtol=1e-6)
    inverse = layers.StringLookup(vocabulary=VOCAB, invert=True)(np.array([[1, 3, 4],
                                                                           [4, 0, 2]]))
    assert inverse.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    padded = layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot", max_tokens=8,
                                 pad_to_max_tokens=True)(DATA)
    assert ops.shape(padded) == (2, 8)


def test_string_lookup_adapt_orders_by_frequency():
    layer = layers.StringLookup()
    layer.adapt(np.array([["d", "z", "b"], ["a", "c", "d"], ["d", "c", "q"]]))
    # d:3, c:2, then ties broken by the token in descending order.
    assert layer.get_vocabulary() == ["[UNK]", "d", "c", "z", "q", "b", "a"]
    assert layer.vocabulary_size() == 7
    assert layer.get_vocabulary(include_special_tokens=False)[0] == "d"
    capped = layers.StringLookup(max_tokens=3)
    capped.adapt([["x", "x", "y", "z", "z", "z"]])
    assert capped.get_vocabulary() == ["[UNK]", "z", "x"]


def test_lookup_config_keeps_the_vocabulary(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\nd\n")
    layer = layers.StringLookup(vocabulary=str(path))
    config = layer.get_config()
    assert config["vocabulary"] == VOCAB  # the tokens, never the path
    clone = layers.StringLookup.from_config(config)
    np.testing.assert_array_equal(to_np(clone(DATA)), to_np(layer(DATA)))
    adapted = layers.StringLookup(output_mode="tf_idf")
    adapted.adapt([["a", "b"], ["a"]])
    restored = layers.StringLookup.from_config(adapted.get_config())
    np.testing.assert_allclose(to_np(restored([["a", "b", "z"]])),
                               to_np(adapted([["a", "b", "z"]])))
    assert layer.get_weights() == []


def test_lookup_errors():
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="output_mode"):
        layers.StringLookup(output_mode="bad")
    with pytest.raises(ValueError, match="idf_weights"):
        layers.StringLookup(vocabulary=VOCAB, output_mode="tf_idf")
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=VOCAB, num_oov_indices=0)([["zz"]])
    with pytest.raises(ValueError, match="exceeds max_tokens"):
        layers.StringLookup(vocabulary=VOCAB, max_tokens=3)


def test_integer_lookup():
    vocab = [12, 36, 1138, 42]
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    np.testing.assert_array_equal(to_np(layers.IntegerLookup(vocabulary=vocab)(data)),
                                  [[1, 3, 4], [4, 0, 2]])
    two_oov = layers.IntegerLookup(vocabulary=vocab, num_oov_indices=2)(
        np.array([[12, 1138, 42], [37, 1000, 36]]))
    np.testing.assert_array_equal(to_np(two_oov), [[2, 4, 5], [1, 0, 3]])  # 37 % 2, 1000 % 2
    masked = layers.IntegerLookup(vocabulary=vocab, mask_token=0)(np.array([[12, 0, 7]]))
    np.testing.assert_array_equal(to_np(masked), [[2, 0, 1]])
    adapted = layers.IntegerLookup()
    adapted.adapt(data)
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    inverse = layers.IntegerLookup(vocabulary=vocab, invert=True)(np.array([[1, 3, 4], [4, 0,
                                                                                       2]]))
    np.testing.assert_array_equal(to_np(inverse), [[12, 1138, 42], [42, -1, 36]])
    config = layers.IntegerLookup(vocabulary=vocab).get_config()
    assert config["vocabulary"] == vocab and config["vocabulary_dtype"] == "int64"
