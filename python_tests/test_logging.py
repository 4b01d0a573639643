"""Manager.log_to_logging: the library's log (bits_manager_set_log_callback)
as records of the logger "openbits"."""

import gc
import logging
import time
import weakref

import openbits
from openbits import JobState

from conftest import make_file

PASSWORD = "LogPwLeak321"


def wait_for(predicate, timeout=20):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.01)
    return predicate()


class Records(logging.Handler):
    """Collects (level, message) of the records it is given, from any thread."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append((record.levelno, record.getMessage()))

    def text(self):
        return "\n".join(m for _, m in self.records)


def attach(name="openbits"):
    log = logging.getLogger(name)
    handler = Records()
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    return log, handler


def test_trace_states_and_no_credential(manager, server, www, dest):
    make_file(www, "a.bin", 20_000)
    server.configure("/a.bin", basic_auth=["erin", PASSWORD])
    log, records = attach()
    try:
        manager.log_to_logging(logging.DEBUG)
        job = manager.create_job("logged")
        job.add_file(server.url("/a.bin"), str(dest / "a.bin"))
        job.set_credentials(openbits.AuthTarget.SERVER, openbits.AuthScheme.BASIC, "erin",
                            PASSWORD)
        job.resume()
        assert job.wait(timeout=30) is JobState.TRANSFERRED
        job.complete()
        assert wait_for(lambda: "TRANSFERRED -> ACKNOWLEDGED" in records.text())
        manager.log_to_logging(None)
    finally:
        log.removeHandler(records)
    text = records.text()
    assert "> GET /a.bin HTTP/1.1" in text and "< HTTP/1.1 200" in text, text
    assert "> Authorization: <redacted>" in text
    assert "SUSPENDED -> QUEUED" in text and "TRANSFERRING -> TRANSFERRED" in text
    assert PASSWORD not in text
    levels = {level for level, _ in records.records}
    assert logging.DEBUG in levels and logging.INFO in levels


def test_levels_and_removal(manager, dest):
    log, records = attach()
    try:
        manager.log_to_logging(logging.INFO)  # no HTTP trace below INFO
        job = manager.create_job("dead")
        job.minimum_retry_delay = 5
        job.add_file("http://127.0.0.1:9/x.bin", str(dest / "x.bin"))
        job.resume()
        assert wait_for(lambda: any(level == logging.WARNING for level, _ in records.records))
        warning = [m for level, m in records.records if level == logging.WARNING][0]
        assert "-> TRANSIENT_ERROR: BG_E_CONNECT_FAILURE" in warning and "retry in" in warning
        assert not any(m.startswith(("> ", "< ", "* ")) for _, m in records.records)
        manager.log_to_logging(None)  # waits for a running call: nothing after it
        count = len(records.records)
        job.cancel()
        time.sleep(0.3)
        assert len(records.records) == count
    finally:
        log.removeHandler(records)


def test_a_logger_of_ones_own_and_the_callable_is_let_go(server, www, dest):
    make_file(www, "b.bin", 1000)
    log = logging.Logger("not.registered")  # only the binding holds it, through the callable
    records = Records()
    log.addHandler(records)
    mgr = openbits.Manager(in_memory=True)
    try:
        mgr.log_to_logging(logging.INFO, logger=log)
        job = mgr.create_job("mine")
        job.add_file(server.url("/b.bin"), str(dest / "b.bin"))
        job.resume()
        assert job.wait(timeout=30) is JobState.TRANSFERRED
        assert wait_for(lambda: "TRANSFERRING -> TRANSFERRED" in records.text())
        held = weakref.ref(log)
        del log
        gc.collect()
        assert held() is not None  # the library may still call it
    finally:
        mgr.close()  # the binding lets go of the callable, and so of the logger
    gc.collect()
    assert held() is None
