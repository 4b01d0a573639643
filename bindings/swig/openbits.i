/*
 * openbits.i - the language-neutral SWIG description of the openbits C API.
 *
 * A language module (e.g. bindings/python/openbits_python.i) sets
 * %module, defines OPENBITS_SWIG_FAIL(hr) to raise its own error for a
 * failed call, then %includes this file. Nothing here is specific to one
 * language: the code is set with %set_output and out-values added with
 * %append_output (Perl counts its outputs, Python does not), strings use
 * SWIG_FromCharPtr. bindings/python, perl and ruby include it as it is.
 * Those macros are SWIG's unified typemap library (SWIGUTL); a language
 * without it (Java) gives the same shapes in its own file, before
 * including this one, and gets the rest (what is wrapped and how) from
 * here. bindings/README.md says what goes where.
 *
 * Shape of the wrapped API:
 * - Every function keeps its C name. A call returning bits_hresult raises
 *   the language's error when the code is negative; otherwise it returns
 *   the code followed by the out-parameters, in order.
 * - Codes are the unsigned 32-bit numbers BITS documents, as the
 *   constants are (BG_E_NOT_FOUND is 0x80200001 = 2149580801): a
 *   bits_hresult argument takes that number (or the signed one, for old
 *   callers) and a bits_hresult out-value gives it.
 * - String arguments with an embedded NUL are refused with the
 *   language's error for BITS_E_INVALIDARG (C would see them cut).
 * - char ** results become strings (or null) and are freed with
 *   bits_free(); GUIDs are "{...}" strings both ways; struct_size
 *   snapshots are allocated and filled (struct_size set) by the wrapper.
 * - Handles are plain pointers: the caller releases what it is given
 *   (bits_job_release, bits_file_release, bits_*_enum_free,
 *   bits_error_free), as in C.
 */

%{
#include <openbits/experimental.h>
#include <openbits/openbits.h>
#include <stdlib.h>
#include <string.h>
%}

%include <stdint.i>
%include <typemaps.i>

/* A C string ends at its first NUL, so a string with an embedded NUL
 * would reach the library cut short ("/x/nul\0/../../etc/x" as "/x/nul").
 * Every string argument is refused with BITS_E_INVALIDARG instead (the
 * language's error for it, as a failed call raises) before the call. */
%{
#define OPENBITS_HAS_NUL(buf, size) ((buf) && (size) > 1 && memchr((buf), '\0', (size) - 1) != NULL)
%}

#ifdef SWIGUTL
/* ---- status codes ---------------------------------------------------------- */

%typemap(out) bits_hresult {
    if ($1 < 0) {
        OPENBITS_SWIG_FAIL($1);
        SWIG_fail;
    }
    %set_output(SWIG_From_int((int)$1));
}

/* A code argument (bits_hresult_name, bits_hresult_message): the unsigned
 * number of the constants, or the signed one; nothing outside either. */
%typemap(in, fragment="SWIG_AsVal_long_SS_long") bits_hresult (long long value, int res) {
    res = SWIG_AsVal_long_SS_long($input, &value);
    if (!SWIG_IsOK(res)) {
        %argument_fail(res, "$type", $symname, $argnum);
    }
    if (value < INT32_MIN || value > (long long)UINT32_MAX) {
        %argument_fail(SWIG_OverflowError, "$type", $symname, $argnum);
    }
    $1 = value < 0 ? (bits_hresult)value : (bits_hresult)(uint32_t)value;
}

/* ---- scalar outputs ----------------------------------------------------------- */

%apply unsigned int *OUTPUT { uint32_t *out_state, uint32_t *out_type, uint32_t *out_priority,
                              uint32_t *out_flags, uint32_t *out_seconds, uint32_t *out_ms,
                              uint32_t *out_count, uint32_t *out_enable, uint32_t *out_usage,
                              uint32_t *out_context, uint32_t *out_value, uint32_t *out_fetched };
