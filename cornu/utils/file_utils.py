"""``get_file``: download a file once into a cache, verify its hash, extract it safely.

Downloads are untrusted input. A download is written to ``<target>.part`` and only becomes
``<target>`` once it is complete and its hash (when given) matches, so an interrupted or
truncated download is never taken for a finished file; the next call resumes the partial
file with an HTTP ``Range`` request. Archives are checked member by member before anything
is written (see :func:`extract_archive`).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Any

from cornu.utils.progbar import Progbar

# Refuse archives that would unpack to more than this, or that compress better than
# MAX_COMPRESSION_RATIO (a "zip bomb"); small archives are exempt from the ratio test
# because tiny text files legitimately compress very well.
MAX_EXTRACTED_BYTES = 64 * 1024**3
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 64 * 1024**2
_CHUNK = 1 << 16
_TIMEOUT_S = 60


class DownloadError(OSError):
    """A file could not be downloaded (offline, HTTP error, or an interrupted transfer)."""


def cornu_home() -> str:
    """The cache root: ``$CORNU_HOME`` if set, else ``~/.cornu``."""
    return os.environ.get("CORNU_HOME") or os.path.join(os.path.expanduser("~"), ".cornu")


# --- hashes ----------------------------------------------------------------------------------
def resolve_hasher(algorithm: str, file_hash: str | None = None) -> Any:
    """The hashlib constructor for ``algorithm`` ("sha256", "md5" or "auto")."""
    if algorithm == "sha256":
        return hashlib.sha256
    if algorithm == "md5":
        return hashlib.md5
    if algorithm == "auto":
        # A sha256 digest is 64 hex characters; everything else is taken as md5, as Keras does.
        return hashlib.sha256 if file_hash is not None and len(file_hash) == 64 else hashlib.md5
    raise ValueError(f"`hash_algorithm` must be one of 'auto', 'sha256', 'md5'. "
                     f"Received: hash_algorithm={algorithm!r}")


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of the file at ``fpath``."""
    hasher = resolve_hasher(algorithm)()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto",
                  chunk_size: int = 65535) -> bool:
    """Whether the file at ``fpath`` has the digest ``file_hash`` (sha256 or md5)."""
    hasher = resolve_hasher(algorithm, file_hash)
    name = "sha256" if hasher is hashlib.sha256 else "md5"
    return hash_file(fpath, name, chunk_size) == str(file_hash).lower()


# --- safe extraction ------------------------------------------------------------------------
def _check_member_name(name: str, archive: str) -> str:
    """Refuses absolute names and names with ``..``; returns the normalized relative name."""
    norm = name.replace("\\", "/")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or ".." in parts:
        raise ValueError(f"Refusing to extract {archive}: member {name!r} has an absolute path "
                         "or a '..' component and would be written outside the target folder.")
    return "/".join(parts)


def _check_totals(total: int, archive_path: str) -> None:
    if total > MAX_EXTRACTED_BYTES:
        raise ValueError(f"Refusing to extract {archive_path}: it would unpack to {total} "
                         f"bytes, over the limit of {MAX_EXTRACTED_BYTES} "
                         "(cornu.utils.file_utils.MAX_EXTRACTED_BYTES).")
    size = max(os.path.getsize(archive_path), 1)
    if total > RATIO_CHECK_MIN_BYTES and total / size > MAX_COMPRESSION_RATIO:
        raise ValueError(f"Refusing to extract {archive_path}: it would unpack to {total} bytes "
                         f"from {size}, a compression ratio over {MAX_COMPRESSION_RATIO} "
                         "(a likely decompression bomb).")


def _tar_plan(archive: tarfile.TarFile, archive_path: str) -> list:
    plan, total = [], 0
    for member in archive.getmembers():
        name = _check_member_name(member.name, archive_path)
        if member.issym() or member.islnk():
            raise ValueError(f"Refusing to extract {archive_path}: member {member.name!r} is a "
                             "link; links in downloaded archives are not allowed.")
        if not (member.isfile() or member.isdir()):
            raise ValueError(f"Refusing to extract {archive_path}: member {member.name!r} is "
                             "not a regular file or folder (device, fifo ...).")
        total += member.size if member.isfile() else 0
        if name:
            plan.append((name, member))
    _check_totals(total, archive_path)
    return plan


