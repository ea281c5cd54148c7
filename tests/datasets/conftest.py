"""Fixtures: the loopback HTTP server and a temporary CORNU_HOME."""

from tests.loopback import cornu_home, server  # noqa: F401
