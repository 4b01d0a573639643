#!/usr/bin/python3
"""Runs the test vectors through one Python runner and prints the trace.

    vector_run.py swig|ctypes|cffi SIGNATURES VECTOR...

The command-line twin of test_vectors_swig.py and test_vectors_ffi.py,
for tests/vectors/compare_runners.py: one trace line per step on stdout
(tests/vectors/README.md, "The trace"), a mismatch on stderr, exit
status 1 when a vector failed. SIGNATURES must be the table the runners
read (tests/vectors/signatures.txt); it is named for the same command
line as every runner. ctypes and cffi load $OPENBITS_LIB; swig imports
the openbits package from PYTHONPATH.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vector_exec  # noqa: E402
import vector_format  # noqa: E402


def backend_for(name):
    sigs = vector_format.load_signatures()
    if name == "swig":
        from test_vectors_swig import SwigBackend
        return SwigBackend(*sigs)
    from ffi_backends import CffiBackend, CtypesBackend
    cls = {"ctypes": CtypesBackend, "cffi": CffiBackend}[name]
    return cls(os.environ["OPENBITS_LIB"], *sigs)


def main(argv):
    if len(argv) < 4 or argv[1] not in ("swig", "ctypes", "cffi"):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    backend = backend_for(argv[1])
    failures = 0
    for path in argv[3:]:
        try:
            calls, skipped = vector_exec.run_file(os.path.abspath(path), backend,
                                                  trace=lambda line: print(line, flush=True))
            print(f"ok   {path}: {calls} calls, {skipped} skipped")
        except vector_exec.VectorMismatch as e:
            print(e, file=sys.stderr)
            print(f"FAIL {path}")
            failures += 1
    print(f"{len(argv) - 3 - failures} of {len(argv) - 3} vector files passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