%apply unsigned long long *OUTPUT { uint64_t *out_bytes, uint64_t *out_bytes_per_second };
%apply int *OUTPUT { int32_t *out_fd };

/* A code out-value (bits_error_get_error, bits_hresult_at): unsigned, as
 * the constants. The Python package (openbits.errors) still reads the
 * signed number, so Python keeps it until it defines
 * OPENBITS_SWIG_UNSIGNED_OUT_CODES (bindings/README.md). */
#if defined(SWIGPYTHON) && !defined(OPENBITS_SWIG_UNSIGNED_OUT_CODES)
%apply int *OUTPUT { bits_hresult *out_code };
#else
%typemap(in, numinputs=0) bits_hresult *out_code (bits_hresult temp = 0) "$1 = &temp;";
%typemap(argout, fragment="SWIG_From_unsigned_SS_int") bits_hresult *out_code {
    %append_output(SWIG_From_unsigned_SS_int((unsigned int)(uint32_t)*$1));
}
#endif

/* ---- strings ------------------------------------------------------------------------ */

/* A string with a NUL is refused (OPENBITS_HAS_NUL, above).
 * SWIG_AsCharPtrAndSize gives the size with the terminating NUL; a NULL
 * string (None, undef, nil) has no NUL to find and is the library's to
 * judge. */
%typemap(in, fragment="SWIG_AsCharPtrAndSize") const char * (int res, char *buf = 0, size_t size = 0, int alloc = 0) {
    res = SWIG_AsCharPtrAndSize($input, &buf, &size, &alloc);
    if (!SWIG_IsOK(res)) {
        %argument_fail(res, "$type", $symname, $argnum);
    }
    if (OPENBITS_HAS_NUL(buf, size)) {
        OPENBITS_SWIG_FAIL(BITS_E_INVALIDARG);
        SWIG_fail; /* freearg frees buf */
    }
    $1 = buf;
}
%typemap(freearg, noblock=1) const char * {
    if (alloc$argnum == SWIG_NEWOBJ) %delete_array(buf$argnum);
}


/* A returned string is UTF-8 (or NULL); a language whose strings carry
 * an encoding (Ruby) defines OPENBITS_SWIG_FROM_UTF8 to say so. */
%{
#ifndef OPENBITS_SWIG_FROM_UTF8
#define OPENBITS_SWIG_FROM_UTF8(text) SWIG_FromCharPtr(text)
#endif
%}
%typemap(in, numinputs=0) char ** (char *temp = NULL) "$1 = &temp;";
%typemap(argout, fragment="SWIG_FromCharPtr") char ** {
    %append_output(OPENBITS_SWIG_FROM_UTF8(*$1));
    bits_free(*$1);
}

/* ---- handles returned through out-pointers --------------------------------------- */

%define OPENBITS_HANDLE_OUT(TYPE)
%typemap(in, numinputs=0) TYPE ** (TYPE *temp = NULL) "$1 = &temp;";
%typemap(argout) TYPE ** {
    %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*1_descriptor, 0));
}
%enddef
OPENBITS_HANDLE_OUT(bits_manager)
OPENBITS_HANDLE_OUT(bits_job)
OPENBITS_HANDLE_OUT(bits_file)
OPENBITS_HANDLE_OUT(bits_job_enum)
OPENBITS_HANDLE_OUT(bits_file_enum)
OPENBITS_HANDLE_OUT(bits_error)

/* ---- GUIDs as text ---------------------------------------------------------------- */

%typemap(in, numinputs=0) bits_guid *out_id (bits_guid temp) "$1 = &temp;";
%typemap(argout, fragment="SWIG_FromCharPtr") bits_guid *out_id {
    char *text = NULL;
    bits_guid_to_string($1, &text);
    %append_output(SWIG_FromCharPtr(text));
    bits_free(text);
}
/* A null string (None, undef, nil) is a NULL GUID, the library's to
 * judge (BITS_E_INVALIDARG), as for a const char *. */
