"""Convolutional LSTMs: ``ConvLSTM1D``, ``ConvLSTM2D``, ``ConvLSTM3D`` and their cell.

An LSTM whose input and recurrent transformations are convolutions (Shi et al., 2015).
Weights as Keras: ``kernel`` ``(*kernel_size, channels, 4 * filters)``,
``recurrent_kernel`` ``(*kernel_size, filters, 4 * filters)``, ``bias``
``(4 * filters,)``, gates i, f, c, o. The input convolution of every time step runs as
one convolution over the sequence (time folded into the batch); the recurrent one runs
per step with ``"same"`` padding and stride 1.
"""

from __future__ import annotations

from typing import Any, Callable

from cornu import activations, config, constraints, initializers, ops, random, regularizers
from cornu.layers.core import _maybe_serialize, check_positive_int
from cornu.layers.layer import Layer
from cornu.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from cornu.layers.rnn.rnn import RNN, cell_property


def _tuple(value: Any, rank: int, name: str, layer: str) -> tuple:
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank or any(not isinstance(v, int) or v <= 0 for v in values):
        raise ValueError(f"{layer}: `{name}` must be a positive integer or a tuple of {rank} "
                         f"positive integers. Received: {name}={value!r}")
    return values


def conv_output_length(size: int | None, kernel: int, padding: str, stride: int,
                       dilation: int) -> int | None:
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    return (size - dilation * (kernel - 1) - 1) // stride + 1


