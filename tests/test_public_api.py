"""The public names cornu promises: Keras 3's, so `import cornu as keras` finds them."""

import pytest

import cornu

TOP_LEVEL = [
    "DTypePolicy", "Initializer", "Input", "InputSpec", "KerasTensor", "Layer", "Loss", "Metric",
    "Model", "Optimizer", "Regularizer", "Sequential", "Variable", "activations", "applications",
    "backend", "callbacks", "config", "constraints", "datasets", "device", "dtype_policies",
    "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "ops",
    "optimizers", "random", "regularizers", "saving", "tree", "utils", "version",
]
MODULES = {
    "models": ["Model", "Sequential", "load_model", "model_from_json", "clone_model",
               "save_model"],
    "saving": ["load_model", "save_model", "load_weights", "save_weights",
               "register_keras_serializable", "custom_object_scope", "get_custom_objects",
               "serialize_keras_object", "deserialize_keras_object", "get_registered_name",
               "get_registered_object"],
    "utils": ["to_categorical", "normalize", "set_random_seed", "Progbar", "PyDataset",
              "get_file", "pad_sequences", "timeseries_dataset_from_array",
              "image_dataset_from_directory", "text_dataset_from_directory", "split_dataset",
              "load_img", "img_to_array", "array_to_img", "save_img", "plot_model",
              "model_to_dot", "custom_object_scope", "register_keras_serializable",
              "pack_x_y_sample_weight", "unpack_x_y_sample_weight", "clear_session"],
    "backend": ["backend", "floatx", "epsilon", "image_data_format", "set_floatx",
                "set_epsilon", "set_image_data_format", "clear_session", "standardize_dtype"],
    "mixed_precision": ["set_global_policy", "global_policy", "Policy", "LossScaleOptimizer"],
    "callbacks": ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
                  "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger",
                  "TerminateOnNaN", "LambdaCallback", "BackupAndRestore", "TensorBoard",
                  "RemoteMonitor", "SwapEMAWeights"],
    "optimizers": ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                   "Nadam", "Ftrl", "Lion", "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW",
                   "LossScaleOptimizer", "schedules", "get", "serialize", "deserialize"],
    "datasets": ["mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters",
                 "boston_housing", "california_housing"],
    "applications": ["VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2",
                     "ResNet101V2", "ResNet152V2", "MobileNet", "MobileNetV2",
                     "MobileNetV3Small", "MobileNetV3Large", "EfficientNetB0", "EfficientNetB7",
                     "EfficientNetV2B0", "EfficientNetV2S", "EfficientNetV2M", "EfficientNetV2L",
                     "DenseNet121", "DenseNet169", "DenseNet201", "InceptionV3",
                     "InceptionResNetV2", "Xception", "NASNetMobile", "NASNetLarge",
                     "ConvNeXtTiny", "ConvNeXtXLarge", "convnext", "densenet", "efficientnet",
                     "efficientnet_v2", "imagenet_utils", "inception_resnet_v2", "inception_v3",
                     "mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet", "resnet", "resnet50",
                     "resnet_v2", "vgg16", "vgg19", "xception"],
}
LAYERS = [
    "Dense", "Activation", "Flatten", "Reshape", "Dropout", "Identity", "Lambda", "InputLayer",
    "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
    "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "MaxPool2D",
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "Embedding", "Masking",
    "SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional", "TimeDistributed", "ConvLSTM2D",
    "MultiHeadAttention", "Attention", "AdditiveAttention", "EinsumDense", "Add",
    "Concatenate", "concatenate", "add", "ReLU", "LeakyReLU", "PReLU", "Softmax", "Rescaling",
    "Normalization", "TextVectorization", "StringLookup", "RandomFlip", "Resizing",
]


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_names(name):
    assert hasattr(cornu, name) and name in cornu.__all__


@pytest.mark.parametrize("module,names", MODULES.items())
def test_module_names(module, names):
    namespace = getattr(cornu, module)
    assert [n for n in names if not hasattr(namespace, n)] == []


def test_layer_names():
    assert [n for n in LAYERS if not hasattr(cornu.layers, n)] == []
