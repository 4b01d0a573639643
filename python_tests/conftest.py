"""Fixtures: stores, managers and the loopback test server."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "server"))

import openbits  # noqa: E402
from openbits_test_server import TestServer  # noqa: E402


@pytest.fixture
def store_dir(tmp_path):
    return str(tmp_path / "store")


@pytest.fixture
def manager():
    """An in-memory manager, closed after the test."""
    with openbits.Manager(in_memory=True) as mgr:
        yield mgr


@pytest.fixture
def www(tmp_path):
    path = tmp_path / "www"
    path.mkdir()
    return path


@pytest.fixture
def server(www):
    """The loopback HTTP server serving `www`, stopped after the test."""
    with TestServer(str(www)) as srv:
        yield srv


@pytest.fixture
def dest(tmp_path):
    path = tmp_path / "dl"
    path.mkdir()
    return path


def make_file(directory, name, size, seed=1):
    data = bytes((i * 131 + seed * 7) & 0xFF for i in range(size))
    (directory / name).write_bytes(data)
    return data
