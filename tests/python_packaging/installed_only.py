"""pytest plugin (-p installed_only) for tests/python_packaging/run.sh.

Refuses to run the tests unless `import openbits` found the package
installed in the running virtual environment (not a source or build
tree on sys.path), and, with OPENBITS_EXPECT_LIB set, unless the
libopenbits mapped into the process is that file ("none": the extension
carries the library, in-tree link mode, and no libopenbits.so is mapped).
"""

import os
import sys

import pytest


def _mapped_libopenbits():
    with open("/proc/self/maps", encoding="utf-8") as maps:
        paths = {line.split()[-1] for line in maps if "/libopenbits.so" in line}
    return sorted(os.path.realpath(p) for p in paths)


def pytest_configure(config):
    import openbits

    where = os.path.realpath(openbits.__file__)
    venv = os.path.realpath(sys.prefix)
    if sys.prefix == sys.base_prefix:
        raise pytest.UsageError("installed_only: not running in a virtual environment")
    if not where.startswith(venv + os.sep):
        raise pytest.UsageError("installed_only: openbits imported from %s, not from the venv %s"
                                % (where, venv))
    want = os.environ.get("OPENBITS_EXPECT_LIB")
    if want:
        got = _mapped_libopenbits()
        expect = [] if want == "none" else [os.path.realpath(want)]
        if got != expect:
            raise pytest.UsageError("installed_only: libopenbits mapped: %s, expected %s"
                                    % (got or "none", expect or "none"))


def pytest_report_header(config):
    import openbits

    return ["openbits %s from %s; libopenbits mapped: %s"
            % (openbits.__version__, os.path.dirname(openbits.__file__),
               ", ".join(_mapped_libopenbits()) or "none (linked into the extension)")]
