"""The string parameters of the C API, for the tests that feed them bad
strings (test_typemaps.py, test_nul.py) through openbits._openbits."""

import contextlib
import os
import re

from openbits import _openbits as c

INCLUDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "include", "openbits")

# (function, arguments): "S" is where the string goes; "M", "J" and "F"
# the manager, a job and a file of it (string_handles).
STRING_CALLS = [
    ("bits_manager_open", ["S", c.BITS_MANAGER_OPEN_IN_MEMORY]),
    ("bits_manager_create_job", ["M", "S", 0]),
    ("bits_job_add_file", ["J", "S", "/tmp/openbits-strings"]),
    ("bits_job_add_file", ["J", "http://127.0.0.1:9/x", "S"]),
    ("bits_job_set_display_name", ["J", "S"]),
    ("bits_job_set_description", ["J", "S"]),
    ("bits_job_set_notify_cmd_line", ["J", "S", None]),
    ("bits_job_set_notify_cmd_line", ["J", "/bin/true", "S"]),
    ("bits_job_set_proxy_settings", ["J", c.BG_JOB_PROXY_USAGE_OVERRIDE, "S", None]),
    ("bits_job_set_proxy_settings", ["J", c.BG_JOB_PROXY_USAGE_OVERRIDE, "p:1", "S"]),
    ("bits_job_set_credentials", ["J", c.BG_AUTH_TARGET_SERVER, c.BG_AUTH_SCHEME_BASIC, "S", "pw"]),
    ("bits_job_set_credentials", ["J", c.BG_AUTH_TARGET_SERVER, c.BG_AUTH_SCHEME_BASIC, "u", "S"]),
    ("bits_job_set_custom_headers", ["J", "S"]),
    ("bits_file_set_remote_name", ["F", "S"]),
    ("bits_guid_from_string", ["S"]),
]
STRING_IDS = ["%s-%d" % (n, a.index("S")) for n, a in STRING_CALLS]

# The functions taking a GUID (const bits_guid *id), given as text.
GUID_CALLS = [
    ("bits_manager_get_job", ["M", "S"]),
    ("bits_guid_to_string", ["S"]),
]

_DECL = re.compile(r"BITS_API\s[^;{]*?\b(bits_\w+)\s*\(([^)]*)\)\s*;", re.S)


def header_params(ctype):
    """{(function, index)} of every public parameter declared `ctype ...`
    in include/openbits/*.h."""
    found = set()
    for name in sorted(os.listdir(INCLUDE)):
        with open(os.path.join(INCLUDE, name), encoding="utf-8") as f:
            text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        for fn, params in _DECL.findall(text):
            for i, p in enumerate(params.split(",")):
                if re.match(re.escape(ctype) + r"\s*\w+$", " ".join(p.split())):
                    found.add((fn, i))
    return found


@contextlib.contextmanager
def string_handles(manager, tmp_path):
    """The handles STRING_CALLS refers to: the manager, a new job, a file."""
    hr, _, job = c.bits_manager_create_job(manager._h, "strings", 0)
    c.bits_job_add_file(job, "http://127.0.0.1:9/f", str(tmp_path / "f"))
    hr, e = c.bits_job_enum_files(job)
    f = c.bits_file_enum_next_one(e)[1]
    c.bits_file_enum_free(e)
    try:
        yield {"M": manager._h, "J": job, "F": f}
    finally:
        c.bits_file_release(f)
        c.bits_job_cancel(job)
        c.bits_job_release(job)


def string_call(handles, call, args, value):
    """Makes one STRING_CALLS (or GUID_CALLS) call with `value` as its string."""
    built = [value if a == "S" else handles.get(a, a) if isinstance(a, str) else a
             for a in args]
    return getattr(c, call)(*built)
