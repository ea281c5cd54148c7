"""preprocess_input, decode_predictions and the argument checks the architectures share."""

import hashlib
import json

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from cornu.applications import imagenet_utils
from tests.loopback import cornu_home, server  # noqa: F401  (fixtures)

CAFFE_MEAN = np.array([103.939, 116.779, 123.68], "float32")
TORCH_MEAN = np.array([0.485, 0.456, 0.406], "float32")
TORCH_STD = np.array([0.229, 0.224, 0.225], "float32")


def expected(x, mode):
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        return (x / 255.0 - TORCH_MEAN) / TORCH_STD
    return x[..., ::-1] - CAFFE_MEAN


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_modes_on_arrays_tensors_and_channels_first(mode, rng):
    x = rng.uniform(0, 255, (2, 4, 5, 3)).astype("float32")
    want = expected(x, mode)
    got = imagenet_utils.preprocess_input(x.copy(), mode=mode)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    tensor = imagenet_utils.preprocess_input(ops.convert_to_tensor(x), mode=mode)
    np.testing.assert_allclose(ops.convert_to_numpy(tensor), want, rtol=1e-5, atol=1e-4)
    first = np.moveaxis(x, -1, 1)
    got = imagenet_utils.preprocess_input(first.copy(), data_format="channels_first", mode=mode)
    np.testing.assert_allclose(np.moveaxis(got, 1, -1), want, rtol=1e-5, atol=1e-4)
    tensor = imagenet_utils.preprocess_input(ops.convert_to_tensor(first[0]),
                                             data_format="channels_first", mode=mode)
    np.testing.assert_allclose(np.moveaxis(ops.convert_to_numpy(tensor), 0, -1), want[0],
                               rtol=1e-5, atol=1e-4)


def test_preprocess_in_place_for_floats_and_symbolic_inputs(rng):
    x = rng.uniform(0, 255, (1, 2, 2, 3)).astype("float32")
    same = imagenet_utils.preprocess_input(x, mode="tf")
    assert same is x  # floating arrays are written over, as in Keras
    ints = np.full((1, 2, 2, 3), 255, dtype="uint8")
    out = imagenet_utils.preprocess_input(ints, mode="tf")
    assert out.dtype == np.float32 and ints[0, 0, 0, 0] == 255
    np.testing.assert_allclose(out, 1.0)
    inputs = cornu.Input((2, 2, 3))
    model = cornu.Model(inputs, cornu.applications.vgg16.preprocess_input(inputs))
    raw = rng.uniform(0, 255, (1, 2, 2, 3)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(model(raw)), expected(raw, "caffe"),
                               rtol=1e-5, atol=1e-4)


def test_family_preprocessing_modes(rng):
    x = rng.uniform(0, 255, (1, 2, 2, 3)).astype("float32")
    apps = cornu.applications
    for module, mode in [(apps.vgg19, "caffe"), (apps.resnet, "caffe"), (apps.resnet50, "caffe"),
                         (apps.resnet_v2, "tf"), (apps.mobilenet, "tf"),
                         (apps.mobilenet_v2, "tf"), (apps.inception_v3, "tf"),
                         (apps.inception_resnet_v2, "tf"), (apps.xception, "tf"),
                         (apps.nasnet, "tf"), (apps.densenet, "torch")]:
        np.testing.assert_allclose(module.preprocess_input(x.copy()), expected(x, mode),
                                   rtol=1e-5, atol=1e-4, err_msg=module.__name__)
    for module in (apps.mobilenet_v3, apps.efficientnet, apps.efficientnet_v2, apps.convnext):
        assert module.preprocess_input(x) is x  # these models normalize inputs themselves


def test_preprocess_rejects_unknown_mode_and_format():
    with pytest.raises(ValueError, match="mode=bgr"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="bgr")
    with pytest.raises(ValueError, match="data_format=nhwc"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), data_format="nhwc")


