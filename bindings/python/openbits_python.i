/*
 * openbits_python.i - the Python module openbits._openbits.
 *
 * The language-neutral description is bindings/swig/openbits.i; this file
 * adds what only Python needs: failed calls raise the openbits.errors
 * class for their code, and event callbacks reach Python callables
 * through a C trampoline that takes the GIL; the binding holds each
 * registered callable until the library says it can no longer run (the
 * manager's log callback likewise). The
 * module is built with -threads, so the GIL is released around every
 * library call: a call that waits (removing a callback waits for a
 * running one) never blocks a callback that needs the GIL.
 */
%module(package="openbits") _openbits

%{
#define SWIG_FILE_WITH_INIT
#include <openbits/experimental.h>
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

/* bits_manager_close waits for the notification thread (unless called
 * from inside a callback, when no callback starts after it returns):
 * afterwards the manager's callbacks (event and watch) can no longer
 * run, so the binding drops the callables it held for them (event
 * callbacks, below). */
%exception bits_manager_close {
    $action
    openbits_py_drop(openbits_py_unlink(arg1, OPENBITS_PY_MANAGER, ULLONG_MAX));
    openbits_py_drop(openbits_py_unlink(arg1, OPENBITS_PY_WATCH, ULLONG_MAX));
    openbits_py_drop(openbits_py_unlink(arg1, OPENBITS_PY_LOG, ULLONG_MAX));
}

%include "openbits.i"

/* ---- event callbacks -------------------------------------------------------- */

%{
/* The library keeps only the user_data pointer it is given, so the
 * binding holds a reference to each registered callable until the
 * library says that callable can no longer run: event.h's contract is
 * that bits_*_set_event_callback (with NULL or a new callback) returns
 * only once a running call of the old one has returned, and it is never
 * called again afterwards; bits_manager_close likewise.
 *
 * Registrations on one owner (a job or a manager) from several threads
 * reach the library in an order the binding cannot see, so it does not
 * guess which one was replaced. Each call reads a clock when it begins;
 * a registration whose call had returned before that came before it in
 * the library's order, so this call (or one between) replaced it: once
 * this call returns, such a registration is dropped. Calls that overlap
 * keep each other's callables until a later call (or close) settles
 * them: a callable may live a little longer than needed, never shorter.
 * From inside a callback the library does not wait for that callback
 * (it is the caller): the trampoline holds its own reference for the
 * duration of each call, so dropping the registration then is safe too.
 * The list and the clock are guarded by the GIL. */
/* What a registration is for (openbits_py_reg.kind). */
#define OPENBITS_PY_JOB 0     /* bits_job_set_event_callback */
#define OPENBITS_PY_MANAGER 1 /* bits_manager_set_event_callback */
#define OPENBITS_PY_WATCH 2   /* bits_manager_set_watch_callback */
#define OPENBITS_PY_LOG 3     /* bits_manager_set_log_callback */

typedef struct openbits_py_reg {
    struct openbits_py_reg *next;
    void *owner;                 /* the bits_job or bits_manager */
    int kind;                    /* OPENBITS_PY_* */
    PyObject *callable;          /* a reference of its own */
    unsigned long long returned; /* the clock when its registration returned */
} openbits_py_reg;

static openbits_py_reg *openbits_py_regs;
static unsigned long long openbits_py_clock;

/* Unlinks the registrations of @p owner whose call returned before
 * @p began (all of them for ULLONG_MAX) and returns them as a list. */
static openbits_py_reg *openbits_py_unlink(void *owner, int kind, unsigned long long began)
{
    openbits_py_reg *dead = NULL, **p = &openbits_py_regs;
    while (*p) {
        openbits_py_reg *r = *p;
        if (r->owner == owner && r->kind == kind && r->returned < began) {
            *p = r->next;
            r->next = dead;
            dead = r;
        } else {
            p = &r->next;
        }
    }
    return dead;
}

/* Drops the callables of a list from openbits_py_unlink. Done after the
 * list left the registry: a finalizer may register again. */
static void openbits_py_drop(openbits_py_reg *dead)
{
    while (dead) {
        openbits_py_reg *next = dead->next;
        Py_DECREF(dead->callable);
        free(dead);
        dead = next;
    }
}

/* Runs on the library's notification thread with no library lock held.
 * user_data is a callable the registry holds (above); the call holds a
 * reference of its own, since the callable may replace itself. */
static void openbits_py_trampoline(const bits_event *ev, void *user_data)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *callable = (PyObject *)user_data;
    Py_INCREF(callable);
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
    Py_DECREF(callable);
    PyGILState_Release(gil);
}

/* Runs where the manager's events run, with no library lock held; the
 * callable is called as callable(level, message). */
static void openbits_py_log_trampoline(uint32_t level, bits_job *job, const char *message,
                                       void *user_data)
{
    (void)job;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *callable = (PyObject *)user_data;
    Py_INCREF(callable);
    PyObject *result = PyObject_CallFunction(callable, "Is", (unsigned)level, message);
    if (!result)
        PyErr_WriteUnraisable(callable);
    Py_XDECREF(result);
    Py_DECREF(callable);
    PyGILState_Release(gil);
}

/* Registers @p callable (None: removes) for @p kind with the GIL held;
 * releases the GIL only around the library's call, which may wait for a
 * running callback that needs the GIL. @p max_level is for
 * OPENBITS_PY_LOG only. */
static bits_hresult openbits_py_register(void *owner, int kind, uint32_t max_level,
                                         PyObject *callable)
{
    PyObject *held = callable == Py_None ? NULL : callable;
    openbits_py_reg *reg = NULL;
    bits_hresult hr;
    if (held) {
        reg = (openbits_py_reg *)calloc(1, sizeof *reg);
        if (!reg)
            return BITS_E_OUTOFMEMORY;
        Py_INCREF(held);
        reg->owner = owner;
        reg->kind = kind;
        reg->callable = held;
    }
    unsigned long long began = ++openbits_py_clock;
    Py_BEGIN_ALLOW_THREADS
    switch (kind) {
    case OPENBITS_PY_LOG:
        hr = bits_manager_set_log_callback((bits_manager *)owner, max_level,
                                           held ? openbits_py_log_trampoline : NULL, held);
        break;
    case OPENBITS_PY_WATCH:
        hr = bits_manager_set_watch_callback((bits_manager *)owner, held ? openbits_py_trampoline : NULL, held);
        break;
    case OPENBITS_PY_MANAGER:
        hr = bits_manager_set_event_callback((bits_manager *)owner, held ? openbits_py_trampoline : NULL, held);
        break;
    default:
        hr = bits_job_set_event_callback((bits_job *)owner, held ? openbits_py_trampoline : NULL, held);
        break;
    }
    Py_END_ALLOW_THREADS
    if (hr < 0) { /* nothing changed in the library */
        if (reg) {
            Py_DECREF(held);
            free(reg);
        }
        return hr;
    }
    openbits_py_reg *dead = openbits_py_unlink(owner, kind, began);
    if (reg) {
        reg->returned = ++openbits_py_clock;
        reg->next = openbits_py_regs;
        openbits_py_regs = reg;
    }
    openbits_py_drop(dead);
    return hr;
}
%}

