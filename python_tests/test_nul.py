"""Strings with an embedded NUL are refused, never cut.

A C string ends at its first NUL: 'a\\x00b' would reach the library as
'a', and a local name '/dl/nul\\x00/../../etc/x' as '/dl/nul'. Every
string argument, of openbits._openbits and of the Pythonic layer, raises
InvalidArgError (BITS_E_INVALIDARG, a ValueError) instead, and the call
changes nothing. bindings/perl/t/nul.t checks Perl; tests/vectors/nul.vec
the vector runners.
"""

import uuid

import pytest

import openbits
from openbits import InvalidArgError, JobState
from openbits import _openbits as c

from api_strings import GUID_CALLS, STRING_CALLS, STRING_IDS, string_call, string_handles

NUL_STRINGS = ["a\x00b", "\x00", "trailing\x00", "\x00leading", "/dl/nul\x00/../../etc/x",
               "caf\xe9\x00\u20ac"]


@pytest.fixture
def handles(manager, tmp_path):
    with string_handles(manager, tmp_path) as h:
        yield h


def _job_snapshot(job):
    """What a refused call must leave as it was."""
    hr, e = c.bits_job_enum_files(job)
    count = c.bits_file_enum_get_count(e)[1]
    c.bits_file_enum_free(e)
    return (c.bits_job_get_display_name(job)[1], c.bits_job_get_description(job)[1],
            c.bits_job_get_notify_cmd_line(job)[1:], c.bits_job_get_proxy_settings(job)[1:],
            c.bits_job_get_custom_headers(job)[1], count)


@pytest.mark.parametrize("call,args", STRING_CALLS, ids=STRING_IDS)
def test_low_level_string_arguments(manager, handles, call, args):
    before = _job_snapshot(handles["J"])
    jobs_before = len(manager.jobs())
    remote_before = c.bits_file_get_remote_name(handles["F"])[1]
    for value in NUL_STRINGS:
        with pytest.raises(InvalidArgError) as info:
            string_call(handles, call, args, value)
        assert info.value.hresult == 0x80070057
    assert _job_snapshot(handles["J"]) == before
    assert len(manager.jobs()) == jobs_before
    assert c.bits_file_get_remote_name(handles["F"])[1] == remote_before


@pytest.mark.parametrize("call,args", GUID_CALLS, ids=[n for n, _ in GUID_CALLS])
def test_low_level_guid_arguments(manager, call, args):
    job = manager.create_job("by id")
    text = job.id_str
    handles = {"M": manager._h}
    assert string_call(handles, call, args, text)[0] == c.BITS_S_OK   # the clean text works
    for value in [text + "\x00", text + "\x00junk", "\x00" + text, text[:9] + "\x00" + text[9:]]:
        with pytest.raises(InvalidArgError):
            string_call(handles, call, args, value)


def test_low_level_file_set(manager, tmp_path):
    job = manager.create_job("file set")
    good = ("http://127.0.0.1:9/a", str(tmp_path / "a"))
    for pair in [("http://127.0.0.1:9/a\x00b", str(tmp_path / "b")),
                 ("http://127.0.0.1:9/b", str(tmp_path / "nul\x00/../../etc/x"))]:
        with pytest.raises(InvalidArgError):
            c.bits_job_add_file_set(job._h, [good, pair])   # all or nothing
        with pytest.raises(InvalidArgError):
            job.add_files([good, pair])
    assert job.files == []


def test_pythonic_layer(manager, tmp_path):
    """Every method and property of Manager, Job and File taking a str."""
    job = manager.create_job("clean")
    job.add_file("http://127.0.0.1:9/f", str(tmp_path / "f"))
    (f,) = job.files
    calls = {
        "Manager(store_dir)": lambda v: openbits.Manager(str(tmp_path / "store") + v),
        "Manager.create_job": lambda v: manager.create_job(v),
        "Manager.get_job": lambda v: manager.get_job(job.id_str + v),
        "Job.add_file url": lambda v: job.add_file("http://127.0.0.1:9/g" + v, str(tmp_path / "g")),
        "Job.add_file path": lambda v: job.add_file("http://127.0.0.1:9/g", str(tmp_path / "g") + v),
        "Job.add_files url": lambda v: job.add_files([("http://127.0.0.1:9/h" + v, str(tmp_path / "h"))]),
        "Job.add_files path": lambda v: job.add_files([("http://127.0.0.1:9/h", str(tmp_path / "h") + v)]),
        "Job.display_name": lambda v: setattr(job, "display_name", v),
        "Job.description": lambda v: setattr(job, "description", v),
        "Job.custom_headers": lambda v: setattr(job, "custom_headers", "X-A: 1" + v),
        "Job.notify_cmd_line program": lambda v: setattr(job, "notify_cmd_line", ("/bin/true" + v, None)),
        "Job.notify_cmd_line parameters": lambda v: setattr(job, "notify_cmd_line", ("/bin/true", v)),
        "Job.set_proxy_settings list": lambda v: job.set_proxy_settings(
            openbits.ProxyUsage.OVERRIDE, "proxy:3128" + v),
        "Job.set_proxy_settings bypass": lambda v: job.set_proxy_settings(
            openbits.ProxyUsage.OVERRIDE, "proxy:3128", "localhost" + v),
        "Job.set_credentials user": lambda v: job.set_credentials(
            openbits.AuthTarget.SERVER, openbits.AuthScheme.BASIC, "user" + v, "pw"),
        "Job.set_credentials password": lambda v: job.set_credentials(
            openbits.AuthTarget.SERVER, openbits.AuthScheme.BASIC, "user", "pw" + v),
        "File.remote_name": lambda v: setattr(f, "remote_name", "http://127.0.0.1:9/r" + v),
    }
    before = (job.display_name, job.description, job.custom_headers, job.notify_cmd_line,
              job.proxy_settings, [(x.remote_name, x.local_name) for x in job.files],
              len(manager.jobs()))
    for name, call in calls.items():
        for value in NUL_STRINGS:
            with pytest.raises(InvalidArgError, match="BITS_E_INVALIDARG"):
                call(value)
            with pytest.raises(ValueError):   # InvalidArgError is a ValueError
                call(value)
    after = (job.display_name, job.description, job.custom_headers, job.notify_cmd_line,
             job.proxy_settings, [(x.remote_name, x.local_name) for x in job.files],
             len(manager.jobs()))
    assert after == before
    assert job.state is JobState.SUSPENDED
    assert not (tmp_path / "store").exists() and not (tmp_path / "storea").exists()


def test_the_local_name_of_the_issue_is_not_cut(manager, tmp_path):
    """The issue's example: '.../nul\\x00/../../etc/x' arrived as '.../nul'."""
    job = manager.create_job("nul")
    with pytest.raises(InvalidArgError):
        job.add_file("http://127.0.0.1:9/x", str(tmp_path / "nul\x00/../../etc/x"))
    assert job.files == []
    job.add_file("http://127.0.0.1:9/x", str(tmp_path / "nul"))   # the clean name still works
    assert [x.local_name for x in job.files] == [str(tmp_path / "nul")]


def test_get_job_with_a_uuid_still_works(manager):
    job = manager.create_job("uuid")
    assert manager.get_job(uuid.UUID(job.id_str[1:-1])) == job
