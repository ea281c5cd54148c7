"""``cornu.layers``: the layer classes, as ``keras.layers``."""

from cornu.layers.attention.additive_attention import AdditiveAttention
from cornu.layers.attention.attention import Attention
from cornu.layers.attention.grouped_query_attention import GroupQueryAttention
from cornu.layers.attention.multi_head_attention import MultiHeadAttention
from cornu.layers.core import Activation, Dense, Identity, Lambda
from cornu.layers.einsum_dense import EinsumDense
from cornu.layers.input_layer import Input, InputLayer
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer
from cornu.layers.regularization import Dropout
from cornu.layers.reshaping import Flatten, Reshape
from cornu.saving.serialization_lib import register_builtin

register_builtin(Activation, Dense, Dropout, Flatten, Identity, InputLayer, Lambda, Layer, Reshape)
register_builtin(AdditiveAttention, Attention, EinsumDense, GroupQueryAttention,
                 MultiHeadAttention, aliases={"GroupedQueryAttention": GroupQueryAttention})

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Identity", "Input", "InputLayer",
           "InputSpec", "Lambda", "Layer", "Reshape"]
__all__ += ["AdditiveAttention", "Attention", "EinsumDense", "GroupQueryAttention",
            "MultiHeadAttention"]
