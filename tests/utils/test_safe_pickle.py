"""The restricted unpickler: plain data and NumPy arrays load, code never runs."""

import io
import os
import pickle

import numpy as np
import pytest

from cornu.utils.safe_pickle import load_npz, restricted_loads


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_plain_data_and_arrays_load(protocol):
    data = {b"data": np.arange(12, dtype=np.uint8).reshape(2, 6), "labels": [1, 2],
            "name": "x", "scalar": np.float32(2.5), "nested": ({1, 2}, frozenset([3]), 4.0)}
    out = restricted_loads(pickle.dumps(data, protocol=protocol), encoding="bytes")
    np.testing.assert_array_equal(out[b"data"], data[b"data"])
    assert out["labels"] == [1, 2] and out["scalar"] == np.float32(2.5)
    assert out["nested"] == data["nested"]


class RunsCode:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


class ArraySubclass(np.ndarray):
    pass


@pytest.mark.parametrize("payload", [RunsCode(), {"ok": [RunsCode()]}, eval, RunsCode])
def test_globals_are_refused(payload):
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        restricted_loads(pickle.dumps(payload, protocol=2))


def test_array_subclass_is_refused():
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        restricted_loads(pickle.dumps(np.zeros(2).view(ArraySubclass), protocol=2))


def test_load_npz_reads_ragged_arrays_without_allow_pickle(tmp_path):
    ragged = np.empty(3, dtype=object)
    ragged[:] = [[1, 2], [3], [4, 5, 6]]
    path = tmp_path / "data.npz"
    np.savez(path, x=ragged, y=np.arange(3))
    out = load_npz(str(path))
    assert [list(r) for r in out["x"]] == [[1, 2], [3], [4, 5, 6]]
    np.testing.assert_array_equal(out["y"], np.arange(3))
    evil = np.empty(1, dtype=object)
    evil[0] = RunsCode()
    buf = io.BytesIO()
    np.savez(buf, x=evil)
    (tmp_path / "evil.npz").write_bytes(buf.getvalue())
    with pytest.raises(pickle.UnpicklingError):
        load_npz(str(tmp_path / "evil.npz"))
