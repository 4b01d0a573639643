"""Every typemap of the SWIG interface fed malformed input.

openbits._openbits is public ("the C API one to one"), so each typemap's
error path must raise a Python exception and leave nothing behind: no
double free, no leak, no crash. The ASan build runs this file with the
sanitizer runtimes preloaded (python_tests/CMakeLists.txt), so a wrong
error path aborts the run instead of passing by luck.

test_every_typemap_is_listed reads the .i files and fails when a typemap
appears that TYPEMAPS does not name, so a new typemap comes with its own
malformed inputs here.
"""

import os
import re
import uuid

import pytest

import openbits
from openbits import _openbits as c

from api_strings import GUID_CALLS, STRING_CALLS, STRING_IDS, header_params, string_call, string_handles

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
INTERFACE_FILES = ["bindings/swig/openbits.i", "bindings/python/openbits_python.i"]

# What a malformed argument may raise: a wrong type is a TypeError, an
# integer out of range an OverflowError (SWIG's, as Python's own C calls
# do), a wrong value a ValueError (InvalidArgError is one).
REFUSED = (TypeError, ValueError, OverflowError)

# (method, pattern) of every %typemap in INTERFACE_FILES -> the test
# that feeds it malformed input. Output-only typemaps (numinputs=0, out,
# argout) take no argument: a caller can only pass one too many, which
# test_output_typemaps_take_no_argument checks.
TYPEMAPS = {
    ("out", "bits_hresult"): "test_failed_calls_raise",
    ("in", "bits_hresult"): "test_integers",
    ("in", "bits_hresult *out_code"): "test_output_typemaps_take_no_argument",
    ("argout", "bits_hresult *out_code"): "test_output_typemaps_take_no_argument",
    ("in", "char **"): "test_output_typemaps_take_no_argument",
    ("argout", "char **"): "test_output_typemaps_take_no_argument",
    ("in", "TYPE **"): "test_output_typemaps_take_no_argument",
    ("argout", "TYPE **"): "test_output_typemaps_take_no_argument",
    ("in", "bits_guid *out_id"): "test_output_typemaps_take_no_argument",
    ("argout", "bits_guid *out_id"): "test_output_typemaps_take_no_argument",
    ("in", "TYPE *NAME"): "test_output_typemaps_take_no_argument",
    ("argout", "TYPE *NAME"): "test_output_typemaps_take_no_argument",
    ("in", "const bits_guid *id"): "test_guid_input",
    ("in", "(uint32_t count, const bits_file_info *files)"): "test_file_set",
    ("freearg", "(uint32_t count, const bits_file_info *files)"): "test_file_set",
    ("in", "PyObject *callable"): "test_callback_argument",
    ("in", "const char *"): "test_strings",
    ("freearg", "const char *"): "test_strings",
}
# %apply lines: SWIG's own typemaps put on our parameter names.
APPLIED = {
    "unsigned int *OUTPUT": "test_output_typemaps_take_no_argument",
    "unsigned long long *OUTPUT": "test_output_typemaps_take_no_argument",
    "int *OUTPUT": "test_output_typemaps_take_no_argument",
}

_TYPEMAP = re.compile(r"%typemap\(([^)]*)\)\s*(\([^)]*\)|[^({\"\n]+?)\s*(?=[({\"]|$)", re.M)
_APPLY = re.compile(r"%apply\s+(.+?)\s*\{", re.S)


def _declared():
    typemaps, applied = set(), set()
    for name in INTERFACE_FILES:
        with open(os.path.join(ROOT, name), encoding="utf-8") as f:
            text = f.read()
        for method, pattern in _TYPEMAP.findall(text):
            method = method.split(",")[0].strip()
            typemaps.add((method, " ".join(pattern.split())))
        applied.update(" ".join(m.split()) for m in _APPLY.findall(text))
    return typemaps, applied


