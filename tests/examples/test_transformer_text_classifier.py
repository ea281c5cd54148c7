"""The transformer text-classification example: its data, its model, a short training run."""

import importlib.util
import pathlib

import numpy as np

from cornu import ops

PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "transformer_text_classifier.py"


def load_example():
    spec = importlib.util.spec_from_file_location("transformer_text_classifier", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _vocab(example):
    words = sorted({w for group in (example.SUBJECTS, example.VERBS, example.INTENSIFIERS,
                                    example.POSITIVE, example.NEGATIVE)
                    for phrase in group for w in phrase.split()} | {"not", "never", "but"})
    return {w: i + 1 for i, w in enumerate(words)}


def test_labels_follow_negation_and_the_last_clause():
    example = load_example()
    texts, labels = example.make_reviews(400, seed=3)
    for text, label in zip(texts, labels):
        last = text.split(" but ")[-1].split()
        positive = last[-1] in example.POSITIVE
        negated = "not" in last or "never" in last
        assert label == int(positive != negated), text
    assert 0.4 < labels.mean() < 0.6
    ids = example.vectorize(texts, _vocab(example))
    assert ids.shape == (400, example.MAXLEN) and ids.min() == 0


def test_model_masks_padding_and_learns():
    example = load_example()
    vocab = _vocab(example)
    texts, y = example.make_reviews(128, seed=0)
    x = example.vectorize(texts, vocab)
    model = example.build_model(len(vocab) + 1)
    embedded = model.layers[1](x[:2])
    np.testing.assert_array_equal(ops.convert_to_numpy(embedded._keras_mask), x[:2] != 0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    before = model.evaluate(x, y, verbose=0)[0]
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0)[0] < before
