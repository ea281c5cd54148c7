"""pad_sequences, timeseries/image/text datasets from arrays and folders, split_dataset,
image utilities and model plots."""

import os

import numpy as np
import pytest
from PIL import Image

import cornu
from cornu import layers
from cornu.utils import (
    array_to_img,
    image_dataset_from_directory,
    img_to_array,
    load_img,
    model_to_dot,
    pad_sequences,
    plot_model,
    save_img,
    split_dataset,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)


def test_pad_sequences():
    seqs = [[1], [2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(pad_sequences(seqs), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(seqs, padding="post", value=-1),
                                  [[1, -1, -1], [2, 3, -1], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2), [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2, truncating="post"),
                                  [[0, 1], [2, 3], [4, 5]])
    assert pad_sequences(seqs).dtype == np.int32
    vectors = pad_sequences([np.ones((1, 2)), np.ones((2, 2))], dtype="float32")
    assert vectors.shape == (2, 2, 2) and vectors[0, 0].tolist() == [0, 0]
    assert pad_sequences([["a"], ["b", "c"]], dtype=object, value="").tolist() == \
        [["", "a"], ["b", "c"]]
    with pytest.raises(ValueError, match="padding"):
        pad_sequences(seqs, padding="middle")


def test_timeseries_dataset():
    data = np.arange(20)
    ds = timeseries_dataset_from_array(data, data * 10, sequence_length=3, sampling_rate=2,
                                       sequence_stride=3, batch_size=2)
    batches = list(ds)
    x0, y0 = batches[0]
    np.testing.assert_array_equal(x0, [[0, 2, 4], [3, 5, 7]])
    np.testing.assert_array_equal(y0, [0, 30])  # the target of the window's first step
    assert len(ds) == len(batches) == 3  # starts 0, 3, ..., 15
    windows = np.concatenate([b[0] for b in batches])
    assert windows[-1].tolist() == [15, 17, 19]
    shifted = timeseries_dataset_from_array(data, None, 4, start_index=5, end_index=12,
                                            batch_size=None)
    first = next(iter(shifted))
    assert first.tolist() == [5, 6, 7, 8] and len(shifted) == 4
    shuffled = timeseries_dataset_from_array(data, data, 2, batch_size=100, shuffle=True,
                                             seed=1)
    x, y = next(iter(shuffled))
    np.testing.assert_array_equal(x[:, 0], y)  # windows and targets stay paired
    assert sorted(x[:, 0].tolist()) == list(range(19))
    with pytest.raises(ValueError, match="sampling_rate"):
        timeseries_dataset_from_array(data, None, 3, sampling_rate=0)


def test_timeseries_dataset_trains_a_model():
    series = np.sin(np.arange(60) / 5).astype("float32")[:, None]
    ds = timeseries_dataset_from_array(series[:-4], series[4:, 0], sequence_length=4,
                                       batch_size=8)
    model = cornu.Sequential([cornu.Input((4, 1)), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(ds, verbose=0).shape == (53, 1)


def test_split_dataset():
    x, y = np.arange(10), np.arange(10) * 2
    left, right = split_dataset((x, y), left_size=0.8)
    assert len(left) == 8 and len(right) == 2
    samples = list(right)
    assert samples[0][0] == 8 and samples[0][1] == 16
    left, right = split_dataset(x, right_size=3, shuffle=True, seed=0)
    together = sorted(int(v) for v in list(left) + list(right))
    assert together == list(range(10)) and len(right) == 3
    batched = left.batch(4)
    assert [len(b) for b in batched] == [4, 3]
    with pytest.raises(ValueError, match="left_size"):
        split_dataset(x, left_size=1.5)


def make_image(path, color, size=(12, 10)):
    Image.new("RGB", size, color).save(path)


def image_tree(root):
    for cls, color in (("cat", (255, 0, 0)), ("dog", (0, 0, 255))):
        os.makedirs(root / cls / "nested")
        for i in range(3):
            make_image(root / cls / f"{i}.png", color)
        make_image(root / cls / "nested" / "extra.jpg", color)
        (root / cls / "notes.txt").write_text("not an image")
    return root


def test_image_dataset_from_directory(tmp_path, capsys):
    root = image_tree(tmp_path / "photos")
    ds = image_dataset_from_directory(str(root), image_size=(8, 6), batch_size=3, seed=1)
    assert "Found 8 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cat", "dog"] and len(ds) == 3
    images, labels = next(iter(ds))
    assert images.shape == (3, 8, 6, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32
    for image, label in zip(images, labels):  # each label matches its folder's colour
        expected = [255, 0, 0] if label == 0 else [0, 0, 255]
        np.testing.assert_allclose(image[4, 3], expected, atol=1)
    all_labels = np.concatenate([b[1] for b in ds])
    assert sorted(all_labels.tolist()) == [0] * 4 + [1] * 4
    cat = image_dataset_from_directory(str(root), image_size=(4, 4), label_mode="categorical",
                                       color_mode="grayscale", shuffle=False, verbose=False)
    images, labels = next(iter(cat))
    assert images.shape[-1] == 1 and labels.shape[1] == 2
    binary = image_dataset_from_directory(str(root), image_size=(4, 4), label_mode="binary",
                                          batch_size=None, verbose=False, seed=2)
    image, label = next(iter(binary))
    assert image.shape == (4, 4, 3) and label.shape == (1,)


def test_image_dataset_validation_split_and_fit(tmp_path):
    root = image_tree(tmp_path / "photos")
    train, val = image_dataset_from_directory(str(root), image_size=(8, 8), batch_size=4,
                                              validation_split=0.25, subset="both", seed=7,
                                              verbose=False)
    assert train.num_samples == 6 and val.num_samples == 2
    assert not set(train.file_paths) & set(val.file_paths)
    model = cornu.Sequential([cornu.Input((8, 8, 3)), layers.Rescaling(1 / 255),
                              layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert "val_loss" in history.history
    with pytest.raises(ValueError, match="seed"):
        image_dataset_from_directory(str(root), validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="exactly 2"):
        os.makedirs(root / "bird")
        make_image(root / "bird" / "b.png", (0, 255, 0))
        image_dataset_from_directory(str(root), label_mode="binary", verbose=False)


def test_text_dataset_from_directory(tmp_path):
    root = tmp_path / "reviews"
    for cls, words in (("neg", "bad awful"), ("pos", "good great")):
        os.makedirs(root / cls)
        for i in range(4):
            (root / cls / f"{i}.txt").write_text(f"{words} review number {i}", "utf-8")
    (root / "pos" / "skip.md").write_text("ignored")
    ds = text_dataset_from_directory(str(root), batch_size=3, seed=5, verbose=False)
    assert ds.class_names == ["neg", "pos"] and len(ds) == 3
    texts, labels = next(iter(ds))
    assert texts.dtype == object and isinstance(texts[0], str)
    for text, label in zip(texts, labels):
        assert ("good" in text) == (label == 1)
    short = text_dataset_from_directory(str(root), max_length=4, shuffle=False, verbose=False,
                                        label_mode=None)
    first = next(iter(short))
    assert first[0] == "bad "  # no labels: batches are texts only
    train = text_dataset_from_directory(str(root), validation_split=0.25, subset="training",
                                        seed=1, verbose=False)
    vectorizer = layers.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(np.concatenate([t for t, _ in train]))
    assert "good" in vectorizer.get_vocabulary()


def test_image_utils_round_trip(tmp_path, rng):
    array = rng.integers(0, 256, (6, 5, 3)).astype("float32")
    path = tmp_path / "img.png"
    save_img(str(path), array, scale=False)
    loaded = img_to_array(load_img(str(path)))
    np.testing.assert_array_equal(loaded, array)
    assert img_to_array(load_img(str(path), color_mode="grayscale")).shape == (6, 5, 1)
    assert load_img(str(path), target_size=(3, 4)).size == (4, 3)
    first = img_to_array(load_img(str(path)), data_format="channels_first")
    assert first.shape == (3, 6, 5)
    scaled = img_to_array(array_to_img(np.linspace(0, 1, 30).reshape(6, 5, 1)))
    assert scaled.min() == 0 and scaled.max() == 255
    save_img(str(tmp_path / "img.jpg"), np.concatenate([array, array[..., :1]], -1))
    assert load_img(str(tmp_path / "img.jpg")).mode == "RGB"
    with pytest.raises(ValueError, match="color_mode"):
        load_img(str(path), color_mode="cmyk")


def test_model_to_dot_and_plot(tmp_path):
    inputs = cornu.Input((4,), name="features")
    a = layers.Dense(3, activation="relu", name="a")(inputs)
    b = layers.Dense(3, name="b")(inputs)
    outputs = layers.Dense(1, name="out")(a)
    model = cornu.Model(inputs, [outputs, b])
    dot = model_to_dot(model, show_shapes=True, show_layer_activations=True)
    labels = " ".join(n.get_label() or "" for n in dot.get_nodes())
    assert "a (Dense)" in labels and "Output shape: (None, 3)" in labels
    assert "Activation: relu" in labels
    assert len(dot.get_edges()) == 3  # features->a, features->b, a->out
    path = tmp_path / "model.dot"
    plot_model(model, to_file=str(path))
    assert "digraph" in path.read_text()
    sequential = cornu.Sequential([cornu.Input((2,)), layers.Dense(2), layers.Dense(1)])
    assert len(model_to_dot(sequential).get_edges()) >= 2
    with pytest.raises(ValueError, match="expand_nested"):
        model_to_dot(model, expand_nested=True)