def test_every_typemap_is_listed():
    typemaps, applied = _declared()
    assert typemaps, "no %typemap found: the pattern no longer matches the .i files"
    assert typemaps - set(TYPEMAPS) == set(), "typemaps without malformed-input tests"
    assert applied - set(APPLIED) == set(), "%apply lines without malformed-input tests"
    for test in set(TYPEMAPS.values()) | set(APPLIED.values()):
        assert callable(globals().get(test)), test


@pytest.fixture
def job(manager):
    j = manager.create_job("typemaps")
    yield j._h


def _refused(fn, *args, expect=REFUSED):
    with pytest.raises(expect):
        fn(*args)


# Malformed values for an argument of each kind.
NOT_A_STRING = [1, 1.5, b"bytes", bytearray(b"x"), ["a"], ("a",), object(), 2 ** 70]
NOT_UTF8 = ["\ud800", "x\udcff", "\udfff" * 3]   # lone surrogates: no UTF-8 exists
NOT_AN_INT = ["1", 1.5, None, object(), [1], b"1"]
U32_OUT_OF_RANGE = [-1, 1 << 32, 2 ** 70, -(2 ** 70)]
U64_OUT_OF_RANGE = [-1, 1 << 64, 2 ** 200]
# A code is its unsigned number (as the constants) or the signed one.
HRESULT_OUT_OF_RANGE = [1 << 32, -(1 << 31) - 1, 2 ** 70, -(2 ** 70)]


def test_failed_calls_raise(job):
    """The out typemap of bits_hresult: a negative code raises its class,
    with nothing returned."""
    with pytest.raises(openbits.EmptyJobError):
        c.bits_job_resume(job)
    with pytest.raises(openbits.InvalidArgError):
        c.bits_job_get_state(None)
    assert c.bits_job_get_state(job) == [c.BITS_S_OK, c.BG_JOB_STATE_SUSPENDED]


OUTPUT_CALLS = [
    # (function, its inputs: "M" the manager, "J" the job)
    ("bits_job_get_display_name", ["J"]),         # char **
    ("bits_manager_enum_jobs", ["M", 0]),         # TYPE ** (a handle out-pointer)
    ("bits_manager_create_job", ["M", "x", 0]),   # bits_guid *out_id and TYPE **
    ("bits_job_get_id", ["J"]),                   # bits_guid *out_id
    ("bits_job_get_progress", ["J"]),             # TYPE *NAME (struct_size snapshots)
    ("bits_job_get_times", ["J"]),
    ("bits_job_get_state", ["J"]),                # unsigned int *OUTPUT
    ("bits_job_get_max_bandwidth", ["J"]),        # unsigned long long *OUTPUT
    ("bits_hresult_at", [0]),                     # bits_hresult *out_code (int *OUTPUT in Python)
    ("bits_manager_get_event_fd", ["F"]),         # int *OUTPUT (int32_t *out_fd)
]


@pytest.mark.parametrize("call,inputs", OUTPUT_CALLS, ids=[n for n, _ in OUTPUT_CALLS])
def test_output_typemaps_take_no_argument(manager, job, call, inputs):
    fn = getattr(c, call)
    fd_manager = c.bits_manager_open(None, c.BITS_MANAGER_OPEN_IN_MEMORY
                                     | c.BITS_MANAGER_OPEN_EVENT_FD)[1]
    try:
        handles = {"M": manager._h, "J": job, "F": fd_manager}
        args = [handles.get(a, a) if isinstance(a, str) else a for a in inputs]
        for extra in (None, 0, "x", job, [None]):
            _refused(fn, *args, extra, expect=TypeError)
        assert fn(*args)[0] == c.BITS_S_OK  # and the right call still works
    finally:
        c.bits_manager_close(fd_manager)


