"""The test vectors through the SWIG module openbits._openbits.

The binding hides out-parameters (they come back as results), so a NULL
out-pointer cannot be passed: such lines are skipped when they expect a
failure (they change nothing). A NULL GUID is None, which the binding
passes on for the library to refuse. Strings that are not UTF-8
cannot be a Python str and are skipped likewise. bits_job_enum_next is run
as celt calls of bits_job_enum_next_one, the form the binding offers.
"""

import pytest

import openbits.errors as ob_errors
import vector_exec
import vector_format
from openbits import _openbits as ob


def _signed(code):
    return code - (1 << 32) if code >= 0x80000000 else code


class SwigBackend:
    def __init__(self, sigs, releases):
        self.sigs, self.releases = sigs, releases

    def code_name(self, code):
        return ob.bits_hresult_name(_signed(code))

    def release(self, handle_type, handle):
        if handle is not None:
            getattr(ob, self.releases[handle_type])(handle)

    def skip_reason(self, sig, step, args):
        for a in args:
            if isinstance(a, bytes):
                try:
                    a.decode("utf-8")
                except UnicodeDecodeError:
                    return "a string that is not UTF-8"
        expects_failure = step.ret is not None and "_E_" in str(step.ret.value)
        for p, a in zip(sig.params, args):
            if a is None and p.is_out and expects_failure:
                return "a NULL out-pointer"
        return None

    @staticmethod
    def _invoke(fn, inargs):
        """(code or return value, [out values]) of one binding call."""
        try:
            result = fn(*inargs)
        except ob_errors.BitsError as e:
            return e.hresult, None
        if isinstance(result, list):
            return result[0], result[1:]
        return result, []

    def _enum_next(self, sig, args):
        next_one = getattr(ob, sig.name + "_one")
        handles = []
        code = 0
        for _ in range(args[1]):
            code, outs = self._invoke(next_one, [args[0]])
            if code >= 0x80000000 or outs[0] is None:
                break
            handles.append(outs[0])
        if code < 0x80000000:
            code = 0 if len(handles) == args[1] else 1  # BITS_S_OK / BITS_S_FALSE
        outs = [None, None, handles + [None] * (max(args[1], 1) - len(handles)), len(handles)]
        return code, outs

    def call(self, sig, args):
        if sig.name.endswith("_enum_next"):
            code, outs = self._enum_next(sig, args)
            return code, [o if a is vector_exec.OUT else None for o, a in zip(outs, args)]
        inargs = [a.decode() if isinstance(a, bytes) else a
                  for p, a in zip(sig.params, args) if not p.is_out]
        ret, values = self._invoke(getattr(ob, sig.name), inargs)
        outs = [None] * len(args)
        if values is None:
            return ret, outs
        out_params = [i for i, p in enumerate(sig.params) if p.is_out]
        assert len(values) == len(out_params), f"{sig.name} returned {values!r}"
        for i, value in zip(out_params, values):
            if isinstance(value, str) and sig.params[i].kind == "out_str":
                value = value.encode()
            if sig.params[i].kind == "out_hresult":
                value &= 0xFFFFFFFF
            if args[i] is vector_exec.OUT:
                outs[i] = value
            elif sig.params[i].kind == "out_handle":
                self.release(sig.params[i].handle, value)  # asked for NULL: drop it
        return ret, outs


@pytest.mark.parametrize("name", vector_format.vector_files())
def test_vector(name):
    calls, skipped = vector_exec.run_file(name, SwigBackend(*vector_format.load_signatures()))
    print(f"{name}: {calls} calls, {skipped} lines the binding cannot express")
    assert calls > 0
