"""The same library through cffi in ABI mode (skipped without cffi)."""

import os

import pytest

cffi = pytest.importorskip("cffi")
LIB = os.environ.get("OPENBITS_LIB")
pytestmark = pytest.mark.skipif(not LIB, reason="OPENBITS_LIB not set")

CDEF = """
typedef int32_t bits_hresult;
typedef struct bits_manager bits_manager;
typedef struct bits_job bits_job;
typedef struct bits_guid { uint8_t bytes[16]; } bits_guid;
typedef struct bits_job_times { uint32_t struct_size; int64_t creation_time,
    modification_time, transfer_completion_time; } bits_job_times;
bits_hresult bits_manager_open(const char *store_dir, uint32_t flags, bits_manager **out);
void bits_manager_close(bits_manager *m);
bits_hresult bits_manager_create_job(bits_manager *m, const char *name, uint32_t type,
                                     bits_guid *out_id, bits_job **out_job);
bits_hresult bits_job_get_state(bits_job *job, uint32_t *out_state);
bits_hresult bits_job_get_times(bits_job *job, bits_job_times *out_times);
bits_hresult bits_job_set_priority(bits_job *job, uint32_t priority);
uint32_t bits_job_release(bits_job *job);
const char *bits_hresult_name(bits_hresult hr);
"""


def test_drive_a_job_through_cffi():
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    lib = ffi.dlopen(LIB)
    mgr = ffi.new("bits_manager **")
    job = ffi.new("bits_job **")
    assert lib.bits_manager_open(ffi.NULL, 1, mgr) == 0
    assert lib.bits_manager_create_job(mgr[0], b"cffi", 0, ffi.new("bits_guid *"), job) == 0
    state = ffi.new("uint32_t *")
    assert lib.bits_job_get_state(job[0], state) == 0 and state[0] == 3
    times = ffi.new("bits_job_times *", {"struct_size": ffi.sizeof("bits_job_times")})
    assert lib.bits_job_get_times(job[0], times) == 0
    assert times.creation_time > 0 and times.transfer_completion_time == 0
    hr = lib.bits_job_set_priority(job[0], 9)
    assert ffi.string(lib.bits_hresult_name(hr)) == b"BITS_E_NOTIMPL"
    lib.bits_job_release(job[0])
    lib.bits_manager_close(mgr[0])
