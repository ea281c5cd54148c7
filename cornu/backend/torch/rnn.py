"""Fused recurrent kernels on torch: ``lstm``, ``gru``, ``simple_rnn``.

Each takes weights in Keras's layout (``kernel`` ``(input_dim, gates * units)``,
``recurrent_kernel`` ``(units, gates * units)``, Keras's gate order) and runs torch's
fused RNN kernel (cuDNN on a GPU). The layout conversion is a few tensor ops per call,
inside the autograd graph, so gradients reach the Keras-layout variables.

Masks: :func:`mask_lengths` turns a right-padded ``(batch, time)`` mask into sequence
lengths (one host read, the price of checking the mask); the kernels then run on packed
sequences and return what Keras's step loop returns for that mask: masked steps repeat
the previous output (or output zeros with ``zero_output_for_mask``) and keep the state.
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from cornu.backend.torch.core import convert_to_tensor


def mask_lengths(mask) -> tuple | None:
    """``(lengths on the device, lengths on the CPU)`` for a right-padded mask, else ``None``.

    ``None`` also when a sequence is fully masked: torch's packed kernels need at least one
    step per sequence, so such batches take the step loop.
    """
    mask = convert_to_tensor(mask).bool()
    steps = mask.shape[1]
    lengths = mask.sum(dim=1)
    right_padded = torch.arange(steps, device=mask.device) < lengths.unsqueeze(1)
    ok = (mask == right_padded).all() & (lengths > 0).all()
    host = torch.cat([lengths, ok.reshape(1).to(lengths.dtype)]).cpu()  # the one host read
    if not bool(host[-1]):
        return None
    return lengths, host[:-1]


def _reorder_gru(w: torch.Tensor, units: int) -> torch.Tensor:
    """Keras's GRU gate order (z, r, h) -> torch's (r, z, n) along the last axis."""
    return torch.cat([w[..., units:2 * units], w[..., :units], w[..., 2 * units:]], dim=-1)


def _params(kernel, recurrent_kernel, bias, recurrent_bias):
    # cuDNN needs each weight contiguous in torch's (gates * units, input) layout.
    params = [kernel.t().contiguous(), recurrent_kernel.t().contiguous()]
    if bias is not None:
        params += [bias, recurrent_bias if recurrent_bias is not None else torch.zeros_like(bias)]
    return params


def _run(fn, x, hx, params, lengths, go_backwards, return_sequences, zero_output_for_mask):
    """Runs ``fn`` (torch.lstm/gru/rnn_*) Keras-style; returns (last, outputs|None, states)."""
    has_bias = len(params) == 4
    # cuDNN keeps what its backward needs only in "train" mode (no dropout is involved).
    train = torch.is_grad_enabled()
    if lengths is None:
        if go_backwards:
            x = torch.flip(x, dims=[1])
        out, *states = fn(x, hx, params, has_bias, 1, 0.0, train, False, True)
        return out[:, -1], (out if return_sequences else None), [s[0] for s in states]

    lengths_dev, lengths_cpu = lengths
    steps = x.shape[1]
    time = torch.arange(steps, device=x.device).unsqueeze(0)
    lengths_col = lengths_dev.unsqueeze(1)
    if go_backwards:
        # Keras walks the flipped sequence: the padding comes first and leaves the state
        # alone, then the valid steps run last to first. Feed those valid steps reversed.
        index = (lengths_col - 1 - time).clamp(min=0)
        x = torch.gather(x, 1, index.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    packed = pack_padded_sequence(x, lengths_cpu, batch_first=True, enforce_sorted=False)
    order = packed.sorted_indices
    hx = tuple(h.index_select(1, order) for h in hx) if isinstance(hx, tuple) \
        else hx.index_select(1, order)
    out, *states = fn(packed.data, packed.batch_sizes, hx, params, has_bias, 1, 0.0, train,
                      False)
    states = [s[0].index_select(0, packed.unsorted_indices) for s in states]
    last = states[0]
    if not return_sequences:
        if zero_output_for_mask and not go_backwards:
            last = torch.where(lengths_col == steps, last, torch.zeros_like(last))
        return last, None, states
    padded, _ = pad_packed_sequence(
        PackedSequence(out, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices),
        batch_first=True, total_length=steps)
    if go_backwards:
        # Output at flipped position p belongs to valid step p - (steps - length); the
        # leading padded positions output zeros (Keras's initial "previous output").
        source = time - (steps - lengths_col)
        picked = torch.gather(padded, 1, source.clamp(min=0).unsqueeze(-1).expand_as(padded))
        outputs = torch.where((source >= 0).unsqueeze(-1), picked, torch.zeros_like(picked))
    elif zero_output_for_mask:
        outputs = padded  # packed kernels already output zeros past each length
        last = outputs[:, -1]
    else:
        outputs = torch.where((time < lengths_col).unsqueeze(-1), padded, last.unsqueeze(1))
    return last, outputs, states


def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, lengths=None,
         go_backwards=False, return_sequences=False, zero_output_for_mask=False):
    """Keras's LSTM (tanh, sigmoid; gates i, f, c, o) through torch's fused kernel.

    Returns ``(last_output, outputs or None, [h, c])``.
    """
    x = convert_to_tensor(inputs).to(kernel.dtype)
    hx = (initial_h.unsqueeze(0), initial_c.unsqueeze(0))
    params = _params(kernel, recurrent_kernel, bias, None)
    return _run(torch.lstm, x, hx, params, lengths, go_backwards, return_sequences,
                zero_output_for_mask)


def gru(inputs, initial_h, kernel, recurrent_kernel, bias=None, lengths=None,
        go_backwards=False, return_sequences=False, zero_output_for_mask=False):
    """Keras's GRU with ``reset_after=True`` (tanh, sigmoid; bias ``(2, 3 * units)``).

    Returns ``(last_output, outputs or None, [h])``.
    """
    units = recurrent_kernel.shape[0]
    x = convert_to_tensor(inputs).to(kernel.dtype)
    params = _params(_reorder_gru(kernel, units), _reorder_gru(recurrent_kernel, units),
                     None if bias is None else _reorder_gru(bias[0], units),
                     None if bias is None else _reorder_gru(bias[1], units))
    return _run(torch.gru, x, initial_h.unsqueeze(0), params, lengths, go_backwards,
                return_sequences, zero_output_for_mask)


def simple_rnn(inputs, initial_h, kernel, recurrent_kernel, bias=None, activation="tanh",
               lengths=None, go_backwards=False, return_sequences=False,
               zero_output_for_mask=False):
    """Keras's SimpleRNN with ``activation`` ``"tanh"`` or ``"relu"``.

    Returns ``(last_output, outputs or None, [h])``.
    """
    fn = torch.rnn_tanh if activation == "tanh" else torch.rnn_relu
    x = convert_to_tensor(inputs).to(kernel.dtype)
    params = _params(kernel, recurrent_kernel, bias, None)
    return _run(fn, x, initial_h.unsqueeze(0), params, lengths, go_backwards, return_sequences,
                zero_output_for_mask)
