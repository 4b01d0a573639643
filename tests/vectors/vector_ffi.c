/*
 * vector_ffi.c - the C vector runner that knows the API only through
 * signatures.txt: it dlopen()s the library, finds each function with
 * dlsym() and calls it with ffi_call() from the types in the table. No
 * openbits header is included.
 * Usage: vector_run_ffi LIBRARY [--trace] SIGNATURES VECTOR...
 */
#include <dlfcn.h>
#include <ffi.h>
#include <stdio.h>

#include "vector_exec.h"

static ffi_type *ffi_type_of(vector_type_kind kind)
{
    switch (kind) {
    case VT_VOID: return &ffi_type_void;
    case VT_HRESULT: return &ffi_type_sint32;
    case VT_U32: return &ffi_type_uint32;
    case VT_U64: return &ffi_type_uint64;
    default: return &ffi_type_pointer; /* strings, GUIDs, handles, out-pointers */
    }
}

static int call_ffi(void *ctx, const vector_sig *sig, const vector_word *args, vector_word *ret)
{
    ffi_type *types[VECTOR_MAX_PARAMS];
    void *values[VECTOR_MAX_PARAMS];
    /* ffi_call reads each argument from storage of its own type. */
    int32_t i32[VECTOR_MAX_PARAMS];
    uint32_t u32[VECTOR_MAX_PARAMS];
    ffi_cif cif;
    ffi_arg small = 0; /* integer returns are widened to ffi_arg */
    void *ptr = NULL;
    void *fn = dlsym(ctx, sig->name);
    if (!fn) {
        fprintf(stderr, "vector_run_ffi: dlsym(%s): %s\n", sig->name, dlerror());
        return -1;
    }
    for (size_t i = 0; i < sig->nparams; i++) {
        vector_type_kind k = sig->params[i].kind;
        types[i] = ffi_type_of(k);
        if (k == VT_HRESULT) {
            i32[i] = (int32_t)(uint32_t)args[i].u;
            values[i] = &i32[i];
        } else if (k == VT_U32) {
            u32[i] = (uint32_t)args[i].u;
            values[i] = &u32[i];
        } else if (k == VT_U64) {
            values[i] = (void *)&args[i].u;
        } else {
            values[i] = (void *)&args[i].p;
        }
    }
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)sig->nparams, ffi_type_of(sig->ret.kind),
                     types) != FFI_OK) {
        fprintf(stderr, "vector_run_ffi: ffi_prep_cif failed for %s\n", sig->name);
        return -1;
    }
    if (sig->ret.kind == VT_CSTR) {
        ffi_call(&cif, FFI_FN(fn), &ptr, values);
        ret->p = ptr;
    } else {
        ffi_call(&cif, FFI_FN(fn), &small, values);
        ret->u = (uint32_t)small;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s LIBRARY [--trace] SIGNATURES VECTOR...\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "vector_run_ffi: %s\n", dlerror());
        return 2;
    }
    const vector_backend backend = { call_ffi, lib };
    int rc = vector_main(argc, argv, 2, &backend);
    dlclose(lib);
    return rc;
}
