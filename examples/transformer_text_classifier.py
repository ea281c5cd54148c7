"""Text classification with a small transformer encoder, written as for Keras 3.

The model is the Keras guide's ("Text classification with Transformer"): token and
position embeddings, one transformer block (MultiHeadAttention, feed-forward network,
residuals, LayerNormalization, dropout), GlobalAveragePooling1D and a softmax head. Only
the import changes: ``import cornu as keras``.

The data are generated review sentences whose label needs word order, so a bag of words
cannot solve them: negation flips the adjective it precedes ("was not good"), and after
"but" the last clause decides ("the plot was dull but the acting was great" is positive).

    python examples/transformer_text_classifier.py [--epochs 3] [--samples 6000]
"""

from __future__ import annotations

import argparse

import numpy as np

import cornu as keras
from cornu import layers, ops

SUBJECTS = ["the movie", "this film", "the plot", "the acting", "the ending", "the music",
            "the story", "the cast", "the script", "the camera work"]
VERBS = ["was", "is", "seemed", "felt", "looked", "sounded"]
INTENSIFIERS = ["really", "very", "quite", "truly", "rather"]
POSITIVE = ["good", "great", "wonderful", "fun", "brilliant", "moving", "clever", "superb"]
NEGATIVE = ["bad", "boring", "awful", "dull", "weak", "silly", "tedious", "bland"]
MAXLEN = 24


def clause(rng: np.random.Generator) -> tuple[str, int]:
    """One clause and its sentiment (1 positive, 0 negative)."""
    positive = rng.random() < 0.5
    negated = rng.random() < 0.4
    words = [rng.choice(SUBJECTS), rng.choice(VERBS)]
    if negated:
        words.append(rng.choice(["not", "never"]))
    if rng.random() < 0.5:
        words.append(rng.choice(INTENSIFIERS))
    words.append(rng.choice(POSITIVE if positive else NEGATIVE))
    return " ".join(words), int(positive != negated)


def make_reviews(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """``n`` sentences of one or two clauses; the label is the sentiment of the last clause."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        text, label = clause(rng)
        if rng.random() < 0.5:
            second, label = clause(rng)
            text = f"{text} but {second}"
        texts.append(text)
        labels.append(label)
    return texts, np.array(labels, dtype="int32")


def vectorize(texts: list[str], vocab: dict[str, int]) -> np.ndarray:
    """Token ids, padded with 0 to MAXLEN."""
    out = np.zeros((len(texts), MAXLEN), dtype="int32")
    for i, text in enumerate(texts):
        ids = [vocab[w] for w in text.split()][:MAXLEN]
        out[i, :len(ids)] = ids
    return out


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim: int, num_heads: int, ff_dim: int, rate: float = 0.1,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)
        self.supports_masking = True  # pass the padding mask on to the pooling layer

    def call(self, inputs, training=False, mask=None):
        # The padding mask (batch, seq) lets no token attend to padding.
        padding_mask = None if mask is None else ops.expand_dims(mask, 1)
        attn_output = self.att(inputs, inputs, attention_mask=padding_mask)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    """A learned vector per token id plus a learned vector per position; id 0 is padding,
    masked out downstream (attention and pooling skip it)."""

    def __init__(self, maxlen: int, vocab_size: int, embed_dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.maxlen, self.vocab_size, self.embed_dim = maxlen, vocab_size, embed_dim

    def build(self, input_shape) -> None:
        self.token_emb = self.add_weight(shape=(self.vocab_size, self.embed_dim),
                                         initializer="uniform", name="token_embeddings")
        self.pos_emb = self.add_weight(shape=(self.maxlen, self.embed_dim),
                                       initializer="uniform", name="position_embeddings")

    def call(self, x):
        positions = ops.arange(0, ops.shape(x)[-1])
        return ops.take(self.token_emb, x, axis=0) + ops.take(self.pos_emb, positions, axis=0)

    def compute_mask(self, x, mask=None):
        return ops.not_equal(x, 0)  # token id 0 is padding

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.embed_dim,)


def build_model(vocab_size: int, embed_dim: int = 32, num_heads: int = 2,
                ff_dim: int = 32) -> keras.Model:
    inputs = layers.Input(shape=(MAXLEN,), dtype="int32")
    x = TokenAndPositionEmbedding(MAXLEN, vocab_size, embed_dim)(inputs)
    x = TransformerBlock(embed_dim, num_heads, ff_dim)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=6000, help="training sentences")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    keras.utils.set_random_seed(42)

    words = sorted({w for group in (SUBJECTS, VERBS, INTENSIFIERS, POSITIVE, NEGATIVE)
                    for phrase in group for w in phrase.split()} | {"not", "never", "but"})
    vocab = {w: i + 1 for i, w in enumerate(words)}  # 0 is padding
    train_texts, y_train = make_reviews(args.samples, seed=0)
    test_texts, y_test = make_reviews(2000, seed=1)
    x_train, x_test = vectorize(train_texts, vocab), vectorize(test_texts, vocab)
    print(f"{len(x_train)} training and {len(x_test)} test sentences, vocabulary "
          f"{len(vocab) + 1}, e.g. {test_texts[0]!r} -> {y_test[0]}")

    model = build_model(len(vocab) + 1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_data=(x_test, y_test))
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f} (loss {loss:.4f})")


if __name__ == "__main__":
    main()
