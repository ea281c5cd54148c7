"""Recurrent layers: the ``RNN`` base, cells, ``SimpleRNN``/``LSTM``/``GRU``, wrappers."""
