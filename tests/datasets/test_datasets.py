"""Every dataset loader, against files in its real on-disk format served on loopback."""

import gzip
import hashlib
import io
import json
import pickle
import struct
import tarfile

import numpy as np
import pytest

import cornu
from cornu.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def serve(server, monkeypatch, module, name, data, hash_attr="FILE_HASH"):
    server.add(name, data)
    monkeypatch.setattr(module, "ORIGIN_FOLDER", server.base)
    monkeypatch.setattr(module, hash_attr, sha256(data))


def ragged(rng, n, vocab=30):
    out = np.empty(n, dtype=object)
    out[:] = [[int(w) for w in rng.integers(1, vocab, size=rng.integers(2, 9))]
              for _ in range(n)]
    return out


def test_mnist(server, monkeypatch, cornu_home, rng):
    arrays = {"x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 6, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 3, dtype=np.uint8)}
    serve(server, monkeypatch, mnist, "mnist.npz", npz_bytes(**arrays))
    (x_train, y_train), (x_test, y_test) = cornu.datasets.mnist.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (6, 28, 28)
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    assert (cornu_home / "datasets" / "mnist.npz").exists()
    mnist.load_data()
    assert len(server.requests) == 1  # cached


def test_mnist_bad_hash(server, monkeypatch, cornu_home):
    serve(server, monkeypatch, mnist, "mnist.npz", npz_bytes(x_train=np.zeros(1)))
    monkeypatch.setattr(mnist, "FILE_HASH", "1" * 64)
    with pytest.raises(ValueError, match="hash"):
        mnist.load_data()


def idx(data, magic, dims):
    return gzip.compress(struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims)
                         + data.tobytes())


