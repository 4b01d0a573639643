"""Docstrings come from the C header documentation (SWIG -doxygen)."""

import builtins
import inspect
import pydoc
import re

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


PYTHON_CLASSES = (openbits.Manager, openbits.Job, openbits.File, openbits.EventStream)


def public_members():
    for cls in PYTHON_CLASSES:
        for name, member in vars(cls).items():
            if name.startswith("_") and name not in ("__enter__", "__exit__"):
                continue
            if inspect.isfunction(member) or isinstance(member, property):
                yield "%s.%s" % (cls.__name__, name), member


def test_every_public_member_of_the_python_layer_is_documented():
    for name, member in public_members():
        if name.endswith(("__enter__", "__exit__")):
            continue
        assert (member.__doc__ or "").strip(), name


# What C documentation says that Python's must not: return codes, NULL,
# out-pointers, freeing.
C_TALK = re.compile(r":rtype:|:return:|@return|@param|BITS_S_OK|BITS_S_FALSE|\bNULL\b|"
                    r"out-pointer|out_[a-z]+|bits_free|BITS_E_INVALIDARG|\breturns? BG_")


def test_docstrings_are_written_for_python():
    for name, member in public_members():
        doc = member.__doc__ or ""
        assert not C_TALK.search(doc), (name, C_TALK.search(doc).group(0))
    text = pydoc.render_doc(openbits.Job.resume, renderer=pydoc.plaintext)
    assert "resume(self) -> None" in text
    assert "Raises:" in text and "EmptyJobError" in text and "InvalidStateError" in text
    assert "return" not in text.lower().replace("returns", "")


def test_exceptions_named_in_docstrings_exist():
    """Each exception a docstring names (in "Raises:" and "Warns:"
    sections or in its text) is a class of openbits or a built-in one."""
    named, raises = set(), set()
    for _, member in public_members():
        doc = inspect.cleandoc(member.__doc__ or "")
        named.update(re.findall(r"\b([A-Z][A-Za-z]+(?:Error|Warning))\b", doc))
        for section in re.findall(r"(?:Raises|Warns):\n((?:    .*\n?)+)", doc):
            raises.update(re.findall(r"^    ([A-Z]\w+)", section, re.M))
    named.discard("GetError")  # the BITS method Job.error wraps, not a class
    assert {"InvalidStateError", "EmptyJobError", "JobEndedError", "BitsWarning",
            "TimeoutError", "ValueError"} <= raises <= named | {"BitsError"}
    for name in named:
        assert hasattr(openbits, name) or hasattr(builtins, name), name


def test_wrappers_name_their_c_function():
    assert openbits.Job.resume.__doc__.endswith("C function: bits_job_resume (openbits/job.h)")
    assert "C function: bits_manager_enum_jobs" in openbits.Manager.jobs.__doc__
    assert "C function: bits_job_get_state" in openbits.Job.state.__doc__
    assert "C functions: bits_job_get_priority, bits_job_set_priority (openbits/job.h)" in \
        openbits.Job.priority.__doc__
    assert "(openbits/experimental.h)" in openbits.Manager.dispatch.__doc__
    on_event = openbits.Job.on_event.__doc__
    assert on_event.strip() and "C function" not in on_event  # no single C call behind it
