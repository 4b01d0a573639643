"""Managers and jobs: defaults, properties, files, enumeration, stores."""

import datetime
import uuid

import pytest

import openbits
from openbits import JobState, Priority


def test_defaults(manager):
    job = manager.create_job("defaults")
    assert isinstance(job.id, uuid.UUID)
    assert job.id_str == "{%s}" % job.id
    assert job.state is JobState.SUSPENDED
    assert job.type is openbits.JobType.DOWNLOAD
    assert job.display_name == "defaults"
    assert job.description == ""
    assert job.priority is Priority.NORMAL
    assert job.notify_flags == openbits.NotifyFlags.JOB_TRANSFERRED | openbits.NotifyFlags.JOB_ERROR
    assert job.minimum_retry_delay == 600
    assert job.no_progress_timeout == 1209600
    assert job.maximum_download_time == 7776000
    assert job.minimum_notification_interval == 500
    assert job.custom_headers is None
    assert job.notify_cmd_line is None
    assert job.proxy_settings == (openbits.ProxyUsage.PRECONFIG, None, None)
    assert job.dynamic_content is False
    assert job.error is None
    assert job.error_count == 0
    assert job.progress == openbits.Progress(0, 0, 0, 0)
    times = job.times
    assert times.creation.tzinfo is datetime.timezone.utc
    assert times.transfer_completion is None
    assert job.files == []


def test_properties_round_trip(manager):
    job = manager.create_job("props")
    job.display_name = "caf\u00e9"
    job.description = "d" * 1024
    job.priority = Priority.LOW
    job.notify_flags = openbits.NotifyFlags.JOB_MODIFICATION
    job.minimum_retry_delay = 3          # raised to 5 s
    job.no_progress_timeout = 0
    job.max_bandwidth = 1000
    job.files_in_flight = 4
    job.custom_headers = "X-A: 1\r\n"
    job.notify_cmd_line = ("/bin/true", "true")
    job.set_proxy_settings(openbits.ProxyUsage.OVERRIDE, "proxy:3128", "*.local")
    job.set_credentials(openbits.AuthTarget.SERVER, openbits.AuthScheme.BASIC, "u", "p")
    assert job.display_name == "caf\u00e9"
    assert job.priority is Priority.LOW
    assert job.minimum_retry_delay == 5
    assert job.no_progress_timeout == 0
    assert job.max_bandwidth == 1000
    assert job.files_in_flight == 4
    assert job.custom_headers == "X-A: 1\r\n"
    assert job.notify_cmd_line == ("/bin/true", "true")
    assert job.proxy_settings == (openbits.ProxyUsage.OVERRIDE, "proxy:3128", "*.local")
    assert job.remove_credentials(openbits.AuthTarget.SERVER, openbits.AuthScheme.BASIC)
    assert not job.remove_credentials(openbits.AuthTarget.SERVER, openbits.AuthScheme.BASIC)
    job.make_custom_headers_write_only()
    with pytest.raises(PermissionError):
        job.custom_headers


def test_files_and_enumeration(manager, dest):
    job = manager.create_job("files")
    job.add_file("http://127.0.0.1:9/a", str(dest / "a"))
    job.add_files([("http://127.0.0.1:9/b", str(dest / "b")), ("/etc/hostname", str(dest / "c"))])
    with pytest.raises(ValueError):  # all or nothing
        job.add_files([("http://127.0.0.1:9/d", str(dest / "d")), ("bad", str(dest / "e"))])
    files = job.files
    assert [f.remote_name for f in files] == ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b",
                                              "/etc/hostname"]
    assert files[1].local_name == str(dest / "b")
    assert files[0].progress == openbits.FileProgress(None, 0, False)
    assert files[0].temporary_name is None
    files[0].remote_name = "http://127.0.0.1:9/renamed"
    assert job.files[0].remote_name == "http://127.0.0.1:9/renamed"
    assert job.progress.files_total == 3
    assert job.progress.bytes_total is None

    other = manager.create_job("other")
    assert set(manager.jobs()) == {job, other}
    assert manager.get_job(job.id) == job
    assert manager.get_job(job.id_str) == job
    other.cancel()
    assert manager.jobs() == [job]


def test_file_repr_hides_the_url_password(manager, dest):
    """Issue 15: the remote name comes back as set (the caller's data, the
    transfer needs it); repr() shows it as the CLI does."""
    job = manager.create_job("repr")
    url = "http://erin:UrlPwLeak123@127.0.0.1:9/a?b=c@d"
    job.add_file(url, str(dest / "a"))
    job.add_file("file:///etc/host@name", str(dest / "b"))
    first, second = job.files
    assert first.remote_name == url
    assert "UrlPwLeak123" not in repr(first)
    assert "'http://erin:***@127.0.0.1:9/a?b=c@d'" in repr(first)
    assert "'file:///etc/host@name'" in repr(second)


def test_store_keeps_jobs(store_dir, dest):
    with openbits.Manager(store_dir) as mgr:
        job = mgr.create_job("kept")
        job.add_file("http://127.0.0.1:9/a", str(dest / "a"))
        job.priority = Priority.HIGH
        job_id = job.id
        mgr.set_limit(openbits.Limit.JOBS, 5)
    with openbits.Manager(store_dir) as mgr:
        job = mgr.get_job(job_id)
        assert job.display_name == "kept"
        assert job.priority is Priority.HIGH
        assert mgr.get_limit(openbits.Limit.JOBS) == 5
    # Job objects stay readable after the manager closed.
    assert job.display_name == "kept"
    with pytest.raises(openbits.InvalidStateError):
        job.resume()


def test_wait_times_out(manager):
    job = manager.create_job("idle")
    with pytest.raises(TimeoutError):
        job.wait(until=JobState.TRANSFERRED, timeout=0.1)
    assert job.wait(until=JobState.SUSPENDED, timeout=1) is JobState.SUSPENDED
