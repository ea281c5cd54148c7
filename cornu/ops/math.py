"""Math operations of ``keras.ops.math``."""

from cornu.backend import numpy as _b
from cornu.core.operation import symbolic_op as _op

erf = _op(_b.erf, elementwise=True)
erfinv = _op(_b.erfinv, elementwise=True)
in_top_k = _op(_b.in_top_k)
logsumexp = _op(_b.logsumexp)
rsqrt = _op(_b.rsqrt, elementwise=True)
segment_max = _op(_b.segment_max)
segment_sum = _op(_b.segment_sum)
top_k = _op(_b.top_k)
