"""Docstrings come from the C header documentation (SWIG -doxygen)."""

import inspect

import openbits
from openbits import _openbits as _c


def test_every_c_function_has_its_header_text():
    names = [n for n in dir(_c) if n.startswith("bits_") and callable(getattr(_c, n))]
    assert len(names) > 80
    missing = [n for n in names if not (getattr(_c, n).__doc__ or "").strip()]
    assert missing == []
    # The text is the header's, tags included.
    doc = _c.bits_job_get_state.__doc__
    assert "GetState" in doc and "BITS_E_INVALIDARG" in doc
    assert "Thread safety: any thread" in _c.bits_manager_close.__doc__


def test_every_public_member_of_the_python_layer_is_documented():
    for cls in (openbits.Manager, openbits.Job, openbits.File):
        for name, member in vars(cls).items():
            if name.startswith("_") or not (inspect.isfunction(member)
                                            or isinstance(member, property)):
                continue
            assert (member.__doc__ or "").strip(), "%s.%s" % (cls.__name__, name)


def test_wrappers_carry_the_c_text_after_their_own():
    assert "C: bits_job_resume" in openbits.Job.resume.__doc__
    assert "C: bits_manager_enum_jobs" in openbits.Manager.jobs.__doc__
    on_event = openbits.Job.on_event.__doc__
    assert on_event.strip()  # Python's own; no single C call behind it