def _zip_plan(archive: zipfile.ZipFile, archive_path: str) -> list:
    plan, total = [], 0
    for info in archive.infolist():
        name = _check_member_name(info.filename, archive_path)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ValueError(f"Refusing to extract {archive_path}: member {info.filename!r} is "
                             "a link; links in downloaded archives are not allowed.")
        # Only the file-type bits matter; many writers leave them zero (plain file).
        if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ValueError(f"Refusing to extract {archive_path}: member {info.filename!r} is "
                             "not a regular file or folder.")
        total += info.file_size
        if name:
            plan.append((name, info))
    _check_totals(total, archive_path)
    return plan


def _write_members(plan: list, opener: Any, is_dir: Any, dest: str) -> None:
    root = os.path.realpath(dest)
    for name, member in plan:
        target = os.path.realpath(os.path.join(root, *name.split("/")))
        if os.path.commonpath([root, target]) != root:  # defense in depth after the name check
            raise ValueError(f"Refusing to extract member {name!r} outside {dest}.")
        if is_dir(member):
            os.makedirs(target, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with opener(member) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, _CHUNK)


def extract_archive(file_path: str, path: str = ".", archive_format: Any = "auto") -> bool:
    """Extracts a tar (``.tar``, ``.tar.gz``, ``.tar.bz2``, ``.tar.xz``) or zip archive safely.

    Every member is checked before anything is written: absolute names, ``..`` components,
    links (symbolic and hard), special files, more than ``MAX_EXTRACTED_BYTES`` in total and
    decompression bombs are refused with a ``ValueError``. Members are unpacked into a
    temporary folder that replaces ``path`` only when extraction succeeds.

    Args:
        file_path: the archive.
        path: the folder to extract into (replaced if it exists).
        archive_format: ``"auto"`` (tar, then zip), ``"tar"``, ``"zip"``, a list of those,
            or ``None`` (extract nothing).

    Returns:
        ``True`` if the archive matched a format and was extracted, else ``False``.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for fmt in formats:
        if fmt not in ("tar", "zip"):
            raise ValueError(f"`archive_format` must be 'auto', 'tar', 'zip' or None. "
                             f"Received: archive_format={fmt!r}")
        if fmt == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                plan = _tar_plan(archive, file_path)
                _replace_dir(path, lambda tmp: _write_members(
                    plan, archive.extractfile, lambda m: m.isdir(), tmp))
            return True
        if fmt == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                plan = _zip_plan(archive, file_path)
                _replace_dir(path, lambda tmp: _write_members(
                    plan, archive.open, lambda m: m.is_dir(), tmp))
            return True
    return False


def _replace_dir(path: str, fill: Any) -> None:
    """Fills a fresh temporary folder beside ``path``, then swaps it in for ``path``."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=parent)
    try:
        fill(tmp)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# --- download ---------------------------------------------------------------------------------
def _offline_message(fname: str, origin: str, reason: Any, target: str) -> str:
    return (f"could not download {fname} from {origin}: {reason}; "
            f"place the file at {target} to use it offline")


