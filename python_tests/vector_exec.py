"""Runs the test vectors through one FFI backend (the Python runners' core).

The Python twin of tests/vectors/vector_exec.c. A backend performs calls:

    backend.call(sig, args) -> (ret, outs)
        args: one value per parameter: int, bytes or None for strings, the
        GUID text for guid, a backend handle or None, and for out
        parameters OUT (storage wanted) or None (a NULL pointer).
        ret: the unsigned 32-bit code for hresult, an int for u32, None for
        void. outs: one value per parameter (None where not an out): int,
        bytes or None, GUID text, a handle or None, a list for outv.
    backend.code_name(code) -> the library's name for the code
    backend.release(handle_type, handle)
    backend.skip_reason(sig, step, args) -> why the language cannot make
        this call, or None

Strings are bytes throughout: vectors may hold any byte sequence.

With a trace callable, run_file hands it one line per step (the format
of tests/vectors/README.md, "The trace"), as the C runners print them
with --trace: vector_run.py prints them for the comparison of runners.
"""

import os
import re
import tempfile
import time

import vector_format as vf

OUT = object()


class VectorMismatch(AssertionError):
    pass


_GUID = re.compile(rb"\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}")


def run_file(name, backend, trace=None):
    """Runs one vector file (a name in tests/vectors/ or a path); returns
    (calls made, lines skipped). trace(line) gets each step's trace line."""
    sigs, releases = vf.load_signatures()
    steps = vf.load_vectors(name)
    with tempfile.TemporaryDirectory(prefix="openbits-vectors-") as tmp:
        run = _Run(name, sigs, releases, backend, tmp)
        for step in steps:
            run.line = [f"{os.path.basename(name)}:{step.line} {step.call} =>"]
            try:
                run.step(step)
            finally:
                if trace:
                    trace(" ".join(run.line))
        return run.calls, run.skipped


