"""Data inputs to fit/evaluate/predict: arrays, tensors, structures, generators, PyDataset,
torch DataLoader/Dataset, pandas; steps, uneven batches, shuffling."""

import pathlib

import numpy as np
import pytest
import torch

import cornu
from cornu import ops
from cornu.utils import PyDataset

RNG = np.random.default_rng(0)
X = RNG.random((10, 3)).astype("float32")
Y = RNG.random((10, 1)).astype("float32")


def _model(lr=0.1):
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(1)])
    model.compile(cornu.optimizers.SGD(lr), "mse")
    return model


def _fit_weights(data, **kwargs):
    cornu.utils.set_random_seed(0)
    model = _model()
    history = model.fit(data, verbose=0, **kwargs) if not isinstance(data, tuple) else \
        model.fit(*data, verbose=0, **kwargs)
    return model.get_weights(), history


def _reference(batch_size=4, epochs=1):
    return _fit_weights((X, Y), batch_size=batch_size, epochs=epochs, shuffle=False)


def _assert_same(a, b):
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-7)


def test_torch_tensors_equal_numpy():
    ref, _ = _reference()
    got, _ = _fit_weights((torch.from_numpy(X), torch.from_numpy(Y)), batch_size=4,
                          shuffle=False)
    _assert_same(ref, got)


def test_generator_with_steps_per_epoch_and_uneven_batches():
    ref, _ = _reference(batch_size=4, epochs=2)

    def batches():  # infinite: 4, 4, 2 samples, again and again
        while True:
            for i in range(0, 10, 4):
                yield X[i:i + 4], Y[i:i + 4]

    got, history = _fit_weights(batches(), steps_per_epoch=3, epochs=2)
    _assert_same(ref, got)
    assert len(history.epoch) == 2


def test_finite_iterator_and_sample_weight_in_batches():
    w = np.linspace(0.5, 1.5, 10).astype("float32")
    ref, _ = _fit_weights((X, Y), sample_weight=w, batch_size=5, shuffle=False)
    got, _ = _fit_weights(iter([(X[:5], Y[:5], w[:5]), (X[5:], Y[5:], w[5:])]))
    _assert_same(ref, got)


class Batches(PyDataset):
    def __init__(self, batch_size=4, **kwargs):
        super().__init__(**kwargs)
        self.batch_size = batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(X) // self.batch_size)

    def __getitem__(self, i):
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return X[s], Y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


@pytest.mark.parametrize("kwargs", [{}, {"workers": 3, "max_queue_size": 2},
                                    {"workers": 2, "use_multiprocessing": True}])
def test_py_dataset(kwargs):
    ref, _ = _reference(epochs=2)
    dataset = Batches(**kwargs)
    got, _ = _fit_weights(dataset, epochs=2, shuffle=False)
    _assert_same(ref, got)
    assert dataset.epochs_ended == 2
    cornu.utils.set_random_seed(0)
    model = _model()
    np.testing.assert_allclose(model.predict(Batches(**kwargs), verbose=0),
                               model.predict(X, verbose=0), rtol=1e-6)
    assert model.evaluate(Batches(**kwargs), verbose=0) == pytest.approx(
        model.evaluate(X, Y, verbose=0), rel=1e-6)


def test_py_dataset_errors_and_infinite():
    class Infinite(PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, i):
            return X[:2], Y[:2]

    with pytest.raises(ValueError, match="infinite.*steps_per_epoch"):
        _model().fit(Infinite(), verbose=0)
    history = _model().fit(Infinite(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.epoch) == 2
    with pytest.raises(ValueError, match="workers"):
        PyDataset(workers=0)


def test_torch_dataloader_and_dataset():
    ref, _ = _reference(epochs=2)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=False)
    got, history = _fit_weights(loader, epochs=2)
    _assert_same(ref, got)
    got, _ = _fit_weights(dataset, batch_size=4, epochs=2, shuffle=False)
    _assert_same(ref, got)
    model = _model()
    assert model.predict(loader, verbose=0).shape == (10, 1)


def test_pandas_dataframe_inputs_without_importing_pandas_in_cornu():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    ref, _ = _reference()
    got, _ = _fit_weights((frame, pd.Series(Y[:, 0])), batch_size=4, shuffle=False)
    _assert_same(ref, got)
    # DataFrames are recognized by duck typing: no cornu module imports pandas.
    root = pathlib.Path(cornu.__file__).parent
    assert not [p for p in root.rglob("*.py") if "import pandas" in p.read_text()]


def test_dict_and_list_inputs_by_name():
    a = cornu.Input((2,), name="a")
    b = cornu.Input((1,), name="b")
    model = cornu.Model([a, b], [cornu.layers.Dense(1)(a), cornu.layers.Dense(1)(b)])
    model.compile("sgd", "mse")
    as_dict = model.predict({"a": X[:, :2], "b": X[:, 2:]}, verbose=0)
    as_list = model.predict([X[:, :2], X[:, 2:]], verbose=0)
    for u, v in zip(as_dict, as_list):
        np.testing.assert_array_equal(u, v)
    history = model.fit({"a": X[:, :2], "b": X[:, 2:]}, [Y, Y], epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_shuffle_is_reproducible_with_seed_and_uses_every_sample():
    a, _ = _fit_weights((X, Y), batch_size=3, epochs=2, shuffle=True)
    b, _ = _fit_weights((X, Y), batch_size=3, epochs=2, shuffle=True)
    c, _ = _fit_weights((X, Y), batch_size=3, epochs=2, shuffle=False)
    _assert_same(a, b)
    assert not np.allclose(a[0], c[0])
    seen = []
    cornu.utils.set_random_seed(0)
    from cornu.training.data_adapter import get_data_adapter
    adapter = get_data_adapter(X, Y, batch_size=3, shuffle=True)
    for bx, _ in adapter:
        seen.extend(ops.convert_to_numpy(bx)[:, 0].tolist())
    assert sorted(seen) == sorted(X[:, 0].tolist()) and [len(b[0]) for b in adapter] == \
        [3, 3, 3, 1]


def test_bad_inputs_are_explained():
    model = _model()
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(X, Y[:5], verbose=0)
    with pytest.raises(ValueError, match="do not pass `y` separately"):
        model.fit(iter([(X, Y)]), Y, verbose=0)
    with pytest.raises(ValueError, match="Unrecognized data type"):
        model.fit(object(), verbose=0)


def test_generator_raising_mid_epoch_propagates_and_model_recovers():
    def broken():
        yield X[:4], Y[:4]
        raise OSError("disk read failed")

    model = _model()
    with pytest.raises(OSError, match="disk read failed"):
        model.fit(broken(), epochs=1, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 1  # the completed step is kept
    assert not model.training
    history = model.fit(X, Y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
