"""``History``: records each epoch's logs; ``model.fit`` returns it."""

from __future__ import annotations

from typing import Any

from cornu.callbacks.callback import Callback


class History(Callback):
    """``history.history["loss"]`` is the list of epoch losses (and so on for each log key)."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []
        # Set now, so an interrupted fit still leaves the epochs it completed.
        self.model.history = self

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self

    def __repr__(self) -> str:
        return f"<History keys={sorted(self.history)}, epochs={len(self.epoch)}>"

    def __getitem__(self, key: str) -> Any:
        return self.history[key]
