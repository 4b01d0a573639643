"""Where the Python layer's docstrings meet the C header documentation.

The docstrings of Job, Manager and File are written for Python: Python
types, exceptions instead of return codes (the C text where it applies).
Each public member that wraps a C function ends with a line naming it,
"C function: bits_job_resume (openbits/job.h)" (a property with a setter:
"C functions: bits_job_get_priority, bits_job_set_priority (...)"), so the
header (the reference for the details) is one search away; openbits._openbits keeps
the C text itself (SWIG -doxygen). The C function is found by name:
method X of Job is bits_job_X, property X is bits_job_get_X; OVERRIDES
names the rest."""

import inspect

from . import _openbits as _c

OVERRIDES = {"Job.files": "bits_job_enum_files", "Manager.jobs": "bits_manager_enum_jobs",
             "Manager.event_fd": "bits_manager_get_event_fd",
             "Manager.close": "bits_manager_close", "Job.release": "bits_job_release",
             "Job.add_files": "bits_job_add_file_set"}
HEADERS = {"bits_job_": "openbits/job.h", "bits_file_": "openbits/file.h",
           "bits_manager_": "openbits/manager.h"}
EXPERIMENTAL = {"bits_manager_get_event_fd", "bits_manager_dispatch"}


def _c_function(cls_name, prefix, name):
    for c_name in (OVERRIDES.get(cls_name + "." + name), prefix + name, prefix + "get_" + name):
        if c_name and hasattr(_c, c_name):
            return c_name
    return None


def attach(cls, prefix):
    """Appends the "C function: ..." line to @cls's public members that
    wrap a C call."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
            continue
        c_name = _c_function(cls.__name__, prefix, name)
        if not c_name:
            continue
        header = "openbits/experimental.h" if c_name in EXPERIMENTAL else HEADERS[prefix]
        setter = prefix + "set_" + name
        if isinstance(member, property) and member.fset is not None and hasattr(_c, setter):
            line = f"C functions: {c_name}, {setter} ({header})"
        else:
            line = f"C function: {c_name} ({header})"
        own = inspect.cleandoc(member.__doc__ or "")
        doc = (own + "\n\n" if own else "") + line
        if isinstance(member, property):
            setattr(cls, name, property(member.fget, member.fset, member.fdel, doc))
        else:
            member.__doc__ = doc
