"""Image operations (``cornu.ops.image.resize`` ...), as ``keras.ops.image``.

Images are rank 3 (one image) or rank 4 (a batch), channels last unless
``data_format="channels_first"``.
"""

from cornu.backend import image as _b
from cornu.core.operation import symbolic_op as _op

affine_transform = _op(_b.affine_transform)
map_coordinates = _op(_b.map_coordinates)
resize = _op(_b.resize)