%typemap(in, fragment="SWIG_AsCharPtrAndSize") const bits_guid *id (bits_guid temp, char *buf = 0, size_t size = 0, int alloc = 0) {
    int ok = SWIG_IsOK(SWIG_AsCharPtrAndSize($input, &buf, &size, &alloc));
    int nul = ok && OPENBITS_HAS_NUL(buf, size);
    int null = ok && !buf;
    ok = ok && !nul && (null || bits_guid_from_string(buf, &temp) == BITS_S_OK);
    if (alloc == SWIG_NEWOBJ) %delete_array(buf);
    if (nul) {
        OPENBITS_SWIG_FAIL(BITS_E_INVALIDARG);
        SWIG_fail;
    }
    if (!ok)
        SWIG_exception_fail(SWIG_ValueError, "a GUID string is expected");
    $1 = null ? NULL : &temp;
}

/* ---- struct_size snapshots --------------------------------------------------------- */

%define OPENBITS_SNAPSHOT_OUT(TYPE, NAME)
%typemap(in, numinputs=0) TYPE *NAME (TYPE temp) {
    memset(&temp, 0, sizeof temp);
    temp.struct_size = (uint32_t)sizeof temp;
    $1 = &temp;
}
%typemap(argout) TYPE *NAME {
    TYPE *copy = (TYPE *)malloc(sizeof(TYPE));
    if (copy) *copy = *$1;
    %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(copy), $descriptor(TYPE *), SWIG_POINTER_OWN));
}
%enddef
OPENBITS_SNAPSHOT_OUT(bits_job_progress, out_progress)
OPENBITS_SNAPSHOT_OUT(bits_file_progress, out_progress)
OPENBITS_SNAPSHOT_OUT(bits_job_times, out_times)
#endif /* SWIGUTL */

/* ---- what bindings cannot use as such ---------------------------------------------- */

/* Enumerators fetch one handle per call in bindings (celt = 1). */
%ignore bits_job_enum_next;
%ignore bits_file_enum_next;
%ignore bits_free;
%inline %{
/**
 * bits_job_enum_next with celt = 1: the next job of the snapshot.
 * @return BITS_S_OK with a job (the caller owns one reference);
 *         BITS_S_FALSE and no job at the end.
 */
bits_hresult bits_job_enum_next_one(bits_job_enum *e, bits_job **out_job) {
    return bits_job_enum_next(e, 1, out_job, NULL);
}
/**
 * bits_file_enum_next with celt = 1: the next file of the snapshot.
 * @return BITS_S_OK with a file (the caller owns one reference);
 *         BITS_S_FALSE and no file at the end.
 */
bits_hresult bits_file_enum_next_one(bits_file_enum *e, bits_file **out_file) {
    return bits_file_enum_next(e, 1, out_file, NULL);
}
%}

/* The event callback is a C function pointer; language modules provide
 * their own registration on top of bits_job_set_event_callback
 * (bindings/swig/openbits_events.i helps). The log callback likewise. */
%ignore bits_job_set_event_callback;
%ignore bits_manager_set_event_callback;
%ignore bits_manager_set_watch_callback;
%ignore bits_manager_set_log_callback;

%immutable;
/* ---- documentation ---------------------------------------------------------------- */

/* The headers' own tag; languages built with -doxygen turn the header
 * comments into their docstrings, this line included. */
%feature("doxygen:alias:threadsafety") "Thread safety: "
%feature("doxygen:alias:experimental") "Experimental: "

%include <openbits/common.h>
%include <openbits/codes.h>
%include <openbits/types.h>
%include <openbits/event.h>
%include <openbits/manager.h>
%include <openbits/job.h>
%include <openbits/file.h>
%include <openbits/error.h>
%include <openbits/version.h>
/* The experimental lane: the event descriptor and bits_manager_dispatch,
 * how languages that must not be entered from another thread (Perl,
 * Ruby) get their events on their own thread, and the flags; its
 * callbacks (watch, log) are the language modules' (above).
 * Experimental in C, and so in every language. */
%include <openbits/experimental.h>
%mutable;
