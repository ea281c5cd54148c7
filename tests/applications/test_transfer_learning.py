"""Transfer learning as the Keras guide does it: a frozen base (weights fixed,
BatchNormalization in inference mode), a new head, then fine-tuning after unfreezing."""

import numpy as np

import cornu
from cornu import layers, ops


def _weights(model):
    return [ops.convert_to_numpy(w).copy() for w in model.weights]


def _data(rng, n=16):
    x = rng.uniform(0, 255, (n, 32, 32, 3)).astype("float32")
    return x, rng.integers(0, 3, n)


def _transfer_model():
    base = cornu.applications.MobileNetV2(weights=None, include_top=False, alpha=0.35,
                                          input_shape=(32, 32, 3), pooling="avg")
    inputs = cornu.Input((32, 32, 3))
    x = cornu.applications.mobilenet_v2.preprocess_input(inputs)
    x = base(x, training=False)  # BatchNormalization stays in inference mode, as the guide says
    outputs = layers.Dense(3, activation="softmax")(layers.Dropout(0.2)(x))
    return base, cornu.Model(inputs, outputs)


def test_frozen_base_keeps_its_weights_and_statistics(rng):
    base, model = _transfer_model()
    base.trainable = False
    assert len(model.trainable_weights) == 2  # only the new head
    assert all(not layer.trainable for layer in base.layers)
    before = _weights(base)
    head_before = _weights(model.layers[-1])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(*_data(rng), epochs=2, batch_size=8, verbose=0)
    for old, new in zip(before, _weights(base)):
        np.testing.assert_array_equal(old, new)  # moving statistics included
    assert any(not np.array_equal(a, b) for a, b in zip(head_before,
                                                        _weights(model.layers[-1])))


def test_frozen_batch_normalization_runs_in_inference_mode_even_when_training(rng):
    base = cornu.applications.ResNet50(weights=None, include_top=False,
                                       input_shape=(32, 32, 3), pooling="avg")
    base.trainable = False
    x = rng.uniform(0, 1, (4, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(base(x, training=True)),
                               ops.convert_to_numpy(base(x, training=False)), rtol=1e-5,
                               atol=1e-5)


def test_unfrozen_base_fine_tunes_with_inference_statistics(rng):
    base, model = _transfer_model()
    base.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = _data(rng)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    base.trainable = True
    model.compile(optimizer=cornu.optimizers.Adam(1e-5), loss="sparse_categorical_crossentropy")
    assert len(model.trainable_weights) == len(base.trainable_weights) + 2
    bn = base.get_layer("bn_Conv1")
    conv = base.get_layer("Conv1")
    stats, kernel = _weights(bn)[2:], _weights(conv)[0]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.array_equal(kernel, _weights(conv)[0])  # fine-tuned
    for old, new in zip(stats, _weights(bn)[2:]):
        np.testing.assert_array_equal(old, new)  # base(x, training=False): statistics kept


def test_feature_extractor_with_a_new_head_on_the_functional_api(rng):
    base = cornu.applications.EfficientNetB0(weights=None, include_top=False,
                                             input_shape=(32, 32, 3))
    x = layers.GlobalAveragePooling2D()(base.output)
    outputs = layers.Dense(5)(x)
    model = cornu.Model(base.input, outputs)
    assert model.output_shape == (None, 5)
    features = cornu.Model(base.input, base.get_layer("block6a_expand_activation").output)
    assert features.output_shape == (None, 2, 2, 672)
    assert ops.convert_to_numpy(model(_data(rng, 2)[0])).shape == (2, 5)


def test_custom_application_layers_round_trip(tmp_path, rng):
    """InceptionResNetV2's and ConvNeXt's own layers save and load by name."""
    from cornu.applications.convnext import LayerScale
    from cornu.applications.inception_resnet_v2 import CustomScaleLayer

    inputs = cornu.Input((4, 4, 8))
    scaled = LayerScale(0.5, 8, name="scale")(layers.Conv2D(8, 1)(inputs))
    outputs = CustomScaleLayer(0.17, name="residual")([inputs, scaled])
    model = cornu.Model(inputs, outputs)
    x = rng.normal(size=(2, 4, 4, 8)).astype("float32")
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = cornu.saving.load_model(path)
    assert loaded.get_layer("residual").scale == 0.17
    assert loaded.get_layer("scale").get_config()["projection_dim"] == 8
    np.testing.assert_allclose(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)),
                               rtol=1e-6)


def test_application_model_saves_and_loads(tmp_path, rng):
    model = cornu.applications.MobileNetV3Small(weights=None, alpha=0.75,
                                                input_shape=(32, 32, 3), classes=4)
    x = rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    path = str(tmp_path / "mnv3.keras")
    model.save(path)
    loaded = cornu.saving.load_model(path)
    np.testing.assert_allclose(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)),
                               rtol=1e-5, atol=1e-6)
