"""``cornu.datasets``: the small datasets of ``keras.datasets``, downloaded once and cached.

Each module has ``load_data()`` returning NumPy arrays with Keras's shapes, dtypes and
label conventions. Files come from Keras's sources, are checked against their published
hashes, and are cached under ``~/.cornu/datasets`` (or ``$CORNU_HOME/datasets``).
"""

from cornu.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist",
           "imdb", "mnist", "reuters"]
