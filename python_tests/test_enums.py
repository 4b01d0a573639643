"""The enumerations are the C library's own values."""

import openbits
from openbits import _openbits as c


def test_job_state_is_exactly_the_c_enum():
    c_states = {name[len("BG_JOB_STATE_"):]: getattr(c, name)
                for name in dir(c) if name.startswith("BG_JOB_STATE_")}
    assert c_states == {m.name: m.value for m in openbits.JobState}
    assert len(openbits.JobState) == 9 == c.BITS_JOB_STATE_COUNT
    assert [m.value for m in openbits.JobState] == list(range(9))
    assert openbits.JobState(3) is openbits.JobState.SUSPENDED


def test_other_enums_match():
    assert openbits.Priority.NORMAL == c.BG_JOB_PRIORITY_NORMAL == 2
    assert openbits.JobType.DOWNLOAD == 0
    assert openbits.NotifyFlags.JOB_TRANSFERRED | openbits.NotifyFlags.JOB_ERROR == 3
    assert openbits.ErrorContext.REMOTE_FILE == c.BG_ERROR_CONTEXT_REMOTE_FILE == 5
    assert openbits.EventKind.FILE_TRANSFERRED == c.BG_NOTIFY_FILE_TRANSFERRED
    assert openbits.Limit.JOBS == c.BITS_LIMIT_JOBS


def test_code_constants_are_unsigned():
    assert openbits.BG_E_EMPTY == 0x80200003
    assert openbits.BG_E_HTTP_ERROR_404 == 0x80190194
    assert openbits.BG_S_PARTIAL_COMPLETE == 0x00200017
    assert c.BG_E_INVALID_STATE == 0x80200002


def test_str_and_format_give_the_name():
    assert str(openbits.JobState.ERROR) == "ERROR"
    assert f"{openbits.JobState.ERROR}" == "ERROR" and "%s" % openbits.Priority.HIGH == "HIGH"
    assert f"{openbits.JobState.ERROR:d}" == "4" and f"{openbits.Priority.LOW:>3}" == "  3"
    assert repr(openbits.JobState.ERROR) == "<JobState.ERROR: 4>"
    flags = openbits.NotifyFlags.JOB_TRANSFERRED | openbits.NotifyFlags.JOB_ERROR
    assert str(flags) == "JOB_TRANSFERRED|JOB_ERROR"
    assert str(openbits.NotifyFlags(0)) == "0"
    for enum in (openbits.JobState, openbits.JobType, openbits.Priority, openbits.ErrorContext,
                 openbits.ProxyUsage, openbits.AuthTarget, openbits.AuthScheme,
                 openbits.EventKind, openbits.Limit, openbits.NotifyFlags,
                 openbits.SecurityFlags):
        for member in enum:
            assert str(member) == member.name and member == member.value
