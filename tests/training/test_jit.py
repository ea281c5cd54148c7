"""jit_compile=True (torch.compile of the forward pass and loss) gives eager's numbers."""

import numpy as np

import cornu
from cornu import layers


def test_jit_compiled_fit_matches_eager(rng):
    x = rng.standard_normal((32, 6)).astype("float32")
    y = rng.integers(0, 3, 32)
    init = cornu.Sequential([cornu.Input((6,)), layers.Dense(8, activation="relu"),
                             layers.Dense(3)]).get_weights()
    results = []
    for jit in (False, True):
        model = cornu.Sequential([cornu.Input((6,)), layers.Dense(8, activation="relu"),
                                  layers.Dense(3)])
        model.set_weights(init)
        model.compile(optimizer="adam", jit_compile=jit,
                      loss=cornu.losses.SparseCategoricalCrossentropy(from_logits=True))
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