/* An event callback: a callable, or None to remove it. */
%typemap(in) PyObject *callable {
    if ($input != Py_None && !PyCallable_Check($input))
        SWIG_exception_fail(SWIG_TypeError, "a callable or None is expected");
    $1 = $input;
}

/* They take the GIL in hand themselves (openbits_py_register). */
%nothreadallow openbits_set_job_callback;
%nothreadallow openbits_set_manager_callback;
%nothreadallow openbits_set_watch_callback;
%nothreadallow openbits_set_log_callback;

%inline %{
/* Registers @p callable (or None) for the job's events. The callable is
 * called as callable(kind, state, error_code, job, file) on the library's
 * notification thread; the binding keeps it alive as long as the library
 * may call it. Replacing or removing waits for a running call. */
bits_hresult openbits_set_job_callback(bits_job *job, PyObject *callable) {
    return openbits_py_register(job, OPENBITS_PY_JOB, 0, callable);
}
/* The same for every job of the manager (bits_manager_set_event_callback). */
bits_hresult openbits_set_manager_callback(bits_manager *manager, PyObject *callable) {
    return openbits_py_register(manager, OPENBITS_PY_MANAGER, 0, callable);
}
/* The same for the manager's watch (bits_manager_set_watch_callback,
 * experimental): every event of every job, whatever its notify flags.
 * The package's Job.wait, wait_async and events use it. */
bits_hresult openbits_set_watch_callback(bits_manager *manager, PyObject *callable) {
    return openbits_py_register(manager, OPENBITS_PY_WATCH, 0, callable);
}
/* Registers @p callable (or None) for the manager's log lines up to
 * @p max_level (BITS_LOG_ERROR 1 ... BITS_LOG_DEBUG 4,
 * bits_manager_set_log_callback in openbits/experimental.h). The callable
 * is called as callable(level, message) where the manager's events run;
 * the binding keeps it alive as long as the library may call it, as for
 * event callbacks. Replacing or removing waits for a running call. */
bits_hresult openbits_set_log_callback(bits_manager *manager, uint32_t max_level, PyObject *callable) {
    return openbits_py_register(manager, OPENBITS_PY_LOG, max_level, callable);
}
/* The address of a handle, to compare handles from different wrappers. */
unsigned long long openbits_handle_address(bits_job *job) {
    return (unsigned long long)(uintptr_t)job;
}
%}