def test_decode_predictions_downloads_the_class_index_once(server, cornu_home, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    payload = json.dumps(index).encode()
    url = server.add("imagenet_class_index.json", payload)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", url)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(payload).hexdigest())
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    preds = np.zeros((2, 1000), "float32")
    preds[0, [7, 3, 500]] = [0.5, 0.3, 0.2]
    preds[1, 999] = 1.0
    decoded = cornu.applications.resnet50.decode_predictions(preds, top=3)
    assert [entry[:2] for entry in decoded[0]] == [("n00000007", "class_7"),
                                                   ("n00000003", "class_3"),
                                                   ("n00000500", "class_500")]
    np.testing.assert_allclose([entry[2] for entry in decoded[0]], [0.5, 0.3, 0.2])
    assert decoded[1][0][:2] == ("n00000999", "class_999") and len(decoded[1]) == 3
    cornu.applications.mobilenet_v3.decode_predictions(ops.convert_to_tensor(preds))
    assert len(server.requests) == 1
    assert (cornu_home / "models" / "imagenet_class_index.json").exists()


def test_decode_predictions_checks_the_shape():
    with pytest.raises(ValueError, match=r"\(samples, 1000\).*\(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_obtain_input_shape_rules():
    obtain = imagenet_utils.obtain_input_shape
    assert obtain(None, 224, 32, "channels_last", True) == (224, 224, 3)
    assert obtain(None, 224, 32, "channels_last", False) == (None, None, 3)
    assert obtain(None, 299, 75, "channels_first", True, "imagenet") == (3, 299, 299)
    assert obtain((64, 48, 3), 224, 32, "channels_last", False, "imagenet") == (64, 48, 3)
    with pytest.raises(ValueError, match=r"should be \(224, 224, 3\)"):
        obtain((128, 128, 3), 224, 32, "channels_last", True, "imagenet")
    with pytest.raises(ValueError, match="at least 75x75"):
        obtain((64, 64, 3), 299, 75, "channels_last", False)
    with pytest.raises(ValueError, match="3 channels"):
        obtain((64, 64, 1), 224, 32, "channels_last", False, "imagenet")
    with pytest.raises(ValueError, match="static `input_shape`"):
        obtain((None, None, 3), 224, 32, "channels_last", True)
    with pytest.warns(UserWarning, match="5 input channels"):
        obtain((64, 64, 5), 224, 32, "channels_last", False)


def test_correct_pad_matches_tensorflow_same_padding():
    assert imagenet_utils.correct_pad(cornu.Input((32, 32, 3)), 3) == ((0, 1), (0, 1))
    assert imagenet_utils.correct_pad(cornu.Input((33, 33, 3)), 5) == ((2, 2), (2, 2))
    assert imagenet_utils.correct_pad(cornu.Input((None, None, 3)), 3) == ((0, 1), (0, 1))


def test_builder_arguments_are_checked(tmp_path):
    apps = cornu.applications
    with pytest.raises(ValueError, match="weights=missing.h5"):
        apps.ResNet50(weights="missing.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        apps.VGG16(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="classifier_activation=relu"):
        apps.MobileNetV2(weights=str(tmp_path), alpha=0.35, input_shape=(32, 32, 3),
                         classifier_activation="relu")
    with pytest.raises(ValueError, match="pooling='mean'"):
        apps.DenseNet121(weights=None, include_top=False, pooling="mean")
    with pytest.raises(ValueError, match="input_tensor"):
        apps.Xception(weights=None, include_top=False, input_tensor=np.zeros((1, 71, 71, 3)))
    with pytest.raises(ValueError, match="alpha"):
        apps.MobileNet(weights="imagenet", alpha=0.3)


def test_input_tensor_keeps_the_layers_before_it(rng):
    inputs = cornu.Input((32, 32, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    model = cornu.applications.MobileNetV2(weights=None, include_top=False, alpha=0.35,
                                           input_tensor=x, pooling="avg")
    assert model.inputs[0] is inputs and model.layers[1].name.startswith("rescaling")
    raw = rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    assert ops.convert_to_numpy(model(raw)).shape == (2, 1280)
