"""Atomic file writes: write a temporary file beside the target, then rename it over.

A process killed in the middle of a save leaves the previous file whole (the rename is
atomic on POSIX and Windows when both names are in the same directory).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Iterator


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yields a temporary path in the target's directory; on success, renames it to ``path``.

    Example:
        >>> with atomic_path("model.weights.h5") as tmp:
        ...     write_file(tmp)
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                               dir=directory)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else _default_mode()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
