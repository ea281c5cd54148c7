"""Fused recurrent kernels for the recurrent layers (internal; not part of ``keras.ops``).

``lstm``, ``gru`` and ``simple_rnn`` take Keras-layout weights and run the backend's fused
kernel; ``mask_lengths`` says whether a mask is one they compute exactly.
"""

from cornu.backend import rnn as _b

gru = _b.gru
lstm = _b.lstm
mask_lengths = _b.mask_lengths
simple_rnn = _b.simple_rnn