def test_guid_input(manager):
    """const bits_guid *id: GUID text only."""
    good = "{%s}" % uuid.uuid4()
    for bad in [None, 1, b"{00000000-0000-0000-0000-000000000000}", uuid.uuid4(), "", "{",
                "not a guid", good[:-1], good + "x", "{" + "0" * 10000 + "}", [good]]:
        _refused(c.bits_manager_get_job, manager._h, bad)
        _refused(c.bits_guid_to_string, bad)
    for bad in NOT_UTF8 + ["{%s\ud800" % good[1:-1]]:
        _refused(c.bits_manager_get_job, manager._h, bad)
    for bad in NOT_A_STRING:
        _refused(c.bits_guid_to_string, bad)
    for bad in [good + "\x00", "\x00" + good, good[:5] + "\x00" + good[5:]]:
        with pytest.raises(openbits.InvalidArgError):   # not cut at the NUL: refused
            c.bits_manager_get_job(manager._h, bad)
        with pytest.raises(openbits.InvalidArgError):
            c.bits_guid_to_string(bad)
    with pytest.raises(openbits.NotFoundError):
        c.bits_manager_get_job(manager._h, good)
    assert c.bits_guid_to_string(good) == [c.BITS_S_OK, good]


FILE_SETS = [
    None, 1, 1.5, object(), b"ab",
    ["not a pair"], "ab", [1], [None], [b"x"],
    [(1, 2)], [("http://127.0.0.1:9/a", 2)], [(None, "/tmp/x")], [("u", None)],
    [["http://127.0.0.1:9/a", "/tmp/a"]],                  # a list, not a tuple
    [("http://127.0.0.1:9/a",)], [("u", "p", "x")], [()],
    [(b"http://127.0.0.1:9/a", b"/tmp/a")],
    [("\ud800", "/tmp/a")], [("http://127.0.0.1:9/a", "/tmp/\udcff")],
    [("http://127.0.0.1:9/a\x00b", "/tmp/a")], [("http://127.0.0.1:9/a", "/tmp/nul\x00/../x")],
    # a good pair first: the failure comes after something was converted
    [("http://127.0.0.1:9/a", "/tmp/a"), "not a pair"],
    [("http://127.0.0.1:9/a", "/tmp/a")] * 50 + [(1, 2)],
    iter([("http://127.0.0.1:9/a", "/tmp/a"), None]),
]


@pytest.mark.parametrize("files", FILE_SETS, ids=range(len(FILE_SETS)))
def test_file_set(job, files):
    """(count, files): a sequence of (url, path) tuples of str."""
    _refused(c.bits_job_add_file_set, job, files)
    assert c.bits_job_enum_files(job)[0] == c.BITS_S_OK
    hr, e = c.bits_job_enum_files(job)
    assert c.bits_file_enum_get_count(e) == [c.BITS_S_OK, 0]  # all or nothing
    c.bits_file_enum_free(e)


def test_file_set_accepts_what_it_should(job, tmp_path):
    pairs = [("http://127.0.0.1:9/%d" % i, str(tmp_path / str(i))) for i in range(3)]
    assert c.bits_job_add_file_set(job, iter(pairs)) == c.BITS_S_OK   # any iterable
    with pytest.raises(openbits.InvalidArgError):   # the library wants one file at least
        c.bits_job_add_file_set(job, [])
    assert c.bits_job_add_file_set(job, tuple(pairs[:1])) == c.BITS_S_OK
    hr, e = c.bits_job_enum_files(job)
    assert c.bits_file_enum_get_count(e) == [c.BITS_S_OK, 4]
    c.bits_file_enum_free(e)
    with pytest.raises(openbits.InvalidArgError):   # the library's own check
        c.bits_job_add_file_set(job, [("http://127.0.0.1:9/x", "relative")])


