"""``RemoteMonitor``: POST each epoch's logs to a server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from cornu.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Sends ``{"epoch": epoch, **logs}`` by HTTP POST to ``root + path`` at each epoch end.

    Uses the standard library (no ``requests`` needed). An unreachable server gives a
    warning, never an error, so training goes on.

    Args:
        root: the server's root URL.
        path: the path, relative to ``root``, events are sent to.
        field: the form field holding the JSON data (when ``send_as_json=False``).
        headers: extra HTTP headers.
        send_as_json: send the body as ``application/json`` instead of a form.
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: dict | None = None,
                 send_as_json: bool = False) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = dict(headers or {})
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        payload = json.dumps(send)
        headers = dict(self.headers)
        if self.send_as_json:
            body = payload.encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: payload}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
