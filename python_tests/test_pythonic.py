"""The Pythonic surface (issue 17): os.PathLike wherever a path is taken,
mutators that return None and raise, and `with mgr.create_job(...) as job`
(cancel on an exception, release on the way out, nothing else)."""

import os
import pathlib
import warnings

import pytest

import openbits
from openbits import JobState

from conftest import make_file


class MyPath(os.PathLike):
    """A PathLike that is not a pathlib.Path."""

    def __init__(self, path):
        self.path = str(path)

    def __fspath__(self):
        return self.path


# ---- os.PathLike -----------------------------------------------------------------------------

def test_a_store_directory_as_a_path(tmp_path):
    with openbits.Manager(tmp_path / "store") as mgr:
        job_id = mgr.create_job("kept").id
    with openbits.Manager(MyPath(tmp_path / "store")) as mgr:
        assert mgr.get_job(job_id).display_name == "kept"
    with openbits.Manager(os.fsencode(tmp_path / "store")) as mgr:  # bytes, as os.fspath allows
        assert mgr.get_job(job_id).display_name == "kept"


def test_files_as_paths(manager, server, www, dest):
    data = make_file(www, "p.bin", 50_000)
    local = make_file(www, "local.bin", 1000, seed=2)
    job = manager.create_job("paths")
    job.add_file(server.url("/p.bin"), dest / "p.bin")                  # pathlib.Path
    job.add_file(www / "local.bin", MyPath(dest / "local.bin"))         # a local copy, PathLike
    job.add_files([(pathlib.Path(www / "local.bin"), dest / "again.bin")])
    files = job.files
    assert [f.local_name for f in files] == [str(dest / "p.bin"), str(dest / "local.bin"),
                                              str(dest / "again.bin")]
    assert files[1].remote_name == str(www / "local.bin")
    files[2].remote_name = MyPath(www / "p.bin")
    assert job.files[2].remote_name == str(www / "p.bin")
    job.notify_cmd_line = (pathlib.Path("/bin/true"), "true")
    assert job.notify_cmd_line == ("/bin/true", "true")
    job.resume()
    assert job.wait(timeout=20) is JobState.TRANSFERRED
    job.complete()
    assert (dest / "p.bin").read_bytes() == data
    assert (dest / "local.bin").read_bytes() == local
    assert (dest / "again.bin").read_bytes() == data


def test_what_is_not_a_path_is_refused(manager, dest):
    job = manager.create_job("not paths")
    for bad in (1, None, object(), ["/x"]):
        with pytest.raises(TypeError):
            job.add_file("http://127.0.0.1:9/x", bad)
        with pytest.raises(TypeError):
            job.add_file(bad, dest / "x")
    with pytest.raises(TypeError):
        openbits.Manager(42)
    with pytest.raises(openbits.InvalidArgError):  # still the library's rules
        job.add_file("http://127.0.0.1:9/x", pathlib.Path("relative"))
    with pytest.raises(openbits.InvalidArgError):
        job.add_file("http://127.0.0.1:9/x", dest / "nul\x00name")


# ---- mutators return None ----------------------------------------------------------------------

def test_mutators_return_none(manager, dest):
    job = manager.create_job("none")
    other = manager.create_job("other")
    assert job.add_file("http://127.0.0.1:9/x", dest / "x") is None
    assert job.add_files([("http://127.0.0.1:9/y", dest / "y")]) is None
    calls = [
        lambda: job.resume(), lambda: job.suspend(),
        lambda: job.set_proxy_settings(openbits.ProxyUsage.NO_PROXY),
        lambda: job.set_credentials(openbits.AuthTarget.SERVER, openbits.AuthScheme.BASIC,
                                    "u", "p"),
        lambda: job.make_custom_headers_write_only(),
        lambda: job.on_event(print), lambda: job.on_event(None),
        lambda: manager.on_event(print), lambda: manager.on_event(None),
        lambda: manager.set_limit(openbits.Limit.JOBS, 100),
        lambda: other.cancel(), lambda: job.cancel(), lambda: job.release(),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for call in calls:
            assert call() is None


def test_failures_raise(manager):
    job = manager.create_job("raises")
    with pytest.raises(openbits.EmptyJobError):
        job.resume()
    job.cancel()
    for call in (job.resume, job.suspend, job.cancel, job.complete):
        with pytest.raises(openbits.InvalidStateError):
            call()


# ---- with ------------------------------------------------------------------------------------

def test_with_releases_and_leaves_the_job_alone(manager, server, www, dest):
    make_file(www, "w.bin", 4_000_000)
    server.configure("/w.bin", rate=200_000)
    with manager.create_job("with") as job:
        job.add_file(server.url("/w.bin"), dest / "w.bin")
        job.resume()
        assert job.wait(until=JobState.TRANSFERRING, timeout=20) is JobState.TRANSFERRING
        job_id = job.id
    # Released: the object is done with ...
    assert job._h is None
    with pytest.raises(ValueError, match="released"):
        job.state
    with pytest.raises(ValueError, match="released"):
        job.resume()
    assert "released" in repr(job)
    job.release()  # again: nothing happens
    # ... the job is not: neither cancelled nor completed, still going.
    again = manager.get_job(job_id)
    assert again.state is JobState.TRANSFERRING
    assert again == job  # (the id is remembered)
    again.cancel()


def test_an_exception_cancels_then_propagates(manager, dest):
    with pytest.raises(KeyError, match="boom"):
        with manager.create_job("failing") as job:
            job.add_file("http://127.0.0.1:9/x", dest / "x")
            job_id = job.id
            raise KeyError("boom")
    assert job._h is None
    with pytest.raises(openbits.NotFoundError):  # cancelled jobs leave the queue
        manager.get_job(job_id)
    assert manager.jobs() == []


def test_any_base_exception_cancels(manager):
    kept = manager.create_job("kept")
    with pytest.raises(KeyboardInterrupt):
        with manager.create_job("interrupted"):
            raise KeyboardInterrupt
    assert manager.jobs() == [kept]


def test_a_failed_cancel_becomes_a_note(manager):
    with pytest.raises(RuntimeError) as info:
        with manager.create_job("ended") as job:
            job.cancel()
            raise RuntimeError("after the end")
    assert info.type is RuntimeError  # the original exception, not the cancel's
    notes = getattr(info.value, "__notes__", [])
    assert len(notes) == 1 and "could not be cancelled" in notes[0]
    assert "BG_E_INVALID_STATE" in notes[0]


def test_with_on_a_released_job(manager):
    job = manager.create_job("released")
    job.release()
    with pytest.raises(ValueError):
        with job:
            pass


# ---- complete() and cancel() report partial success as a warning ----------------------------

def test_partial_complete_warns(manager, dest):
    job = manager.create_job("partial")
    job.add_file("http://127.0.0.1:9/x", dest / "x")
    with pytest.warns(openbits.BitsWarning) as caught:
        job.complete()  # nothing transferred: BG_S_PARTIAL_COMPLETE
    (w,) = caught
    assert w.message.hresult == openbits.BG_S_PARTIAL_COMPLETE
    assert w.message.name == "BG_S_PARTIAL_COMPLETE"
    assert job.state is JobState.ACKNOWLEDGED
    assert job.files[0].progress.completed is False
