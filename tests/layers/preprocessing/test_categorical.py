"""CategoryEncoding and Hashing (Keras's hash functions and documented outputs)."""

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from cornu.layers.preprocessing.string_hash import fingerprint64, siphash64


def to_np(x):
    return ops.convert_to_numpy(x)


def test_category_encoding_modes(rng):
    ids = rng.integers(0, 6, (3, 4)).astype("int32")
    np.testing.assert_array_equal(to_np(layers.CategoryEncoding(6)(ids)), np.eye(6)[ids].max(1))
    counts = to_np(layers.CategoryEncoding(6, output_mode="count")(ids))
    np.testing.assert_array_equal(counts, np.eye(6)[ids].sum(1))
    weights = rng.uniform(size=(3, 4)).astype("float32")
    weighted = to_np(layers.CategoryEncoding(6, output_mode="count")(ids, count_weights=weights))
    np.testing.assert_allclose(weighted, (np.eye(6)[ids] * weights[..., None]).sum(1), rtol=1e-6)
    one_hot = to_np(layers.CategoryEncoding(6, output_mode="one_hot")(ids[:, :1]))
    np.testing.assert_array_equal(one_hot, np.eye(6)[ids[:, 0]])
    layer = layers.CategoryEncoding(6, output_mode="one_hot")
    assert layer.compute_output_shape((None, 4)) == (None, 4, 6)
    assert layer.compute_output_shape((None, 1)) == (None, 6)
    assert layers.CategoryEncoding(6).compute_output_shape((None, 4)) == (None, 6)
    out = cornu.Input((4,), dtype="int32")
    assert tuple(layers.CategoryEncoding(6)(out).shape) == (None, 6)


def test_category_encoding_errors():
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="int")
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(3)(np.array([[1]]), count_weights=np.array([[1.0]]))


def test_hash_functions_match_published_values():
    # tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) -> [0, 2, 2]
    assert [fingerprint64(s.encode()) % 3 for s in ("Hello", "TensorFlow", "2.x")] == [0, 2, 2]
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F
    key = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)),
                                                                      "little"))
    # SipHash-2-4 reference vectors (key 00..0f, messages 00..n-1).
    assert siphash64(b"", *key) == 0x726FDB47DD0E0E31
    assert siphash64(bytes(range(15)), *key) == 0xA129CA6149BE45E5
    long = bytes(range(200))  # every FarmHash length branch runs without error
    assert len({fingerprint64(long[:n]) for n in (3, 7, 15, 31, 63, 64, 65, 129, 200)}) == 9


def test_hashing_documented_examples():
    data = [["A"], ["B"], ["C"], ["D"], ["E"]]
    np.testing.assert_array_equal(to_np(layers.Hashing(num_bins=3)(data)).ravel(),
                                  [1, 0, 1, 1, 2])
    np.testing.assert_array_equal(to_np(layers.Hashing(num_bins=3, salt=133)(data)).ravel(),
                                  [0, 0, 2, 1, 0])
    masked = layers.Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])
    np.testing.assert_array_equal(to_np(masked).ravel(), [1, 1, 0, 2, 2])
    assert ops.dtype(masked) == "int64"


def test_hashing_integers_and_encodings():
    layer = layers.Hashing(num_bins=7)
    ints = to_np(layer(np.array([[1, 22, 333]])))
    strings = to_np(layer([["1", "22", "333"]]))
    np.testing.assert_array_equal(ints, strings)  # integers hash as their decimal strings
    one_hot = to_np(layers.Hashing(num_bins=3, output_mode="one_hot")([["A"], ["B"]]))
    np.testing.assert_array_equal(one_hot, [[0, 1, 0], [1, 0, 0]])
    multi = to_np(layers.Hashing(num_bins=3, output_mode="multi_hot")([["A", "B"]]))
    np.testing.assert_array_equal(multi, [[1, 1, 0]])
    config = layers.Hashing(num_bins=3, salt=[1, 2]).get_config()
    assert config["salt"] == [1, 2] and layers.Hashing.from_config(config).salt == [1, 2]
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(num_bins=2, salt="x")
