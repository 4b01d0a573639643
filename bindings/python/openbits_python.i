/*
 * openbits_python.i - the Python module openbits._openbits.
 *
 * The language-neutral description is bindings/swig/openbits.i; this file
 * adds what only Python needs: failed calls raise the openbits.errors
 * class for their code, and event callbacks reach Python callables
 * through a C trampoline that takes the GIL. The module is built with
 * -threads, so the GIL is released around every library call: a call that
 * waits (removing a callback waits for a running one) never blocks a
 * callback that needs the GIL.
 */
%module(package="openbits") _openbits

%{
#define SWIG_FILE_WITH_INIT
/* Raises the exception openbits.errors picks for @p hr. */
static void openbits_raise(int32_t hr)
{
    PyObject *mod = PyImport_ImportModule("openbits.errors");
    PyObject *cls = NULL;
    unsigned long code = (unsigned long)(uint32_t)hr;
    if (mod) {
        cls = PyObject_CallMethod(mod, "class_for", "k", code);
        Py_DECREF(mod);
    }
    if (!cls) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "openbits call failed: 0x%08lX", code);
        return;
    }
    PyObject *exc = PyObject_CallFunction(cls, "k", code);
    Py_DECREF(cls);
    if (exc) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
}
#define OPENBITS_SWIG_FAIL(hr) openbits_raise(hr)
%}

/* bits_job_add_file_set(job, count, files) takes a sequence of
 * (remote, local) pairs. The typemap copies it into a private tuple: the
 * UTF-8 it hands to C belongs to str objects that tuple keeps alive, and
 * no other thread can swap a pair while the call runs without the GIL.
 * Every error path only jumps to fail:, where freearg releases what was
 * taken, once (freeing here as well was a double free). */
%typemap(in) (uint32_t count, const bits_file_info *files) (PyObject *items = NULL) {
    items = PySequence_Tuple($input);
    if (!items) {
        if (PyErr_ExceptionMatches(PyExc_TypeError))
            PyErr_SetString(PyExc_TypeError, "a sequence of (url, path) pairs is expected");
        SWIG_fail;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    if ((size_t)n > UINT32_MAX)
        SWIG_exception_fail(SWIG_OverflowError, "too many files for one call");
    $2 = (bits_file_info *)calloc(n ? (size_t)n : 1, sizeof(bits_file_info));
    if (!$2) {
        PyErr_NoMemory();
        SWIG_fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pair = PyTuple_GET_ITEM(items, i);
        const char *text[2];
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0)) || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1)))
            SWIG_exception_fail(SWIG_TypeError, "each file must be a (url, path) tuple of str");
        for (int k = 0; k < 2; k++) {
            Py_ssize_t len = 0;
            text[k] = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(pair, k), &len);
            if (!text[k]) /* a lone surrogate has no UTF-8 */
                SWIG_exception_fail(SWIG_TypeError, "each file must be a (url, path) tuple of UTF-8 encodable str");
            if (OPENBITS_HAS_NUL(text[k], (size_t)len + 1)) { /* C would see it cut */
                OPENBITS_SWIG_FAIL(BITS_E_INVALIDARG);
                SWIG_fail;
            }
        }
        $2[i].remote_name = text[0];
        $2[i].local_name = text[1];
    }
    $1 = (uint32_t)n;
}
%typemap(freearg) (uint32_t count, const bits_file_info *files) {
    free((void *)$2);
    Py_XDECREF(items$argnum);
}

%include "openbits.i"

/* ---- event callbacks -------------------------------------------------------- */

%{
/* Runs on the library's notification thread with no library lock held.
 * The callable is borrowed: openbits.job keeps it alive while registered
 * (the library waits for a running callback before unregistering returns). */
static void openbits_py_trampoline(const bits_event *ev, void *user_data)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *callable = (PyObject *)user_data;
    PyObject *job = SWIG_InternalNewPointerObj(SWIG_as_voidptr(ev->job), SWIGTYPE_p_bits_job, 0);
    PyObject *file = ev->file ? SWIG_InternalNewPointerObj(SWIG_as_voidptr(ev->file), SWIGTYPE_p_bits_file, 0)
                              : (Py_INCREF(Py_None), Py_None);
    PyObject *result = PyObject_CallFunction(callable, "IIkOO", (unsigned)ev->kind, (unsigned)ev->state,
                                             (unsigned long)(uint32_t)ev->error_code, job, file);
    if (!result)
        PyErr_WriteUnraisable(callable);
    Py_XDECREF(result);
    Py_XDECREF(job);
    Py_XDECREF(file);
    PyGILState_Release(gil);
}
%}

/* An event callback: a callable, or None to remove it. */
%typemap(in) PyObject *callable {
    if ($input != Py_None && !PyCallable_Check($input))
        SWIG_exception_fail(SWIG_TypeError, "a callable or None is expected");
    $1 = $input;
}

%inline %{
/* Registers @p callable (or None) for the job's events. The callable is
 * called as callable(kind, state, error_code, job, file). */
bits_hresult openbits_set_job_callback(bits_job *job, PyObject *callable) {
    if (callable == Py_None)
        return bits_job_set_event_callback(job, NULL, NULL);
    return bits_job_set_event_callback(job, openbits_py_trampoline, callable);
}
bits_hresult openbits_set_manager_callback(bits_manager *manager, PyObject *callable) {
    if (callable == Py_None)
        return bits_manager_set_event_callback(manager, NULL, NULL);
    return bits_manager_set_event_callback(manager, openbits_py_trampoline, callable);
}
/* The address of a handle, to compare handles from different wrappers. */
unsigned long long openbits_handle_address(bits_job *job) {
    return (unsigned long long)(uintptr_t)job;
}
%}
