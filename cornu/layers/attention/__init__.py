"""Attention layers: ``MultiHeadAttention``, ``GroupQueryAttention``, ``Attention``,
``AdditiveAttention``."""