def test_callback_argument(manager, job):
    """PyObject *callable: a callable or None."""
    for bad in [1, "not callable", b"x", object(), [print]]:
        _refused(c.openbits_set_job_callback, job, bad, expect=TypeError)
        _refused(c.openbits_set_manager_callback, manager._h, bad, expect=TypeError)
        _refused(c.openbits_set_watch_callback, manager._h, bad, expect=TypeError)
    assert c.openbits_set_job_callback(job, None) == c.BITS_S_OK
    assert c.openbits_set_manager_callback(manager._h, None) == c.BITS_S_OK
    assert c.openbits_set_watch_callback(manager._h, None) == c.BITS_S_OK
    for bad in [1, "not callable"]:   # the Pythonic layer says the same
        _refused(manager.create_job("cb").on_event, bad, expect=TypeError)
        _refused(manager.on_event, bad, expect=TypeError)


# ---- SWIG's own typemaps on the API's types ---------------------------------

def test_handles(manager, job):
    """bits_job *, bits_manager *, ...: a handle of that type, or None
    (NULL, which the library refuses)."""
    for bad in [1, "job", object(), manager._h, 1.5, [job]]:
        _refused(c.bits_job_get_state, bad, expect=TypeError)
    for bad in [1, "manager", job]:
        _refused(c.bits_manager_create_job, bad, "x", 0, expect=TypeError)
    hr, e = c.bits_manager_enum_jobs(manager._h, 0)
    _refused(c.bits_file_enum_get_count, e, expect=TypeError)   # a job enumerator
    c.bits_job_enum_free(e)
    with pytest.raises(openbits.InvalidArgError):
        c.bits_job_get_state(None)


def test_integers(manager, job):
    for bad in NOT_AN_INT:
        _refused(c.bits_job_set_priority, job, bad, expect=TypeError)
        _refused(c.bits_job_set_max_bandwidth, job, bad, expect=TypeError)
        _refused(c.bits_hresult_name, bad, expect=TypeError)
    for bad in U32_OUT_OF_RANGE:
        _refused(c.bits_job_set_priority, job, bad, expect=OverflowError)
        _refused(c.bits_manager_set_limit, manager._h, bad, 1, expect=OverflowError)
        _refused(c.bits_manager_set_limit, manager._h, 1, bad, expect=OverflowError)
    for bad in U64_OUT_OF_RANGE:
        _refused(c.bits_job_set_max_bandwidth, job, bad, expect=OverflowError)
    for bad in HRESULT_OUT_OF_RANGE:
        _refused(c.bits_hresult_name, bad, expect=OverflowError)
    # The constants are unsigned; the signed pattern names the same code.
    assert c.bits_hresult_name(c.BG_E_NOT_FOUND) == "BG_E_NOT_FOUND"
    assert c.bits_hresult_name(c.BG_E_NOT_FOUND - (1 << 32)) == "BG_E_NOT_FOUND"
    assert c.bits_hresult_name((1 << 32) - 1) == c.bits_hresult_name(-1)
    assert c.bits_job_get_priority(job)[1] == c.BG_JOB_PRIORITY_NORMAL


def test_string_calls_are_all_the_string_parameters():
    assert {(n, a.index("S")) for n, a in STRING_CALLS} == header_params("const char *")
    assert {n for n, _ in GUID_CALLS} == {n for n, _ in header_params("const bits_guid *")}


@pytest.fixture
def handles(manager, tmp_path):
    with string_handles(manager, tmp_path) as h:
        yield h


@pytest.mark.parametrize("call,args", STRING_CALLS, ids=STRING_IDS)
def test_strings(handles, call, args):
    """const char *: a str (None is NULL, which the library judges); one
    with an embedded NUL is refused (C would see it cut, test_nul.py)."""
    for bad in NOT_A_STRING + NOT_UTF8:
        with pytest.raises(TypeError):
            string_call(handles, call, args, bad)
    for bad in ["a\x00b", "\x00", "abc\x00", "/tmp/nul\x00/../../etc/x", "\xe9\x00\u20ac"]:
        with pytest.raises(openbits.InvalidArgError):
            string_call(handles, call, args, bad)