def test_fashion_mnist(server, monkeypatch, cornu_home, rng):
    x_train = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, 5, dtype=np.uint8)
    x_test = rng.integers(0, 256, (2, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 2, dtype=np.uint8)
    files = dict(zip(fashion_mnist.FILES, [
        idx(y_train, 2049, [5]), idx(x_train, 2051, [5, 28, 28]),
        idx(y_test, 2049, [2]), idx(x_test, 2051, [2, 28, 28])]))
    for name, data in files.items():
        server.add(name, data)
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", server.base)
    (a, b), (c, d) = fashion_mnist.load_data()
    np.testing.assert_array_equal(a, x_train)
    np.testing.assert_array_equal(b, y_train)
    np.testing.assert_array_equal(c, x_test)
    np.testing.assert_array_equal(d, y_test)
    assert a.dtype == np.uint8 and b.shape == (5,)
    assert (cornu_home / "datasets" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").exists()


def cifar_tar(folder, batches):
    """A .tar.gz like the CIFAR "python version": pickled dicts with bytes keys."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, batch in batches.items():
            payload = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def cifar10_batches(rng, n=4):
    out = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        out[name] = {b"batch_label": name.encode(), b"labels": [int(v) for v in
                                                                rng.integers(0, 10, n)],
                     b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                     b"filenames": [b"img%d.png" % i for i in range(n)]}
    out["batches.meta"] = {b"label_names": [b"airplane"] * 10, b"num_cases_per_batch": n}
    return out


def test_cifar10(server, monkeypatch, cornu_home, rng):
    batches = cifar10_batches(rng)
    data = cifar_tar("cifar-10-batches-py", batches)
    server.add("cifar-10-python.tar.gz", data)
    monkeypatch.setattr(cifar10, "ORIGIN", server.base + "cifar-10-python.tar.gz")
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(data))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (20, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (4, 32, 32, 3) and y_test.shape == (4, 1)
    first = batches["data_batch_1"][b"data"][0].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(x_train[0], first)
    np.testing.assert_array_equal(y_train[:4, 0], batches["data_batch_1"][b"labels"])
    np.testing.assert_array_equal(y_test[:, 0], batches["test_batch"][b"labels"])
    assert (cornu_home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"
            / "test_batch").exists()
    cornu.config.set_image_data_format("channels_first")
    try:
        (x_cf, _), _ = cifar10.load_data()
    finally:
        cornu.config.set_image_data_format("channels_last")
    assert x_cf.shape == (20, 3, 32, 32)
    assert len(server.requests) == 1  # archive and extraction both cached


def test_cifar10_with_the_guide_pipeline(server, monkeypatch, cornu_home, rng):
    data = cifar_tar("cifar-10-batches-py", cifar10_batches(rng, n=2))
    server.add("c.tar.gz", data)
    monkeypatch.setattr(cifar10, "ORIGIN", server.base + "c.tar.gz")
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(data))
    (x_train, y_train), _ = cifar10.load_data()
    y = cornu.utils.to_categorical(y_train, 10)
    assert y.shape == (10, 10)


class Exploit:
    def __reduce__(self):
        import os
        return (os.system, ("echo pwned",))


def test_cifar_pickle_with_code_is_refused(server, monkeypatch, cornu_home, rng):
    batches = cifar10_batches(rng, n=1)
    batches["data_batch_3"][b"labels"] = Exploit()
    data = cifar_tar("cifar-10-batches-py", batches)
    server.add("c.tar.gz", data)
    monkeypatch.setattr(cifar10, "ORIGIN", server.base + "c.tar.gz")
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(data))
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system|nt.system"):
        cifar10.load_data()


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(server, monkeypatch, cornu_home, rng, label_mode):
    batches = {}
    for name, n in (("train", 5), ("test", 2)):
        batches[name] = {b"filenames": [b"f"] * n, b"batch_label": name.encode(),
                         b"fine_labels": [int(v) for v in rng.integers(0, 100, n)],
                         b"coarse_labels": [int(v) for v in rng.integers(0, 20, n)],
                         b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8)}
    batches["meta"] = {b"fine_label_names": [b"apple"] * 100}
    data = cifar_tar("cifar-100-python", batches)
    server.add("cifar-100-python.tar.gz", data)
    monkeypatch.setattr(cifar100, "ORIGIN", server.base + "cifar-100-python.tar.gz")
    monkeypatch.setattr(cifar100, "FILE_HASH", sha256(data))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=label_mode)
    assert x_train.shape == (5, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_train.shape == (5, 1) and y_test.shape == (2, 1)
    np.testing.assert_array_equal(y_test[:, 0], batches["test"][f"{label_mode}_labels".encode()])


def test_cifar100_label_mode_error():
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")


def expected_sequences(xs, start_char=1, index_from=3, num_words=None, skip_top=0, oov_char=2):
    out = [[start_char] + [w + index_from for w in x] for x in xs]
    num_words = num_words or max(max(x) for x in out)
    return [[w if skip_top <= w < num_words else oov_char for w in x] for x in out]


def test_imdb(server, monkeypatch, cornu_home, rng):
    arrays = {"x_train": ragged(rng, 8), "y_train": rng.integers(0, 2, 8),
              "x_test": ragged(rng, 6), "y_test": rng.integers(0, 2, 6)}
    serve(server, monkeypatch, imdb, "imdb.npz", npz_bytes(**arrays))
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=20, seed=7)
    assert x_train.dtype == object and x_train.shape == (8,) and x_test.shape == (6,)
    # Keras's order: one RandomState(seed) shuffles train, then test.
    state = np.random.RandomState(7)
    i_train, i_test = np.arange(8), np.arange(6)
    state.shuffle(i_train)
    state.shuffle(i_test)
    assert list(x_train) == expected_sequences(arrays["x_train"][i_train], num_words=20)
    np.testing.assert_array_equal(y_train, arrays["y_train"][i_train])
    np.testing.assert_array_equal(y_test, arrays["y_test"][i_test])
    assert all(max(x) < 20 for x in x_train)
    # maxlen drops long reviews; oov_char=None drops rare words instead of marking them.
    (x_short, y_short), _ = imdb.load_data(maxlen=7, oov_char=None, num_words=10)
    assert all(len(x) < 7 for x in x_short) and len(x_short) == len(y_short)
    assert all(w < 10 for x in x_short for w in x)
    with pytest.raises(ValueError, match="maxlen"):
        imdb.load_data(maxlen=1)
    index = {"the": 1, "movie": 2}
    payload = json.dumps(index).encode()
    server.add("imdb_word_index.json", payload)
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", hashlib.md5(payload).hexdigest())
    assert imdb.get_word_index() == index


def test_reuters(server, monkeypatch, cornu_home, rng):
    arrays = {"x": ragged(rng, 10), "y": rng.integers(0, 46, 10)}
    serve(server, monkeypatch, reuters, "reuters.npz", npz_bytes(**arrays))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(test_split=0.3, skip_top=4)
    indices = np.arange(10)
    np.random.RandomState(113).shuffle(indices)
    expected = expected_sequences(arrays["x"][indices], skip_top=4)
    assert list(x_train) + list(x_test) == expected
    assert len(x_train) == 7 and len(x_test) == 3
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), arrays["y"][indices])
    payload = json.dumps({"said": 1}).encode()
    server.add("reuters_word_index.json", payload)
    monkeypatch.setattr(reuters, "WORD_INDEX_HASH", hashlib.md5(payload).hexdigest())
    assert reuters.get_word_index() == {"said": 1}
    assert len(reuters.get_label_names()) == 46 and reuters.get_label_names()[3] == "earn"


def test_imdb_npz_with_code_is_refused(server, monkeypatch, cornu_home):
    evil = np.empty(1, dtype=object)
    evil[0] = Exploit()
    serve(server, monkeypatch, reuters, "reuters.npz", npz_bytes(x=evil, y=np.zeros(1)))
    with pytest.raises(pickle.UnpicklingError):
        reuters.load_data()


@pytest.mark.parametrize("module,features,name", [
    (boston_housing, 13, "boston_housing.npz"),
    (california_housing, 8, "california_housing.npz")])
def test_housing(server, monkeypatch, cornu_home, rng, module, features, name):
    x = rng.standard_normal((50, features))
    y = rng.standard_normal(50).astype("float32")
    serve(server, monkeypatch, module, name, npz_bytes(x=x, y=y))
    (x_train, y_train), (x_test, y_test) = module.load_data(test_split=0.2, seed=3)
    indices = np.arange(50)
    np.random.RandomState(3).shuffle(indices)
    np.testing.assert_array_equal(x_train, x[indices][:40])
    np.testing.assert_array_equal(y_test, y[indices][40:])
    assert x_test.shape == (10, features) and y_train.dtype == np.float32
    with pytest.raises(ValueError, match="test_split"):
        module.load_data(test_split=1.0)


def test_california_small(server, monkeypatch, cornu_home, rng):
    x, y = rng.standard_normal((700, 8)), rng.standard_normal(700)
    serve(server, monkeypatch, california_housing, "california_housing.npz", npz_bytes(x=x, y=y))
    (x_train, _), (x_test, _) = california_housing.load_data(version="small")
    assert len(x_train) + len(x_test) == 600
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="medium")