class ConvLSTMCell(Layer, DropoutRNNCell):
    """One step of a convolutional LSTM of ``rank`` spatial dimensions (1, 2 or 3).

    Inputs of one step are ``(batch, *spatial, channels)`` (channels_last) or
    ``(batch, channels, *spatial)``; the states ``[h, c]`` have ``filters`` channels.
    """

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        cls = f"ConvLSTM{rank}D"
        self.rank = rank
        self.filters = check_positive_int(cls, "filters", filters)
        self.kernel_size = _tuple(kernel_size, rank, "kernel_size", cls)
        self.strides = _tuple(strides, rank, "strides", cls)
        self.dilation_rate = _tuple(dilation_rate, rank, "dilation_rate", cls)
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"{cls}: `padding` must be 'valid' or 'same'. "
                             f"Received: padding={padding!r}")
        self.data_format = config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.dropout_mask_count = 4  # Keras draws one mask per gate
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        self.state_size = [self.filters, self.filters]
        self.output_size = self.filters
        self.spatial_dims: tuple | None = None

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape: tuple) -> None:
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        channels = input_shape[self._channel_axis]
        if None in spatial or channels is None:
            raise ValueError(f"ConvLSTM{self.rank}D '{self.name}' needs static spatial and "
                             f"channel sizes. Received input_shape={input_shape}")
        self.spatial_dims = tuple(spatial)
        self.input_dim = channels
        width = 4 * self.filters
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, width), initializer=self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, width),
            initializer=self.recurrent_initializer, name="recurrent_kernel",
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = self.add_weight(
            shape=(width,), initializer=self._bias_initializer(), name="bias",
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        ) if self.use_bias else None
        self.built = True

    def _bias_initializer(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, filters = self.bias_initializer, self.filters

        def init(shape, dtype=None):
            return ops.concatenate([base((filters,), dtype=dtype),
                                    initializers.get("ones")((filters,), dtype=dtype),
                                    base((2 * filters,), dtype=dtype)])

        return init

    def state_shape(self, input_shape: tuple) -> tuple:
        """The shape of ``h`` (and ``c``) for one step's input shape."""
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out = tuple(conv_output_length(s, k, self.padding, st, d) for s, k, st, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if self.data_format == "channels_last":
            return (input_shape[0], *out, self.filters)
        return (input_shape[0], self.filters, *out)

    def compute_output_shape(self, inputs_shape: tuple, states_shape: Any = None) -> tuple:
        shape = self.state_shape(inputs_shape)
        return shape, [shape, shape]

    def get_initial_state(self, batch_size: int | None = None) -> list:
        step_shape = (batch_size, *self.spatial_dims, self.input_dim) \
            if self.data_format == "channels_last" \
            else (batch_size, self.input_dim, *self.spatial_dims)
        shape = self.state_shape(step_shape)
        return [ops.zeros(shape, dtype=self.compute_dtype),
                ops.zeros(shape, dtype=self.compute_dtype)]

    # --- one step, split in two (see RecurrentCell) ----------------------------------------
    def _conv(self, x: Any, kernel: Any) -> Any:
        return ops.conv(x, kernel, self.strides, self.padding, self.data_format,
                        self.dilation_rate)

    def _project_inputs(self, inputs: Any, training: Any = False, sequence: bool = False) -> Any:
        """The input convolution (+ bias) of a step, or of every step of a sequence at once."""
        shape = tuple(ops.shape(inputs))
        x = ops.reshape(inputs, (shape[0] * shape[1], *shape[2:])) if sequence else inputs
        masks = None
        if training and 0.0 < self.dropout < 1.0:
            masks = self.get_dropout_mask(inputs[:, 0] if sequence else inputs)
            if sequence:  # the same masks at every step
                masks = [ops.reshape(ops.repeat(ops.expand_dims(m, 1), shape[1], axis=1),
                                     ops.shape(x)) for m in masks]
        if masks is None:
            out = self._conv(x, self.kernel)
        else:
            out = ops.concatenate([self._conv(x * m, k) for m, k in zip(
                masks, ops.split(self.kernel, 4, axis=self.rank + 1))], axis=self._channel_axis)
        if self.bias is not None:
            bias_shape = (1,) * (self.rank + 1) + (-1,) if self.data_format == "channels_last" \
                else (1, -1) + (1,) * self.rank
            out = out + ops.reshape(self.bias, bias_shape)
        if sequence:
            out = ops.reshape(out, (shape[0], shape[1], *tuple(ops.shape(out))[1:]))
        return out

    def _step_function(self, training: Any) -> Callable:
        recurrent_kernel, axis = self.recurrent_kernel, self._channel_axis
        activation, recurrent_activation = self.activation, self.recurrent_activation

        def recurrent_conv(h, kernel):
            return ops.conv(h, kernel, 1, "same", self.data_format, 1)

        def step(x_t, states):
            h, c = states[0], states[1]
            rec_masks = None
            if training and 0.0 < self.recurrent_dropout < 1.0:
                rec_masks = self.get_recurrent_dropout_mask(h)
            if rec_masks is None:
                z = x_t + recurrent_conv(h, recurrent_kernel)
            else:
                z = x_t + ops.concatenate(
                    [recurrent_conv(h * m, k) for m, k in
                     zip(rec_masks, ops.split(recurrent_kernel, 4, axis=self.rank + 1))],
                    axis=axis)
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=axis)
            c = recurrent_activation(z_f) * c + recurrent_activation(z_i) * activation(z_c)
            h = recurrent_activation(z_o) * activation(c)
            return h, [h, c]

        return step

    def _can_fuse(self, training: Any) -> bool:
        return False  # torch has no fused convolutional LSTM

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple:
        return self._step_function(training)(self._project_inputs(inputs, training),
                                             list(states))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_regularizer": _maybe_serialize(self.kernel_regularizer),
            "recurrent_regularizer": _maybe_serialize(self.recurrent_regularizer),
            "bias_regularizer": _maybe_serialize(self.bias_regularizer),
            "kernel_constraint": _maybe_serialize(self.kernel_constraint),
            "recurrent_constraint": _maybe_serialize(self.recurrent_constraint),
            "bias_constraint": _maybe_serialize(self.bias_constraint),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class ConvLSTM(RNN):
    """Base of ``ConvLSTM1D/2D/3D``: an ``RNN`` over a ``ConvLSTMCell``.

    Inputs are ``(batch, time, *spatial, channels)`` (channels_last) or
    ``(batch, time, channels, *spatial)``.
    """

    rank = 0
    _CELL_KEYS = ("filters", "kernel_size", "strides", "padding", "data_format",
                  "dilation_rate", "activation", "recurrent_activation", "use_bias",
                  "kernel_initializer", "recurrent_initializer", "bias_initializer",
                  "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                  "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                  "bias_constraint", "dropout", "recurrent_dropout", "seed")

    filters = cell_property("filters")
    kernel_size = cell_property("kernel_size")
    strides = cell_property("strides")
    padding = cell_property("padding")
    data_format = cell_property("data_format")
    dilation_rate = cell_property("dilation_rate")
    activation = cell_property("activation")
    recurrent_activation = cell_property("recurrent_activation")
    use_bias = cell_property("use_bias")
    unit_forget_bias = cell_property("unit_forget_bias")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, **kwargs: Any) -> None:
        cell = ConvLSTMCell(
            self.rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)

    def _check_sequences_shape(self, shape: tuple) -> None:
        if len(shape) != self.rank + 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects input of rank {self.rank + 3} "
                f"(batch, time, {self.rank} spatial axes and channels); received shape "
                f"{tuple(shape)}.")

    def _state_shapes(self, sequences_shape: tuple) -> list:
        step = (sequences_shape[0], *tuple(sequences_shape)[2:])
        return [self.cell.state_shape(step)] * 2

    def compute_output_shape(self, sequences_shape: tuple, initial_state_shape: Any = None) -> Any:
        self._check_sequences_shape(sequences_shape)
        state = self._state_shapes(sequences_shape)[0]
        output = (state[0], sequences_shape[1], *state[1:]) if self.return_sequences else state
        return (output, state, state) if self.return_state else output

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        activity = self.activity_regularizer
        return {**config, **{k: cell_config[k] for k in self._CELL_KEYS},
                "activity_regularizer": _maybe_serialize(activity)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "ConvLSTM":
        return cls(**config)


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: inputs ``(batch, time, steps, channels)``.

    Example:
        >>> ConvLSTM1D(4, 3, padding="same")(np.zeros((2, 5, 8, 3))).shape
        (2, 8, 4)
    """

    rank = 1


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM: inputs ``(batch, time, rows, cols, channels)``.

    Example:
        >>> ConvLSTM2D(4, 3, return_sequences=True)(np.zeros((2, 5, 8, 8, 3))).shape
        (2, 5, 6, 6, 4)
    """

    rank = 2


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: inputs ``(batch, time, depth, rows, cols, channels)``.

    Example:
        >>> ConvLSTM3D(2, 3)(np.zeros((1, 3, 5, 5, 5, 1))).shape
        (1, 3, 3, 3, 2)
    """

    rank = 3
