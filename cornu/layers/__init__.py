"""``cornu.layers``: the layer classes, as ``keras.layers``."""

from cornu.layers.core import Activation, Dense, Identity, Lambda
from cornu.layers.embedding import Embedding, ReversibleEmbedding
from cornu.layers.input_layer import Input, InputLayer
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer
from cornu.layers.masking import Masking
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
from cornu.layers.regularization import Dropout
from cornu.layers.reshaping import Flatten, Reshape
from cornu.layers.rnn.bidirectional import Bidirectional
from cornu.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from cornu.layers.rnn.gru import GRU, GRUCell
from cornu.layers.rnn.lstm import LSTM, LSTMCell
from cornu.layers.rnn.rnn import RNN
from cornu.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from cornu.layers.rnn.stacked_rnn_cells import StackedRNNCells
from cornu.layers.rnn.time_distributed import TimeDistributed
from cornu.saving.serialization_lib import register_builtin

register_builtin(Activation, Dense, Dropout, Flatten, Identity, InputLayer, Lambda, Layer, Reshape)
register_builtin(CategoryEncoding, CenterCrop, Discretization, Hashing, IntegerLookup,
                 Normalization, RandomBrightness, RandomContrast, RandomCrop, RandomFlip,
                 RandomRotation, RandomTranslation, RandomZoom, Rescaling, Resizing,
                 StringLookup, TextVectorization)
register_builtin(Bidirectional, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, Embedding, GRU, GRUCell,
                 LSTM, LSTMCell, Masking, ReversibleEmbedding, RNN, SimpleRNN, SimpleRNNCell,
                 StackedRNNCells, TimeDistributed)

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Identity", "Input", "InputLayer",
           "InputSpec", "Lambda", "Layer", "Reshape"]
__all__ += ["CategoryEncoding", "CenterCrop", "Discretization", "Hashing", "IntegerLookup",
            "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip",
            "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
            "StringLookup", "TextVectorization"]
__all__ += ["Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Embedding", "GRU",
            "GRUCell", "LSTM", "LSTMCell", "Masking", "RNN", "ReversibleEmbedding", "SimpleRNN",
            "SimpleRNNCell", "StackedRNNCells", "TimeDistributed"]
