"""A loopback HTTP server for download tests: serves in-memory files, honours ``Range``.

Tests register bytes under a path; ``truncate[path] = n`` makes the server announce the full
length but send only ``n`` bytes and close the connection, as a dropped transfer does.
"""

from __future__ import annotations

import http.server
import threading

import pytest


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        server = self.server
        server.requests.append((self.path, self.headers.get("Range")))
        data = server.files.get(self.path)
        if data is None:
            self.send_error(404, "Not Found")
            return
        start = 0
        header = self.headers.get("Range")
        if header and server.ranges:
            start = int(header.split("=")[1].split("-")[0])
            if start >= len(data):
                self.send_error(416, "Range Not Satisfiable")
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = server.truncate.pop(self.path, None)
        self.wfile.write(body if cut is None else body[:cut])
        if cut is not None:
            self.wfile.flush()
            self.close_connection = True


class LoopbackServer:
    def __init__(self) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.files = {}
        self.httpd.truncate = {}
        self.httpd.requests = []
        self.httpd.ranges = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def add(self, path: str, data: bytes) -> str:
        """Serves ``data`` at ``/path``; returns its URL."""
        self.httpd.files["/" + path.lstrip("/")] = data
        return self.base + path.lstrip("/")

    @property
    def requests(self) -> list:
        return self.httpd.requests

    def truncate_next(self, path: str, n: int) -> None:
        self.httpd.truncate["/" + path.lstrip("/")] = n

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = LoopbackServer()
    yield srv
    srv.close()


@pytest.fixture
def cornu_home(tmp_path, monkeypatch):
    home = tmp_path / "cornu_home"
    monkeypatch.setenv("CORNU_HOME", str(home))
    return home
