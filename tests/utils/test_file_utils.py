"""``get_file``: downloads over a loopback server, hashes, cache, resume, safe extraction."""

import hashlib
import io
import os
import re
import socket
import stat
import tarfile
import zipfile

import pytest

from cornu.utils import file_utils, get_file

DATA = bytes(range(256)) * 1000  # 256 kB: several read chunks


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def make_tar(members, mode="w:gz"):
    """members: list of (TarInfo-like spec dicts)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for spec in members:
            info = tarfile.TarInfo(spec["name"])
            info.type = spec.get("type", tarfile.REGTYPE)
            payload = spec.get("data", b"")
            if info.type in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = spec["link"]
                tar.addfile(info)
            elif info.type == tarfile.DIRTYPE:
                tar.addfile(info)
            else:
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def make_zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for spec in members:
            info = zipfile.ZipInfo(spec["name"])
            info.compress_type = zipfile.ZIP_DEFLATED
            if "mode" in spec:
                info.external_attr = spec["mode"] << 16
            zf.writestr(info, spec.get("data", b""))
    return buf.getvalue()


def test_download_verifies_sha256_and_reuses_cache(server, cornu_home):
    url = server.add("data.bin", DATA)
    path = get_file("data.bin", origin=url, file_hash=sha256(DATA))
    assert path == os.path.join(str(cornu_home), "datasets", "data.bin")
    assert open(path, "rb").read() == DATA
    assert not os.path.exists(path + ".part")
    assert get_file("data.bin", origin=url, file_hash=sha256(DATA)) == path
    assert len(server.requests) == 1  # the second call used the cache


def test_md5_hash_and_default_fname(server, cornu_home):
    url = server.add("files/table.csv", b"a,b\n1,2\n")
    md5 = hashlib.md5(b"a,b\n1,2\n").hexdigest()
    path = get_file(origin=url, file_hash=md5)  # 32 hex digits: md5 in "auto" mode
    assert os.path.basename(path) == "table.csv"
    assert get_file(origin=url, md5_hash=md5, force_download=True) == path
    assert len(server.requests) == 2


def test_cache_dir_and_subdir_arguments(server, tmp_path):
    url = server.add("x.txt", b"hello")
    path = get_file("x.txt", origin=url, cache_dir=str(tmp_path), cache_subdir="sub")
    assert path == os.path.join(str(tmp_path), "sub", "x.txt")
    absolute = tmp_path / "elsewhere"
    path = get_file("x.txt", origin=url, cache_subdir=str(absolute))
    assert path == os.path.join(str(absolute), "x.txt")


def test_bad_hash_discards_the_file(server, cornu_home):
    url = server.add("data.bin", DATA)
    with pytest.raises(ValueError, match="hash of data.bin .* expected 0{64}"):
        get_file("data.bin", origin=url, file_hash="0" * 64)
    target = os.path.join(str(cornu_home), "datasets", "data.bin")
    assert not os.path.exists(target) and not os.path.exists(target + ".part")


def test_cached_file_with_wrong_hash_is_downloaded_again(server, cornu_home):
    url = server.add("data.bin", DATA)
    target = os.path.join(str(cornu_home), "datasets", "data.bin")
    os.makedirs(os.path.dirname(target))
    with open(target, "wb") as f:
        f.write(b"stale")
    assert open(get_file("data.bin", origin=url, file_hash=sha256(DATA)), "rb").read() == DATA


def test_truncated_download_is_never_a_finished_file_and_resumes(server, cornu_home):
    url = server.add("data.bin", DATA)
    server.truncate_next("data.bin", 100_000)
    with pytest.raises(OSError, match="truncated|interrupted"):
        get_file("data.bin", origin=url, file_hash=sha256(DATA))
    target = os.path.join(str(cornu_home), "datasets", "data.bin")
    assert not os.path.exists(target)
    assert os.path.getsize(target + ".part") == 100_000
    path = get_file("data.bin", origin=url, file_hash=sha256(DATA))
    assert open(path, "rb").read() == DATA
    assert server.requests[-1] == ("/data.bin", "bytes=100000-")  # resumed, not restarted
    assert not os.path.exists(target + ".part")


def test_truncated_without_hash_still_fails(server, cornu_home):
    url = server.add("data.bin", DATA)
    server.truncate_next("data.bin", 10)
    with pytest.raises(file_utils.DownloadError):
        get_file("data.bin", origin=url)
    assert not os.path.exists(os.path.join(str(cornu_home), "datasets", "data.bin"))


def test_server_without_range_support_restarts(server, cornu_home):
    server.httpd.ranges = False
    url = server.add("data.bin", DATA)
    server.truncate_next("data.bin", 5000)
    with pytest.raises(OSError):
        get_file("data.bin", origin=url)
    assert open(get_file("data.bin", origin=url, file_hash=sha256(DATA)), "rb").read() == DATA


def test_offline_error_names_url_and_where_to_put_the_file(cornu_home):
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mnist.npz"
    target = os.path.join(str(cornu_home), "datasets", "mnist.npz")
    expected = (f"could not download mnist.npz from {url}: .*; place the file at "
                f"{re.escape(target)} to use it offline")
    with pytest.raises(file_utils.DownloadError, match=expected):
        get_file("mnist.npz", origin=url)
    with open(target, "wb") as f:  # doing what the message says works offline
        f.write(b"payload")
    assert get_file("mnist.npz", origin=url, file_hash=sha256(b"payload")) == target


def test_http_error(server, cornu_home):
    with pytest.raises(file_utils.DownloadError, match="HTTP 404"):
        get_file("missing.bin", origin=server.base + "missing.bin")


def test_fname_must_not_be_a_path(server, cornu_home):
    with pytest.raises(ValueError, match="Paths are not accepted"):
        get_file(os.path.join("a", "b.txt"), origin=server.base + "b.txt")
    with pytest.raises(ValueError, match="origin"):
        get_file("b.txt")


@pytest.mark.parametrize("fmt", ["tar", "zip"])
def test_extract_archive_and_reuse(server, cornu_home, fmt):
    members = [{"name": "pkg/", "type": tarfile.DIRTYPE}, {"name": "pkg/a.txt", "data": b"A"},
               {"name": "pkg/sub/b.txt", "data": b"BB"}]
    if fmt == "tar":
        data = make_tar(members)
    else:
        data = make_zip([m for m in members if m["name"] != "pkg/"])
    url = server.add(f"pkg.{fmt}", data)
    path = get_file("pkg", origin=url, extract=True, file_hash=sha256(data))
    assert path == os.path.join(str(cornu_home), "datasets", "pkg")
    assert open(os.path.join(path, "pkg", "sub", "b.txt"), "rb").read() == b"BB"
    assert os.path.exists(path + "_archive")
    # fname with an extension: the archive keeps the name, the folder gets "_extracted".
    path2 = get_file(f"pkg.{fmt}", origin=url, extract=True)
    assert path2.endswith("pkg_extracted")
    assert get_file("pkg", origin=url, extract=True) == path
    assert len(server.requests) == 2


MALICIOUS_TARS = {
    "traversal": [{"name": "../evil.txt", "data": b"x"}],
    "nested_traversal": [{"name": "ok/../../evil.txt", "data": b"x"}],
    "absolute": [{"name": "/tmp/evil.txt", "data": b"x"}],
    "symlink": [{"name": "link", "type": tarfile.SYMTYPE, "link": "/etc/passwd"}],
    "hardlink": [{"name": "hard", "type": tarfile.LNKTYPE, "link": "/etc/passwd"}],
    "device": [{"name": "dev", "type": tarfile.CHRTYPE}],
}


@pytest.mark.parametrize("kind", sorted(MALICIOUS_TARS))
def test_malicious_tar_is_refused(server, cornu_home, tmp_path, kind):
    # A good member first: nothing at all may be written when a later member is bad.
    data = make_tar([{"name": "good.txt", "data": b"g"}] + MALICIOUS_TARS[kind])
    url = server.add("evil.tar.gz", data)
    with pytest.raises(ValueError, match="Refusing to extract"):
        get_file("evil", origin=url, extract=True)
    datadir = os.path.join(str(cornu_home), "datasets")
    assert not os.path.exists(os.path.join(datadir, "evil"))
    assert sorted(os.listdir(datadir)) == ["evil_archive"]  # no temporary folder left
    assert not os.path.exists(os.path.join(str(cornu_home), "evil.txt"))


MALICIOUS_ZIPS = {
    "traversal": [{"name": "../evil.txt", "data": b"x"}],
    "backslash_traversal": [{"name": "..\\evil.txt", "data": b"x"}],
    "absolute": [{"name": "/tmp/evil.txt", "data": b"x"}],
    "drive": [{"name": "C:/evil.txt", "data": b"x"}],
    "symlink": [{"name": "link", "data": b"/etc/passwd", "mode": stat.S_IFLNK | 0o777}],
}


@pytest.mark.parametrize("kind", sorted(MALICIOUS_ZIPS))
def test_malicious_zip_is_refused(server, cornu_home, kind):
    data = make_zip([{"name": "good.txt", "data": b"g"}] + MALICIOUS_ZIPS[kind])
    url = server.add("evil.zip", data)
    with pytest.raises(ValueError, match="Refusing to extract"):
        get_file("evil", origin=url, extract=True)
    assert not os.path.exists(os.path.join(str(cornu_home), "datasets", "evil"))


def test_size_and_ratio_limits(tmp_path, monkeypatch):
    archive = tmp_path / "zeros.zip"
    archive.write_bytes(make_zip([{"name": "zeros.bin", "data": bytes(2_000_000)}]))
    monkeypatch.setattr(file_utils, "RATIO_CHECK_MIN_BYTES", 1_000_000)
    with pytest.raises(ValueError, match="compression ratio"):
        file_utils.extract_archive(str(archive), str(tmp_path / "out"))
    monkeypatch.setattr(file_utils, "MAX_EXTRACTED_BYTES", 1_000)
    with pytest.raises(ValueError, match="over the limit"):
        file_utils.extract_archive(str(archive), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_extract_archive_formats(tmp_path):
    archive = tmp_path / "a.tar"
    archive.write_bytes(make_tar([{"name": "f.txt", "data": b"1"}], mode="w"))
    assert file_utils.extract_archive(str(archive), str(tmp_path / "o"), "zip") is False
    assert file_utils.extract_archive(str(archive), str(tmp_path / "o"), None) is False
    assert file_utils.extract_archive(str(archive), str(tmp_path / "o"), "tar") is True
    assert (tmp_path / "o" / "f.txt").read_bytes() == b"1"
    with pytest.raises(ValueError, match="archive_format"):
        file_utils.extract_archive(str(archive), str(tmp_path / "o"), "rar")
