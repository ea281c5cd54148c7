"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from typing import Any, Callable

from cornu.callbacks.callback import Callback

_HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
          "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
          "on_predict_batch_begin", "on_predict_batch_end", "on_batch_begin", "on_batch_end")


class LambdaCallback(Callback):
    """Calls the functions given for the hooks named, with the hook's arguments
    (``epoch, logs``; ``batch, logs``; or ``logs``).

    Example:
        >>> print_epoch = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch))
    """

    def __init__(self, on_epoch_begin: Callable | None = None,
                 on_epoch_end: Callable | None = None, on_train_begin: Callable | None = None,
                 on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None,
                 on_train_batch_end: Callable | None = None, **kwargs: Any) -> None:
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        unknown = sorted(set(given) - set(_HOOKS))
        if unknown:
            raise ValueError(f"LambdaCallback received unknown hooks {unknown}; the hooks are "
                             f"{list(_HOOKS)}.")
        for hook, fn in given.items():
            if fn is not None:
                # Set on the instance: the loop dispatches batch hooks only to callbacks
                # that define them, which it checks on the instance.
                setattr(self, hook, fn)
