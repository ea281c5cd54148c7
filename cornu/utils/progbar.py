"""``Progbar``: Keras's progress bar (live bar on a terminal, one line per epoch otherwise)."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, Iterable


def is_interactive() -> bool:
    """True when stdout is a terminal (or a notebook), where a live bar can redraw."""
    return bool(getattr(sys.stdout, "isatty", lambda: False)()) or "ipykernel" in sys.modules


def _format_value(value: float) -> str:
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_duration(seconds: float) -> str:
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_rate(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


class Progbar:
    """Displays progress towards ``target`` steps with running metric values.

    Args:
        target: the number of steps, or ``None`` when unknown.
        width: the bar's width in characters.
        verbose: 1 for a live bar, 2 for one line when done, 0 for nothing.
        interval: the minimum seconds between redraws of the live bar.
        stateful_metrics: names shown as given; others are averaged over the updates.
        unit_name: the unit in the rate display, e.g. ``"step"``.

    Example:
        >>> bar = Progbar(100)
        >>> for i in range(100):
        ...     bar.update(i + 1, [("loss", 0.5)])
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Iterable[str] | None = None,
                 unit_name: str = "step") -> None:
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self._live = is_interactive()
        self._values: dict[str, list] = {}
        self._order: list[str] = []
        self._seen = 0
        self._start = time.time()
        self._last_draw = 0.0
        self._first_step_time: float | None = None
        self._prev_width = 0

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Records progress ``current`` and metric ``values`` (pairs or a dict)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        items = values.items() if isinstance(values, dict) else (values or [])
        for name, value in items:
            if name not in self._order:
                self._order.append(name)
            value = float(value)
            if name in self.stateful_metrics or finalize:
                self._values[name] = [value, 1]
            else:
                steps = max(current - self._seen, 1)
                total, count = self._values.get(name, [0.0, 0])
                self._values[name] = [total + value * steps, count + steps]
        self._seen = current
        now = time.time()
        if self._first_step_time is None and current > 0:
            self._first_step_time = now
        if self.verbose == 1 and self._live:
            if finalize or now - self._last_draw >= self.interval:
                self._draw_live(current, now, finalize)
                self._last_draw = now
        elif self.verbose in (1, 2) and finalize:
            self._write(self._summary_line(current, now) + "\n")

    def add(self, n: int, values: Any = None) -> None:
        self.update(self._seen + n, values)

    def _rate(self, current: int, now: float) -> float:
        return (now - self._start) / current if current else 0.0

    def _metrics_text(self) -> str:
        parts = []
        for name in self._order:
            total, count = self._values[name]
            parts.append(f" - {name}: {_format_value(total / max(1, count))}")
        return "".join(parts)

    def _draw_live(self, current: int, now: float, finalize: bool) -> None:
        if self.target:
            digits = int(math.log10(self.target)) + 1
            done = int(self.width * min(current / self.target, 1.0))
            bar = (f"\x1b[1m{current:{digits}d}/{self.target}\x1b[0m "
                   f"\x1b[32m{'━' * done}\x1b[0m\x1b[37m{'━' * (self.width - done)}\x1b[0m")
            visible = len(f"{current:{digits}d}/{self.target} ") + self.width
        else:
            bar = f"{current:7d}/Unknown"
            visible = len(bar)
        rate = self._rate(current, now)
        if self.target and not finalize:
            timing = f" \x1b[1m{_format_duration(rate * (self.target - current))}\x1b[0m"
        else:
            timing = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        info = f"{timing} {_format_rate(rate, self.unit_name)}{self._metrics_text()}"
        visible += len(info) - 8
        line = "\r" + bar + info + " " * max(0, self._prev_width - visible)
        self._prev_width = visible
        self._write(line + ("\n" if finalize else ""))

    def _summary_line(self, current: int, now: float) -> str:
        count = f"{current}/{self.target}" if self.target else f"{current}"
        rate = _format_rate(self._rate(current, now), self.unit_name)
        return f"{count} - {now - self._start:.0f}s - {rate}{self._metrics_text()}"

    @staticmethod
    def _write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()
