"""Property test: mutated archives either load or raise a ValueError; nothing else happens.

Mutations: random bytes flipped anywhere in the archive or in one member, members
truncated, dropped, renamed or added, and the config JSON edited structurally (values
replaced by other JSON values, keys deleted). No mutation may crash the interpreter, run
code (``os.system``/``subprocess`` are watched), or raise anything but a ``ValueError``.
"""

import io
import json
import os
import subprocess
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cornu
from cornu import layers

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, width=32) |
    st.sampled_from(["", "Dense", "function", "__lambda__", "os", "system", "Functional",
                     "__keras_tensor__", "../x", "relu"]),
    lambda children: st.lists(children, max_size=3) |
    st.dictionaries(st.sampled_from(["class_name", "config", "module", "name", "args",
                                     "registered_name", "keras_history", "layers"]),
                    children, max_size=3),
    max_leaves=6)


@pytest.fixture(scope="module")
def archive_bytes(tmp_path_factory):
    cornu.utils.clear_session()
    a = cornu.Input((3,), name="a")
    b = cornu.Input((2,), name="b")
    h = layers.Dense(4, name="da")(a) + layers.Dense(4, name="db")(b)
    model = cornu.Model([a, b], layers.Dense(2, name="out")(layers.Dropout(0.1)(h)), name="fz")
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path_factory.mktemp("fuzz") / "model.keras"
    model.save(path)
    return path.read_bytes()


def _members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _flip(data: bytes, positions: list, values: list) -> bytes:
    out = bytearray(data)
    for position, value in zip(positions, values):
        if out:
            out[position % len(out)] = value
    return bytes(out)


def _paths(value, prefix=()):
    """Every path to a value inside nested dicts/lists."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))


def _edit_config(text: bytes, choice: int, replacement, delete: bool) -> bytes:
    config = json.loads(text)
    paths = [p for p in _paths(config) if p]
    path = paths[choice % len(paths)]
    parent = config
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return json.dumps(config).encode()


MUTATION = st.one_of(
    st.tuples(st.just("flip_archive"), st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
              st.lists(st.integers(0, 255), min_size=8, max_size=8)),
    st.tuples(st.just("flip_member"), st.sampled_from(["config.json", "model.weights.h5",
                                                       "metadata.json"]),
              st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
              st.lists(st.integers(0, 255), min_size=8, max_size=8)),
    st.tuples(st.just("truncate"), st.sampled_from(["config.json", "model.weights.h5"]),
              st.floats(0, 1)),
    st.tuples(st.just("drop"), st.sampled_from(["config.json", "model.weights.h5",
                                                "metadata.json"])),
    st.tuples(st.just("add"), st.sampled_from(["../up", "/abs", "assets/x", "config.json"])),
    st.tuples(st.just("config"), st.integers(0, 10**4), JSON_VALUES, st.booleans()),
)


def _mutate(data: bytes, mutation: tuple) -> bytes:
    kind = mutation[0]
    if kind == "flip_archive":
        return _flip(data, mutation[1], mutation[2])
    members = _members(data)
    if kind == "flip_member":
        members[mutation[1]] = _flip(members[mutation[1]], mutation[2], mutation[3])
    elif kind == "truncate":
        member = members[mutation[1]]
        members[mutation[1]] = member[:int(len(member) * mutation[2])]
    elif kind == "drop":
        del members[mutation[1]]
    elif kind == "add":
        members = {**members, mutation[1] + ("_dup" if mutation[1] in members else ""): b"{}"}
    else:
        members["config.json"] = _edit_config(members["config.json"], *mutation[1:])
    return _zip(members)


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutation=MUTATION)
def test_mutated_archives_load_or_raise_value_error(archive_bytes, tmp_path, monkeypatch,
                                                    mutation):
    calls = []
    monkeypatch.setattr(os, "system", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(a))
    path = tmp_path / "mutated.keras"
    path.write_bytes(_mutate(archive_bytes, mutation))
    try:
        model = cornu.models.load_model(path)
    except ValueError:
        pass
    else:
        assert isinstance(model, cornu.Model)
    assert calls == []


@pytest.fixture(scope="module")
def legacy_bytes(tmp_path_factory):
    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(4, name="a"),
                              layers.Dense(2, name="b")], name="legacy")
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path_factory.mktemp("fuzz_h5") / "model.h5"
    model.save(path)
    return path.read_bytes()


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(positions=st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
       values=st.lists(st.integers(0, 255), min_size=8, max_size=8))
def test_corrupted_legacy_h5_loads_or_raises_value_error(legacy_bytes, tmp_path, positions,
                                                         values):
    path = tmp_path / "mutated.h5"
    path.write_bytes(_flip(legacy_bytes, positions, values))
    try:
        cornu.models.load_model(path)
    except ValueError:
        pass
