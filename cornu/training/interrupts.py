"""Ctrl-C during ``fit``: finish the running train step, then stop.

A ``KeyboardInterrupt`` that lands in the middle of an optimizer update would leave some
weights updated and others not. While ``fit`` runs, a SIGINT that arrives inside a train
step is held until the step has finished, then raised; outside a step it is raised at
once, as usual. The model therefore keeps the weights of its last completed step.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


class StepGuard:
    """Context manager for a whole ``fit``; ``with guard:`` marks one train step.

    The SIGINT handler is installed only on the main thread and only when the current
    handler is Python's default one, so user handlers and worker threads are left alone.

    Example:
        >>> with StepGuard() as guard:
        ...     for batch in batches:
        ...         with guard:
        ...             train_step(batch)
    """

    def __init__(self) -> None:
        self._in_step = False
        self._pending = False
        self._previous: Any = None
        self._installed = False

    def _handler(self, signum: int, frame: Any) -> None:
        if self._in_step:
            self._pending = True
        else:
            raise KeyboardInterrupt

    def __enter__(self) -> "StepGuard":
        if self._installed:  # re-entered as the per-step guard
            self._in_step = True
            return self
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._in_step:
            self._in_step = False
            if self._pending:
                self._pending = False
                raise KeyboardInterrupt
            return
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