class _Run:
    def __init__(self, name, sigs, releases, backend, tmpdir):
        self.name, self.sigs, self.releases = name, sigs, releases
        self.backend, self.tmpdir = backend, tmpdir
        self.bindings = {}  # name -> (kind, value, handle type)
        self.calls = self.skipped = 0
        self.current = None
        self.line = []    # the trace line of the current step, in words
        self.guids = []   # GUID texts in the order first seen: {GUID1}, ...

    def trace_string(self, value):
        """A string out-value as the trace shows it (README.md)."""
        if value is None:
            return "NULL"
        if _GUID.fullmatch(value):
            key = value.lower()
            if key not in self.guids:
                self.guids.append(key)
            return "{GUID%d}" % (self.guids.index(key) + 1)
        def escape(part):
            return "".join(chr(c) if 0x20 <= c <= 0x7E and c not in b'"\\' else "\\x%02x" % c
                           for c in part)
        return '"' + "$TMP".join(escape(p) for p in value.split(os.fsencode(self.tmpdir))) + '"'

    def trace_out(self, ptype, value, listed):
        if listed.kind == vf.ANY:
            return "*"
        kind = ptype.kind
        if kind in ("out_u32", "out_u64", "out_hresult"):
            return str(value)
        if kind == "out_guid":
            return self.trace_string(value.encode() if value is not None else None)
        if kind == "out_str":
            return self.trace_string(value)
        if kind == "outv_handle":
            value = value[0] if value else None
        return "NULL" if value is None else "handle"

    def fail(self, message):
        s = self.current
        raise VectorMismatch(f"{self.name}:{s.line}: {s.call}: {message}")

    def ref(self, tok, kind):
        if tok.value not in self.bindings:
            self.fail(f"${tok.value} is not bound")
        bound = self.bindings[tok.value]
        if bound[0] != kind:
            self.fail(f"${tok.value} is bound to a value of another type")
        return bound

    def string(self, tok):
        if tok.kind == vf.NULL:
            return None
        if tok.kind == vf.STR:
            return vf.expand_tmp(tok.value, self.tmpdir)
        if tok.kind == vf.REF:
            return self.ref(tok, "str")[1]
        self.fail("a string is expected")

    def build_arg(self, ptype, tok, args):
        kind = ptype.kind
        if kind in ("u32", "u64", "hresult"):
            if tok.kind == vf.REF:
                value = self.ref(tok, "int")[1]
            elif tok.kind == vf.INT:
                value = tok.value
            else:
                self.fail("an integer is expected")
            if value >= 1 << (64 if kind == "u64" else 32):
                self.fail(f"{value} is out of range")
            return value
        if kind in ("str", "guid"):
            value = self.string(tok)
            return value.decode() if kind == "guid" and value is not None else value
        if kind == "ptr":
            if tok.kind != vf.NULL:
                self.fail("only NULL is a valid pointer here")
            return None
        if kind == "handle":
            if tok.kind == vf.NULL:
                return None
            if tok.kind != vf.REF:
                self.fail("a $handle or NULL is expected")
            _, value, htype = self.ref(tok, "handle")
            if htype != ptype.handle:
                self.fail(f"${tok.value} is a {htype}, not a {ptype.handle}")
            return value
        if tok.kind == vf.NULL:
            return None
        if tok.kind != vf.OUT:
            self.fail("an out-parameter takes out or NULL")
        if kind == "outv_handle" and args[-1] > 1024:
            self.fail("celt above 1024")
        return OUT

    def write_file(self, step):
        """write_file "PATH" "CONTENT": a source file for local copies."""
        if len(step.args) != 2 or any(t.kind != vf.STR for t in step.args) or step.has_expect:
            self.fail("write_file takes a path and a content string")
        if b"\0" in step.args[0].value:
            self.fail("write_file: a path cannot hold a NUL")
        with open(vf.expand_tmp(step.args[0].value, self.tmpdir), "wb") as f:
            f.write(step.args[1].value)
        self.line.append("ok")

    def wait_state(self, step):
        """wait_state $job STATE: polls GetState until the engine moved the
        job there; the bound only keeps a broken engine from hanging."""
        if (len(step.args) != 2 or step.args[0].kind != vf.REF or step.args[1].kind != vf.INT
                or step.has_expect):
            self.fail("wait_state takes a $job and a state number")
        job = self.ref(step.args[0], "handle")[1]
        sig, state = self.sigs["bits_job_get_state"], None
        for _ in range(60 * 50):
            ret, outs = self.backend.call(sig, [job, OUT])
            state = outs[1]
            if ret == 0 and state == step.args[1].value:
                self.line.append(str(state))
                return
            time.sleep(0.02)
        self.line.append(str(state))
        self.fail(f"still in state {state} after 60 s, expected {step.args[1].value}")

    def step(self, step):
        self.current = step
        self.line.append("error")  # until the step tells more
        directive = {"write_file": self.write_file, "wait_state": self.wait_state}.get(step.call)
        if directive:
            self.line.pop()
            return directive(step)
        sig = self.sigs.get(step.call)
        if sig is None:
            self.fail("not in the signature table")
        if len(step.args) != len(sig.params):
            self.fail(f"{len(step.args)} arguments given, the function takes {len(sig.params)}")
        args = []
        for ptype, tok in zip(sig.params, step.args):
            args.append(self.build_arg(ptype, tok, args))
        out_positions = [i for i, a in enumerate(args) if a is OUT]
        if step.outs and len(step.outs) != len(out_positions):
            self.fail(f"{len(step.outs)} out-values listed for {len(out_positions)} out arguments")
        reason = self.backend.skip_reason(sig, step, args)
        if reason:
            self.skipped += 1
            self.line[-1] = f"skipped ({reason})"
            return
        ret, outs = self.backend.call(sig, args)
        self.calls += 1
        failed = sig.ret.kind == "hresult" and ret >= 0x80000000
        if sig.ret.kind == "void":
            self.line[-1] = "-"
        elif not step.has_expect or step.ret.kind == vf.ANY:
            self.line[-1] = "*"
        elif sig.ret.kind == "hresult":
            self.line[-1] = self.backend.code_name(ret)
        else:
            self.line[-1] = str(ret)
        if not failed and step.outs:
            self.line += [self.trace_out(sig.params[i], outs[i], want)
                          for i, want in zip(out_positions, step.outs)]
        try:
            self.check_return(sig, step, ret)
            if failed and step.outs:
                self.fail("a failing call lists no out-values")
        except VectorMismatch:
            for i in out_positions:
                self.finish(sig.params[i], outs[i], None)
            raise
        wants = step.outs or [None] * len(out_positions)
        errors = []
        for i, want in zip(out_positions, wants):
            try:
                self.finish(sig.params[i], outs[i], want)
            except VectorMismatch as e:
                errors.append(e)
        if errors:
            raise errors[0]

    def check_return(self, sig, step, ret):
        want = step.ret
        if not step.has_expect or want.kind == vf.ANY:
            return
        if sig.ret.kind == "hresult":
            got = self.backend.code_name(ret)
            if want.kind == vf.NAME and got != want.value:
                self.fail(f"returned {got} (0x{ret:08X}), expected {want.value}")
            if want.kind == vf.INT and want.value != ret:
                self.fail(f"returned 0x{ret:08X}, expected 0x{want.value:08X}")
            return
        if sig.ret.kind == "u32" and want.kind == vf.INT:
            if want.value != ret:
                self.fail(f"returned {ret}, expected {want.value}")
            return
        self.fail("this return cannot be checked that way")

    def bind(self, name, kind, value, htype=""):
        self.bindings[name] = (kind, value, htype)

    def finish(self, ptype, value, want):
        """Checks one out-value against @want (None: not checked) and
        binds or releases it."""
        kind = ptype.kind
        if kind == "outv_handle":
            first, rest = (value[0] if value else None), (value[1:] if value else [])
            for h in rest:
                self.backend.release(ptype.handle, h)
            return self.finish_handle(ptype.handle, first, want)
        if kind == "out_handle":
            return self.finish_handle(ptype.handle, value, want)
        if kind == "out_guid" and value is not None:
            value = value.encode()
        if want is None or want.kind == vf.ANY:
            return
        is_int = kind in ("out_u32", "out_u64", "out_hresult")
        if want.kind == vf.BIND:
            return self.bind(want.value, "int" if is_int else "str", value)
        if is_int:
            expected = self.ref(want, "int")[1] if want.kind == vf.REF else want.value
            if want.kind not in (vf.INT, vf.REF) or value != expected:
                self.fail(f"out-value {value}, expected {expected}")
            return
        if want.kind == vf.REF:
            expected = self.ref(want, "str")[1]
        else:
            expected = self.string(want)
        if value != expected or (want.kind == vf.REF and value is None):
            self.fail(f"out-value {value!r:.200}, expected {expected!r:.200}")

    def finish_handle(self, htype, value, want):
        if want is not None and want.kind == vf.BIND:
            return self.bind(want.value, "handle", value, htype)
        self.backend.release(htype, value)
        if want is None or want.kind == vf.ANY:
            return
        if want.kind == vf.NULL:
            if value is not None:
                self.fail(f"a {htype} handle came back, NULL was expected")
            return
        self.fail("a handle out-value is checked with &name, NULL or *")
