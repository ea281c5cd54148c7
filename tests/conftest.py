"""Test settings: each test starts with fresh layer names and fixed seeds."""

import os

import numpy as np
import pytest

os.environ.setdefault("CORNU_DEVICE", "cpu")

import cornu  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_state():
    cornu.utils.clear_session(free_memory=False)
    cornu.utils.set_random_seed(1234)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)
