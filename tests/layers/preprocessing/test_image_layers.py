"""Resizing, CenterCrop, cornu.ops.image and the augmentation layers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import layers, ops


def to_np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("interpolation,mode", [("bilinear", "bilinear"),
                                                ("nearest", "nearest-exact"),
                                                ("bicubic", "bicubic")])
def test_resizing_matches_torch_interpolate(rng, interpolation, mode):
    x = rng.standard_normal((2, 7, 9, 3)).astype("float32")
    out = to_np(layers.Resizing(4, 5, interpolation=interpolation)(x))
    align = False if mode != "nearest-exact" else None
    expected = F.interpolate(torch.from_numpy(x).permute(0, 3, 1, 2), size=(4, 5), mode=mode,
                             align_corners=align).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_resizing_aspect_ratio_and_dtypes(rng):
    x = rng.uniform(0, 255, (1, 6, 8, 1)).astype("float32")
    cropped = to_np(layers.Resizing(3, 3, crop_to_aspect_ratio=True)(x))
    np.testing.assert_allclose(cropped, to_np(ops.image.resize(x[:, :, 1:7], (3, 3))),
                               rtol=1e-6)
    padded = to_np(layers.Resizing(8, 8, pad_to_aspect_ratio=True, fill_value=-1.0)(x))
    assert padded.shape == (1, 8, 8, 1) and (padded[0, 0] == -1).all()
    as_uint8 = layers.Resizing(3, 4)(x.astype("uint8"))
    assert ops.dtype(as_uint8) == "uint8"
    first = layers.Resizing(3, 4, data_format="channels_first")(x.transpose(0, 3, 1, 2))
    assert ops.shape(first) == (1, 1, 3, 4)
    symbolic = layers.Resizing(3, 4)(cornu.Input((6, 8, 1)))
    assert tuple(symbolic.shape) == (None, 3, 4, 1)
    with pytest.raises(ValueError, match="interpolation"):
        layers.Resizing(2, 2, interpolation="lanczos7")


def test_center_crop(rng):
    x = rng.standard_normal((2, 5, 6, 2)).astype("float32")
    np.testing.assert_array_equal(to_np(layers.CenterCrop(3, 4)(x)), x[:, 1:4, 1:5])
    small = to_np(layers.CenterCrop(8, 8)(x))  # smaller inputs are resized, aspect kept
    assert small.shape == (2, 8, 8, 2)
    assert layers.CenterCrop(3, 4).get_config()["height"] == 3


FILL_TO_NUMPY = {"reflect": "symmetric", "mirror": "reflect", "wrap": "wrap", "nearest": "edge"}


@pytest.mark.parametrize("fill_mode", sorted(FILL_TO_NUMPY))
def test_affine_translation_fill_modes_match_numpy_pad(rng, fill_mode):
    x = rng.standard_normal((1, 5, 6, 1)).astype("float32")
    shift = [1, 0, -3, 0, 1, 2, 0, 0]  # output(y, x) = input(y + 2, x - 3)
    out = to_np(ops.image.affine_transform(x, shift, interpolation="nearest",
                                           fill_mode=fill_mode))
    padded = np.pad(x[0, :, :, 0], 8, mode=FILL_TO_NUMPY[fill_mode])
    expected = padded[8 + 2:8 + 2 + 5, 8 - 3:8 - 3 + 6]
    np.testing.assert_allclose(out[0, :, :, 0], expected)


def test_rotation_by_a_quarter_turn_is_rot90(rng):
    x = rng.standard_normal((2, 5, 5, 3)).astype("float32")
    out = to_np(layers.RandomRotation(factor=(0.25, 0.25))(x))
    np.testing.assert_allclose(out, np.rot90(x, k=1, axes=(1, 2)), atol=1e-5)


def test_augmentations_are_identity_outside_training(rng):
    x = rng.uniform(0, 255, (3, 8, 8, 3)).astype("float32")
    augmenters = [layers.RandomFlip(seed=1), layers.RandomRotation(0.2, seed=1),
                  layers.RandomZoom(0.3, seed=1), layers.RandomTranslation(0.2, 0.2, seed=1),
                  layers.RandomContrast(0.5, seed=1), layers.RandomBrightness(0.3, seed=1)]
    model = cornu.Sequential([cornu.Input((8, 8, 3))] + augmenters)
    np.testing.assert_allclose(model.predict(x, verbose=0), x, rtol=1e-6)
    changed = to_np(model(x, training=True))
    assert np.abs(changed - x).max() > 1.0
    for layer in augmenters:
        np.testing.assert_array_equal(to_np(layer(x, training=False)), x)
        assert type(layer).from_config(layer.get_config()).get_config() | {"name": 0} == \
            layer.get_config() | {"name": 0}


def test_augmentation_in_fit(rng):
    x = rng.uniform(0, 1, (8, 8, 8, 1)).astype("float32")
    y = rng.uniform(0, 1, (8, 1)).astype("float32")
    model = cornu.Sequential([cornu.Input((8, 8, 1)), layers.RandomFlip("horizontal"),
                              layers.RandomCrop(6, 6), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert model.predict(x, verbose=0).shape == (8, 1)


def test_flip_and_seed_reproducibility(rng):
    x = rng.standard_normal((16, 4, 5, 2)).astype("float32")
    out = to_np(layers.RandomFlip("horizontal", seed=3)(x))
    flipped = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, x)]
    kept = [np.array_equal(o, i) for o, i in zip(out, x)]
    assert all(f or k for f, k in zip(flipped, kept)) and any(flipped) and any(kept)
    again = to_np(layers.RandomFlip("horizontal", seed=3)(x))
    np.testing.assert_array_equal(out, again)


def test_value_range_layers(rng):
    x = rng.uniform(0, 1, (4, 6, 6, 3)).astype("float32")
    bright = to_np(layers.RandomBrightness(factor=(0.5, 0.5), value_range=(0, 1))(x))
    np.testing.assert_allclose(bright, np.clip(x + 0.5, 0, 1), rtol=1e-6)
    contrast = to_np(layers.RandomContrast(factor=(0.5, 0.5), value_range=(0, 1))(x))
    mean = x.mean(axis=(1, 2), keepdims=True)
    # (0.5, 0.5) draws factors in [1 - 0.5, 1 + 0.5]: the output stays between the
    # half-contrast and the 1.5x-contrast images.
    low, high = (x - mean) * 0.5 + mean, np.clip((x - mean) * 1.5 + mean, 0, 1)
    assert np.all(contrast >= np.minimum(low, high) - 1e-5)
    assert np.all(contrast <= np.maximum(low, high) + 1e-5)
    with pytest.raises(ValueError, match="value_range"):
        layers.RandomBrightness(0.1, value_range=(0,))
    with pytest.raises(ValueError, match="factor"):
        layers.RandomContrast(2.0)


def test_random_crop_training_and_inference(rng):
    x = rng.standard_normal((2, 8, 10, 1)).astype("float32")
    layer = layers.RandomCrop(4, 6, seed=0)
    train = to_np(layer(x))
    assert train.shape == (2, 4, 6, 1)
    windows = [x[:, i:i + 4, j:j + 6] for i in range(5) for j in range(5)]
    assert any(np.array_equal(train, w) for w in windows)
    np.testing.assert_array_equal(to_np(layer(x, training=False)), x[:, 2:6, 2:8])
