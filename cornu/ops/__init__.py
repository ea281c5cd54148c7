"""``cornu.ops``: the backend-neutral operations layers and users compute with.

The names and semantics are Keras 3's ``keras.ops``: NumPy-like functions (``add``,
``matmul``, ``mean`` ...), neural-network functions (``relu``, ``softmax``,
``one_hot`` ...), math and core functions (``convert_to_tensor``, ``cast``, ``top_k`` ...).
"""

from cornu.backend import foreach
from cornu.ops import core, image, math, nn, numpy
from cornu.ops.core import *  # noqa: F401,F403
from cornu.ops.math import *  # noqa: F401,F403
from cornu.ops.nn import *  # noqa: F401,F403
from cornu.ops.numpy import *  # noqa: F401,F403
