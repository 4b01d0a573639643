"""The ctypes and cffi backends of the vector runners (vector_exec.py).

Both know the API only through tests/vectors/signatures.txt: argument and
return types come from the table, handles are plain pointers. The shared
call() builds arguments and reads out-values; each backend supplies only
how its FFI makes storage, reads it and calls.
"""

import ctypes

import vector_exec

OUT = vector_exec.OUT

# BITS_E_INVALIDARG (Windows' E_INVALIDARG; the number is part of the ABI).
E_INVALIDARG = 0x80070057


def _unsigned(code):
    return code & 0xFFFFFFFF


def _signed(code):
    return code - (1 << 32) if code >= 0x80000000 else code


class _FfiBackend:
    def __init__(self, sigs, releases):
        self.sigs, self.releases = sigs, releases

    def release(self, handle_type, handle):
        if handle:
            self.call(self.sigs[self.releases[handle_type]], [handle])

    def skip_reason(self, sig, step, args):
        return None  # C calling conventions express every vector

    def code_name(self, code):
        ret, _ = self.call(self.sigs["bits_hresult_name"], [code])
        return ret.decode()

    def take_string(self, pointer):
        """The bytes of a library string (or None), freed with bits_free."""
        if self.is_null(pointer):
            return None
        text = self.string_at(pointer)
        self.call(self.sigs["bits_free"], [pointer])
        return text

    def guid_text(self, guid):
        ret, outs = self.call(self.sigs["bits_guid_to_string"], [guid, OUT])
        assert ret == 0
        return outs[1].decode()

    @staticmethod
    def has_nul(sig, args):
        """A string or GUID argument holding a NUL. ctypes and cffi would
        pass its bytes as a C string, which ends at the first NUL: the
        library would see it cut ("a\\0b" as "a"). The SWIG binding
        refuses such a string before the call with BITS_E_INVALIDARG, and
        so does this backend, as the C runners do (vector_exec.c)."""
        return any(p.kind in ("str", "guid") and isinstance(a, (bytes, str)) and
                   ("\0" if isinstance(a, str) else b"\0") in a
                   for p, a in zip(sig.params, args))

    def call(self, sig, args):
        if self.has_nul(sig, args):
            return E_INVALIDARG, [None] * len(args)
        cargs, slots = [], []
        for p, a in zip(sig.params, args):
            slot = None
            if a is OUT:
                count = max(cargs[-1], 1) if p.kind == "outv_handle" else 1
                slot = self.new_out(p.kind, count)
                cargs.append(self.out_arg(p.kind, slot))
            elif a is None:
                cargs.append(self.null())
            elif p.kind == "guid" and isinstance(a, str):
                cargs.append(self.guid_in(a))
            elif p.kind == "hresult":
                cargs.append(_signed(a))
            else:
                cargs.append(a)
            slots.append(slot)
        ret = self.invoke(sig, cargs)
        if sig.ret.kind == "hresult":
            ret = _unsigned(ret)
        outs = [None] * len(args)
        for i, (p, a, slot) in enumerate(zip(sig.params, args, slots)):
            if a is not OUT:
                continue
            if p.kind in ("out_u32", "out_u64", "out_hresult"):
                outs[i] = self.value(slot)
            elif p.kind == "out_handle":
                outs[i] = self.pointer(self.value(slot))
            elif p.kind == "out_str":
                outs[i] = self.take_string(self.value(slot))
            elif p.kind == "out_guid":
                outs[i] = self.guid_text(slot)
            elif p.kind == "outv_handle":
                outs[i] = [self.pointer(h) for h in slot]
        return ret, outs


_CTYPES = {"hresult": ctypes.c_int32, "u32": ctypes.c_uint32, "u64": ctypes.c_uint64,
           "cstr": ctypes.c_char_p, "str": ctypes.c_char_p, "void": None,
           "out_u32": ctypes.c_uint32, "out_u64": ctypes.c_uint64,
           "out_hresult": ctypes.c_uint32}  # read as the unsigned pattern


class CtypesBackend(_FfiBackend):
    def __init__(self, path, sigs, releases):
        super().__init__(sigs, releases)
        self.lib = ctypes.CDLL(path)

    def new_out(self, kind, count):
        if kind == "out_guid":
            return (ctypes.c_uint8 * 16)()
        if kind == "outv_handle":
            return (ctypes.c_void_p * count)()
        return _CTYPES.get(kind, ctypes.c_void_p)()

    def out_arg(self, kind, slot):
        return slot if kind in ("out_guid", "outv_handle") else ctypes.byref(slot)

    def guid_in(self, text):
        buf = (ctypes.c_uint8 * 16)()
        fn = self.lib.bits_guid_from_string
        fn.argtypes, fn.restype = [ctypes.c_char_p, ctypes.c_void_p], ctypes.c_int32
        assert fn(text.encode(), buf) == 0, f"{text!r} is not a GUID"
        return buf

    def invoke(self, sig, cargs):
        fn = getattr(self.lib, sig.name)
        fn.restype = _CTYPES.get(sig.ret.kind, ctypes.c_void_p)
        fn.argtypes = [_CTYPES.get(p.kind, ctypes.c_void_p) if not p.is_out else ctypes.c_void_p
                       for p in sig.params]
        return fn(*cargs)

    def null(self):
        return None

    def is_null(self, pointer):
        return not pointer

    def value(self, slot):
        return slot.value

    def pointer(self, address):
        return address or None

    def string_at(self, pointer):
        return ctypes.string_at(pointer)


_CFFI_TYPES = {"void": "void", "hresult": "int32_t", "u32": "uint32_t", "u64": "uint64_t",
               "cstr": "const char *", "str": "const char *", "guid": "const unsigned char *",
               "ptr": "void *", "handle": "void *", "out_u32": "uint32_t *",
               "out_u64": "uint64_t *", "out_hresult": "uint32_t *", "out_str": "char **", "out_guid": "unsigned char *",
               "out_handle": "void **", "outv_handle": "void **"}


def cffi_declarations(sigs):
    """C declarations of every function of the table, handles as void *."""
    return "\n".join(f"{_CFFI_TYPES[s.ret.kind]} {s.name}("
                     f"{', '.join(_CFFI_TYPES[p.kind] for p in s.params) or 'void'});"
                     for s in sigs.values())


class CffiBackend(_FfiBackend):
    def __init__(self, path, sigs, releases):
        import cffi
        super().__init__(sigs, releases)
        self.ffi = cffi.FFI()
        self.ffi.cdef(cffi_declarations(sigs))
        self.lib = self.ffi.dlopen(path)

    def new_out(self, kind, count):
        if kind == "out_guid":
            return self.ffi.new("unsigned char[16]")
        if kind == "outv_handle":
            return self.ffi.new("void *[]", count)
        return self.ffi.new(_CFFI_TYPES[kind])

    def out_arg(self, kind, slot):
        return slot

    def guid_in(self, text):
        buf = self.ffi.new("unsigned char[16]")
        assert self.lib.bits_guid_from_string(text.encode(), buf) == 0, f"{text!r} is not a GUID"
        return buf

    def invoke(self, sig, cargs):
        ret = getattr(self.lib, sig.name)(*cargs)
        if sig.ret.kind == "cstr":
            return self.ffi.string(ret) if ret != self.ffi.NULL else None
        return ret

    def null(self):
        return self.ffi.NULL

    def is_null(self, pointer):
        return pointer == self.ffi.NULL

    def value(self, slot):
        return slot[0]

    def pointer(self, cdata):
        return None if cdata == self.ffi.NULL else cdata

    def string_at(self, pointer):
        return self.ffi.string(pointer)
