"""Docstrings of the Python layer from the C header documentation.

SWIG (built with -doxygen) turns each header comment into the docstring of
the low-level function; here each public method or property of Job,
Manager and File takes the docstring of the C function it wraps, after its
own Python summary if it has one. The C function is found by name: method
X of Job is bits_job_X, property X is bits_job_get_X; OVERRIDES names the
rest."""

import inspect

from . import _openbits as _c

OVERRIDES = {"Job.files": "bits_job_enum_files", "Manager.jobs": "bits_manager_enum_jobs"}


def _c_function(cls_name, prefix, name):
    for c_name in (OVERRIDES.get(cls_name + "." + name), prefix + name, prefix + "get_" + name):
        if c_name and hasattr(_c, c_name):
            return c_name
    return None


def attach(cls, prefix):
    """Fills in the docstrings of @cls's public members that wrap a C call."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
            continue
        c_name = _c_function(cls.__name__, prefix, name)
        c_doc = (getattr(_c, c_name).__doc__ or "").strip() if c_name else ""
        if not c_doc:
            continue
        own = (member.__doc__ or "").strip()
        doc = (own + "\n\n" if own else "") + "C: " + c_name + "\n\n" + c_doc
        if isinstance(member, property):
            setattr(cls, name, property(member.fget, member.fset, member.fdel, doc))
        else:
            member.__doc__ = doc
