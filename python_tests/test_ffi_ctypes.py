"""The same library through ctypes, without SWIG: the ABI is FFI-friendly."""

import ctypes
import os

import pytest

LIB = os.environ.get("OPENBITS_LIB")
pytestmark = pytest.mark.skipif(not LIB, reason="OPENBITS_LIB not set")


class Progress(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("bytes_total", ctypes.c_uint64),
                ("bytes_transferred", ctypes.c_uint64), ("files_total", ctypes.c_uint32),
                ("files_transferred", ctypes.c_uint32)]


def load():
    lib = ctypes.CDLL(LIB)
    lib.bits_hresult_name.restype = ctypes.c_char_p
    for name in ("bits_manager_open", "bits_manager_create_job", "bits_job_get_state",
                 "bits_job_add_file", "bits_job_resume", "bits_job_get_progress",
                 "bits_job_cancel"):
        getattr(lib, name).restype = ctypes.c_int32
    return lib


def test_drive_a_job_through_ctypes(tmp_path):
    lib = load()
    mgr, job = ctypes.c_void_p(), ctypes.c_void_p()
    guid = (ctypes.c_uint8 * 16)()
    assert lib.bits_manager_open(None, 1, ctypes.byref(mgr)) == 0
    assert lib.bits_manager_create_job(mgr, b"ctypes", 0, guid, ctypes.byref(job)) == 0
    state = ctypes.c_uint32(99)
    assert lib.bits_job_get_state(job, ctypes.byref(state)) == 0
    assert state.value == 3  # SUSPENDED
    assert lib.bits_job_get_state(job, None) == ctypes.c_int32(0x80070057).value
    hr = lib.bits_job_resume(job)
    assert lib.bits_hresult_name(hr) == b"BG_E_EMPTY"
    dest = str(tmp_path / "x").encode()
    assert lib.bits_job_add_file(job, b"http://127.0.0.1:9/x", dest) == 0
    p = Progress(struct_size=ctypes.sizeof(Progress))
    assert lib.bits_job_get_progress(job, ctypes.byref(p)) == 0
    assert p.files_total == 1 and p.bytes_total == (1 << 64) - 1
    assert lib.bits_job_cancel(job) == 0
    lib.bits_job_release(job)
    lib.bits_manager_close(mgr)


def test_only_bits_symbols_are_visible():
    lib = load()
    assert hasattr(lib, "bits_job_get_state")
    for internal in ("state_next", "validate_remote_name", "core_new", "store_open"):
        with pytest.raises(AttributeError):
            getattr(lib, internal)
