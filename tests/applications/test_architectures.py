"""Every architecture has Keras's structure (parameter, layer and weight counts measured
once with real Keras 3.15.1, ``weights=None``, default arguments) and runs forward: on shapes
for all of them, on numbers at small sizes for one or more per family (the Keras parity tests
run VGG16, ResNet50, MobileNetV2, EfficientNetB0, DenseNet121, InceptionV3, ConvNeXtTiny)."""

import numpy as np
import pytest

import cornu
from cornu import ops

# name: (parameters, layers, weights) of keras.applications.<name>(weights=None)
KERAS_COUNTS = {
    "VGG16": (138_357_544, 23, 32),
    "VGG19": (143_667_240, 26, 38),
    "ResNet50": (25_636_712, 177, 320),
    "ResNet101": (44_707_176, 347, 626),
    "ResNet152": (60_419_944, 517, 932),
    "ResNet50V2": (25_613_800, 192, 272),
    "ResNet101V2": (44_675_560, 379, 544),
    "ResNet152V2": (60_380_648, 566, 816),
    "MobileNet": (4_253_864, 91, 137),
    "MobileNetV2": (3_538_984, 156, 262),
    "MobileNetV3Small": (2_554_968, 164, 210),
    "MobileNetV3Large": (5_507_432, 194, 266),
    "EfficientNetB0": (5_330_571, 240, 314),
    "EfficientNetB1": (7_856_239, 342, 442),
    "EfficientNetB2": (9_177_569, 342, 442),
    "EfficientNetB3": (12_320_535, 387, 499),
    "EfficientNetB4": (19_466_823, 477, 613),
    "EfficientNetB5": (30_562_527, 579, 741),
    "EfficientNetB6": (43_265_143, 669, 855),
    "EfficientNetB7": (66_658_687, 816, 1040),
    "EfficientNetV2B0": (7_200_312, 273, 361),
    "EfficientNetV2B1": (8_212_124, 337, 443),
    "EfficientNetV2B2": (10_178_374, 352, 462),
    "EfficientNetV2B3": (14_467_622, 412, 538),
    "EfficientNetV2S": (21_612_360, 516, 672),
    "EfficientNetV2M": (54_431_388, 743, 963),
    "EfficientNetV2L": (119_027_848, 1031, 1331),
    "DenseNet121": (8_062_504, 429, 606),
    "DenseNet169": (14_307_880, 597, 846),
    "DenseNet201": (20_242_984, 709, 1006),
    "InceptionV3": (23_851_784, 313, 378),
    "InceptionResNetV2": (55_873_736, 782, 898),
    "Xception": (22_910_480, 134, 236),
    "NASNetMobile": (5_326_716, 771, 1126),
    "NASNetLarge": (88_949_818, 1041, 1546),
    "ConvNeXtTiny": (28_589_128, 135, 182),
    "ConvNeXtSmall": (50_223_688, 261, 344),
    "ConvNeXtBase": (88_591_464, 261, 344),
    "ConvNeXtLarge": (197_767_336, 261, 344),
    "ConvNeXtXLarge": (350_196_968, 261, 344),
}

# One forward pass per family at a small size: (name, kwargs, image size, output shape).
FORWARD = [
    ("VGG19", {"include_top": False, "pooling": "avg"}, 32, (2, 512)),
    ("ResNet101", {"include_top": False, "pooling": "max"}, 32, (2, 2048)),
    ("ResNet50V2", {"include_top": False}, 32, (2, 1, 1, 2048)),
    ("MobileNet", {"alpha": 0.25, "classes": 3}, 32, (2, 3)),
    ("MobileNetV2", {"alpha": 0.35, "include_top": False, "pooling": "avg"}, 32, (2, 1280)),
    ("MobileNetV3Small", {"classes": 4}, 32, (2, 4)),
    ("MobileNetV3Large", {"include_top": False, "pooling": "avg", "minimalistic": True}, 32,
     (2, 960)),
    ("EfficientNetB1", {"include_top": False, "pooling": "avg"}, 32, (2, 1280)),
    ("EfficientNetV2B0", {"classes": 6}, 32, (2, 6)),
    ("EfficientNetV2S", {"include_top": False, "pooling": "avg"}, 32, (2, 1280)),
    ("DenseNet169", {"include_top": False}, 32, (2, 1, 1, 1664)),
    ("InceptionResNetV2", {"include_top": False, "pooling": "avg"}, 75, (2, 1536)),
    ("Xception", {"include_top": False, "pooling": "avg"}, 71, (2, 2048)),
    ("NASNetMobile", {"include_top": False, "pooling": "avg", "input_shape": (32, 32, 3)}, 32,
     (2, 1056)),
    ("ConvNeXtSmall", {"include_top": False, "pooling": "avg"}, 32, (2, 768)),
]


@pytest.fixture
def shape_only_weights(monkeypatch):
    """Builds weights on torch's "meta" device with zero initial values: the structure and
    shapes are real, but no memory is filled (ConvNeXtXLarge has 350M parameters)."""
    def zeros(shape, *args, dtype=None, **kwargs):
        return ops.zeros(shape, dtype=dtype)

    for draw in ("uniform", "normal", "truncated_normal"):
        monkeypatch.setattr(cornu.random, draw, zeros)
    with cornu.device("meta"):
        yield


@pytest.mark.parametrize("name", sorted(KERAS_COUNTS))
def test_counts_equal_keras(name, shape_only_weights):
    model = getattr(cornu.applications, name)(weights=None)
    params, n_layers, n_weights = KERAS_COUNTS[name]
    assert model.count_params() == params
    assert len(model.layers) == n_layers
    assert len(model.weights) == n_weights
    assert model.output_shape == (None, 1000)
    # A forward pass on the meta device runs every layer's call on shapes only.
    shape = tuple(224 if d is None else d for d in model.input_shape[1:])
    out = model(ops.zeros((1,) + shape))
    assert tuple(out.shape) == (1, 1000)


@pytest.mark.parametrize("name,kwargs,size,expected", FORWARD, ids=[f[0] for f in FORWARD])
def test_forward_pass(name, kwargs, size, expected):
    model = getattr(cornu.applications, name)(weights=None, **{"input_shape": (size, size, 3),
                                                               **kwargs})
    x = np.random.default_rng(0).uniform(0, 255, (2, size, size, 3)).astype("float32")
    out = ops.convert_to_numpy(model.predict(x, verbose=0))
    assert out.shape == expected
    assert np.isfinite(out).all()
    if kwargs.get("include_top", True):
        np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-5)  # softmax classifier
