"""Subclassed models with call()."""

import numpy as np
import pytest

import cornu
from cornu import layers


class TwoLayer(cornu.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(8, activation="relu")
        self.out = layers.Dense(1)
        self.dropout = layers.Dropout(0.5)

    def call(self, inputs, training=None):
        return self.out(self.dropout(self.hidden(inputs), training=training))


def test_subclassed_model_tracks_layers_trains_and_predicts(rng):
    model = TwoLayer()
    x = rng.standard_normal((40, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model.compile(optimizer=cornu.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=10, batch_size=8, verbose=0)
    assert len(model.weights) == 4 and len(model.layers) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert {n.split(".")[0] for n in model.state_dict()} == {"hidden", "out"}


def test_model_without_call_explains_what_to_do():
    with pytest.raises(NotImplementedError, match="define call"):
        cornu.Model()(np.zeros((1, 2), "float32"))
