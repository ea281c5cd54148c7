"""Text classification with ``Embedding(mask_zero=True)`` and a ``Bidirectional(LSTM)``.

The data is real English text that ships with NumPy: the sentences of the docstrings of
four NumPy modules. The task is to tell from one sentence which module it documents:
linear algebra (``numpy.linalg``), random sampling (``numpy.random.Generator``), Fourier
transforms (``numpy.fft``) or string operations (``numpy.strings``). Sentences are
lower-cased, split into words, mapped to ids (0 is padding) and right-padded, so the
LSTMs skip the padding through the embedding's mask, on torch's fused kernel.

Prints the test accuracy next to the majority-class baseline.

    python examples/text_classifier_bilstm.py [--epochs 8]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

import numpy as np

import cornu as keras
from cornu import layers

MODULES = {"linalg": np.linalg, "random": np.random.Generator, "fft": np.fft,
           "strings": np.strings}
MAX_WORDS = 40


def load_sentences() -> tuple[list[str], np.ndarray]:
    """Unique docstring sentences of at least 6 words (code examples dropped), labelled."""
    texts, labels, seen = [], [], set()
    for label, module in enumerate(MODULES.values()):
        for name in dir(module):
            doc = getattr(getattr(module, name, None), "__doc__", None)
            if name.startswith("_") or not doc:
                continue
            for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", doc):
                sentence = " ".join(sentence.split())
                if len(sentence.split()) >= 6 and ">>>" not in sentence \
                        and sentence not in seen:
                    seen.add(sentence)
                    texts.append(sentence)
                    labels.append(label)
    return texts, np.array(labels, "int32")


def tokenize(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)

    texts, labels = load_sentences()
    order = np.random.default_rng(args.seed).permutation(len(texts))
    n_test = len(texts) // 5
    test_idx, train_idx = order[:n_test], order[n_test:]

    counts = Counter(w for i in train_idx for w in tokenize(texts[i]))
    vocab = {w: i + 2 for i, (w, _) in enumerate(counts.most_common(5000))}  # 0 pad, 1 unknown
    ids = np.zeros((len(texts), MAX_WORDS), "int32")
    for row, text in enumerate(texts):
        words = [vocab.get(w, 1) for w in tokenize(text)][:MAX_WORDS]
        ids[row, :len(words)] = words

    model = keras.Sequential([
        keras.Input(shape=(MAX_WORDS,), dtype="int32"),
        layers.Embedding(len(vocab) + 2, 32, mask_zero=True),
        layers.Bidirectional(layers.LSTM(32)),
        layers.Dense(len(MODULES), activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(ids[train_idx], labels[train_idx], epochs=args.epochs, batch_size=32,
              validation_split=0.1, verbose=2)
    loss, accuracy = model.evaluate(ids[test_idx], labels[test_idx], verbose=0)
    majority = np.bincount(labels[train_idx]).argmax()
    baseline = float(np.mean(labels[test_idx] == majority))
    print(f"{len(texts)} sentences from {', '.join('numpy.' + m for m in MODULES)}; "
          f"vocabulary {len(vocab)} words")
    print(f"test accuracy {accuracy:.3f} (loss {loss:.3f}); majority-class baseline "
          f"{baseline:.3f}")


if __name__ == "__main__":
    main()
