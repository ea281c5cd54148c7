"""``cornu.layers``: the layer classes, as ``keras.layers``.

Every class is re-exported here by hand and registered by name, so that saved models
resolve layers from this list only.
"""

from cornu.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from cornu.layers.attention.additive_attention import AdditiveAttention
from cornu.layers.attention.attention import Attention
from cornu.layers.attention.grouped_query_attention import (
    GroupedQueryAttention,
    GroupQueryAttention,
)
from cornu.layers.attention.multi_head_attention import MultiHeadAttention
from cornu.layers.conv import Conv1D, Conv2D, Conv3D
from cornu.layers.conv_transpose import Conv1DTranspose, Conv2DTranspose, Conv3DTranspose
from cornu.layers.core import Activation, Dense, Identity, Lambda
from cornu.layers.depthwise_separable import (
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)
from cornu.layers.einsum_dense import EinsumDense
from cornu.layers.embedding import Embedding, ReversibleEmbedding
from cornu.layers.input_layer import Input, InputLayer
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer
from cornu.layers.masking import Masking
from cornu.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from cornu.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from cornu.layers.pooling import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from cornu.layers.preprocessing import (
    CategoryEncoding,
    CenterCrop,
    Discretization,
    Hashing,
    IntegerLookup,
    Normalization,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
    StringLookup,
    TextVectorization,
)
from cornu.layers.regularization import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from cornu.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    Flatten,
    Permute,
    RepeatVector,
    Reshape,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from cornu.layers.rnn.bidirectional import Bidirectional
from cornu.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from cornu.layers.rnn.gru import GRU, GRUCell
from cornu.layers.rnn.lstm import LSTM, LSTMCell
from cornu.layers.rnn.rnn import RNN
from cornu.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from cornu.layers.rnn.stacked_rnn_cells import StackedRNNCells
from cornu.layers.rnn.time_distributed import TimeDistributed
from cornu.layers.wrappers import SpectralNormalization, Wrapper
from cornu.saving.serialization_lib import register_builtin

# Keras's alternative names for the same classes.
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)

_CLASSES = (
    Activation, ActivityRegularization, AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D, AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D,
    Add, AdditiveAttention, AlphaDropout, Attention, Average, AveragePooling1D, AveragePooling2D,
    AveragePooling3D, BatchNormalization, Bidirectional, CategoryEncoding, CenterCrop,
    Concatenate, Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose,
    ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, Cropping1D, Cropping2D, Cropping3D, Dense,
    DepthwiseConv1D, DepthwiseConv2D, Discretization, Dot, Dropout, ELU, EinsumDense, Embedding,
    Flatten, GaussianDropout, GaussianNoise, GlobalAveragePooling1D, GlobalAveragePooling2D,
    GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D,
    GroupNormalization, GroupedQueryAttention, GRU, GRUCell, Hashing, Identity, InputLayer,
    IntegerLookup, Lambda, Layer, LayerNormalization, LeakyReLU, LSTM, LSTMCell, Masking,
    Maximum, MaxPooling1D, MaxPooling2D, MaxPooling3D, Minimum, MultiHeadAttention, Multiply,
    Normalization, Permute, PReLU, RandomBrightness, RandomContrast, RandomCrop, RandomFlip,
    RandomRotation, RandomTranslation, RandomZoom, ReLU, RepeatVector, Rescaling, Reshape,
    Resizing, ReversibleEmbedding, RMSNormalization, RNN, SeparableConv1D, SeparableConv2D,
    SimpleRNN, SimpleRNNCell, Softmax, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
    SpectralNormalization, StackedRNNCells, StringLookup, Subtract, TextVectorization,
    TimeDistributed, UnitNormalization, UpSampling1D, UpSampling2D, UpSampling3D, Wrapper,
    ZeroPadding1D, ZeroPadding2D, ZeroPadding3D,
)
_ALIASES = {
    "Convolution1D": Conv1D, "Convolution2D": Conv2D, "Convolution3D": Conv3D,
    "Convolution1DTranspose": Conv1DTranspose, "Convolution2DTranspose": Conv2DTranspose,
    "Convolution3DTranspose": Conv3DTranspose,
    "SeparableConvolution1D": SeparableConv1D, "SeparableConvolution2D": SeparableConv2D,
    "MaxPool1D": MaxPooling1D, "MaxPool2D": MaxPooling2D, "MaxPool3D": MaxPooling3D,
    "AvgPool1D": AveragePooling1D, "AvgPool2D": AveragePooling2D, "AvgPool3D": AveragePooling3D,
    "GlobalMaxPool1D": GlobalMaxPooling1D, "GlobalMaxPool2D": GlobalMaxPooling2D,
    "GlobalMaxPool3D": GlobalMaxPooling3D, "GlobalAvgPool1D": GlobalAveragePooling1D,
    "GlobalAvgPool2D": GlobalAveragePooling2D, "GlobalAvgPool3D": GlobalAveragePooling3D,
    "GroupQueryAttention": GroupedQueryAttention,
}
register_builtin(*_CLASSES, aliases=_ALIASES)

__all__ = sorted([cls.__name__ for cls in _CLASSES] + list(_ALIASES) + [
    "Input", "InputSpec", "add", "average", "concatenate", "dot", "maximum", "minimum",
    "multiply", "subtract"])