def _open(origin: str, offset: int) -> Any:
    request = urllib.request.Request(origin, headers={"User-Agent": "cornu"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    return urllib.request.urlopen(request, timeout=_TIMEOUT_S)


def _download(origin: str, target: str, fname: str) -> None:
    """Downloads ``origin`` to ``target + '.part'``, resuming a partial file when it can."""
    part = target + ".part"
    offset = os.path.getsize(part) if os.path.exists(part) else 0
    try:
        response = _open(origin, offset)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:  # the partial file is not a prefix we can resume
            os.remove(part)
            return _download(origin, target, fname)
        raise DownloadError(_offline_message(fname, origin, f"HTTP {error.code} {error.reason}",
                                             target)) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DownloadError(_offline_message(fname, origin, reason, target)) from error
    with response:
        resumed = offset > 0 and response.status == 206
        if not resumed:
            offset = 0
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        received = offset
        bar = Progbar(total, unit_name="B") if total is None or total > _CHUNK else None
        try:
            with open(part, "ab" if resumed else "wb") as out:
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    if bar is not None:
                        bar.update(received if total is None else min(received, total))
        except (http.client.IncompleteRead, OSError) as error:
            raise DownloadError(
                f"download of {fname} from {origin} was interrupted after {received} bytes "
                f"({error}); the partial file {part} is kept and the next call resumes it"
            ) from error
    if total is not None and received < total:
        raise DownloadError(
            f"download of {fname} from {origin} is truncated: received {received} of {total} "
            f"bytes; the partial file {part} is kept and the next call resumes it")


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: Any = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """Downloads a file from a URL unless it is already in the cache, and returns its path.

    The file goes to ``cache_dir/cache_subdir/fname`` (by default ``~/.cornu/datasets``, or
    ``$CORNU_HOME/datasets``). A cached file is reused when its hash matches ``file_hash``.
    Offline, place the file at the path named in the error to use it.

    Args:
        fname: the local file name; defaults to the last part of ``origin``. With
            ``extract=True`` a name without extension names the extraction folder.
        origin: the URL of the file.
        untar: deprecated; same as ``extract=True, archive_format="tar"``.
        md5_hash: deprecated; an md5 ``file_hash``.
        file_hash: the expected sha256 or md5 hex digest of the file.
        cache_subdir: the sub-folder of ``cache_dir`` (an absolute path is used as is).
        hash_algorithm: ``"auto"``, ``"sha256"`` or ``"md5"``.
        extract: whether to extract a tar or zip archive (safely, see ``extract_archive``).
        archive_format: ``"auto"``, ``"tar"``, ``"zip"`` or ``None``.
        cache_dir: the cache root; defaults to ``$CORNU_HOME`` or ``~/.cornu``.
        force_download: download again even if the file is cached.

    Returns:
        The path of the downloaded file, or of the extraction folder when extracting.

    Example:
        >>> path = cornu.utils.get_file(origin="https://example.com/data.csv",
        ...                             file_hash="<sha256>")
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(cache_dir if cache_dir is not None else cornu_home())
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass  # falls back to the temporary folder below
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".cornu")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    provided = fname is not None and str(fname) != ""
    fname = os.fspath(fname) if provided else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. "
                         "Please specify the `fname` argument.")
    if os.sep in fname or "/" in fname:
        raise ValueError("Paths are not accepted as the `fname` argument; use `cache_dir` or "
                         f"`cache_subdir` to choose the folder. Received: fname={fname}")

    extraction_dir = None
    if extract or untar:
        if provided and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[:fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, f"{fname}_archive")
    else:
        target = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(target)
    if not download and file_hash is not None and not validate_file(target, file_hash,
                                                                    hash_algorithm):
        print(f"A local file was found at {target}, but its {hash_algorithm} hash does not "
              f"match {file_hash}; downloading it again.")
        download = True
    if download:
        if force_download and os.path.exists(target + ".part"):
            os.remove(target + ".part")
        print(f"Downloading data from {origin}")
        _download(origin, target, fname)
        part = target + ".part"
        if file_hash is not None and not validate_file(part, file_hash, hash_algorithm):
            actual = hash_file(part, "sha256" if resolve_hasher(
                hash_algorithm, file_hash) is hashlib.sha256 else "md5")
            os.remove(part)
            raise ValueError(f"Incomplete or corrupted file detected: the {hash_algorithm} hash "
                             f"of {fname} downloaded from {origin} is {actual}, expected "
                             f"{file_hash}. The file was discarded.")
        os.replace(part, target)

    if extraction_dir is not None:
        if download or not os.path.isdir(extraction_dir):
            fmt = "tar" if untar else archive_format
            if not extract_archive(target, extraction_dir, fmt):
                raise ValueError(f"Could not extract {target}: it is not a "
                                 f"{fmt if isinstance(fmt, str) else 'tar or zip'} archive.")
        return extraction_dir
    return target
