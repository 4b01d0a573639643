"""The test vectors through ctypes and through cffi in ABI mode.

Both backends (ffi_backends.py) know the API only from
tests/vectors/signatures.txt, like the C libffi runner.
"""

import ctypes
import os

import pytest

import vector_exec
import vector_format
from ffi_backends import CffiBackend, CtypesBackend

LIB = os.environ.get("OPENBITS_LIB")
pytestmark = pytest.mark.skipif(not LIB, reason="OPENBITS_LIB not set")


@pytest.mark.parametrize("name", vector_format.vector_files())
@pytest.mark.parametrize("backend", [CtypesBackend, CffiBackend], ids=["ctypes", "cffi"])
def test_vector(backend, name):
    if backend is CffiBackend:
        pytest.importorskip("cffi")
    calls, skipped = vector_exec.run_file(name, backend(LIB, *vector_format.load_signatures()))
    assert calls > 0 and skipped == 0


def test_only_bits_symbols_are_visible():
    lib = ctypes.CDLL(LIB)
    assert hasattr(lib, "bits_job_get_state")
    for internal in ("state_next", "validate_remote_name", "core_new", "store_open"):
        with pytest.raises(AttributeError):
            getattr(lib, internal)
