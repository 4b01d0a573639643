/*
 * openbits_ruby.i - the Ruby extension "openbits" (module Openbits), from
 * the language-neutral bindings/swig/openbits.i and openbits_events.i.
 *
 *   require "openbits"
 *   hr, mgr = Openbits.bits_manager_open(nil, Openbits::BITS_MANAGER_OPEN_IN_MEMORY)
 *   hr, state = Openbits.bits_job_get_state(job)
 *
 * A call returning a code returns it, followed by the out-parameters (an
 * Array when there are any); a failed call raises Openbits::Error, whose
 * #hresult is the unsigned code (as the constants) and #code_name its
 * name (bits_hresult_name). Strings come back as UTF-8; a string with a
 * NUL byte is refused with BITS_E_INVALIDARG. Handles are released by
 * the caller, as in C.
 *
 * Events. Ruby must not be entered from a thread it does not know, so
 * callbacks are delivered only on a Ruby thread, inside
 * Openbits.openbits_wait_events(mgr, ms) or Openbits.bits_manager_dispatch
 * (for a manager opened with BITS_MANAGER_OPEN_EVENT_FD; the descriptor
 * of bits_manager_get_event_fd fits IO.for_fd(fd, autoclose: false) in
 * an event loop). openbits_wait_events releases the GVL while it waits.
 *   Openbits.openbits_set_job_callback(job, ->(kind, state, code, job, file) { ... })
 *   Openbits.openbits_set_manager_callback(mgr, proc)   # nil removes
 * The job and file are borrowed for the call. An exception in a
 * callback does not unwind through the library: it is kept and raised by
 * the dispatching call (dispatch, wait, bits_manager_close) once that
 * call's events are delivered (a second one is warned). Events the
 * library would deliver on its own thread (a manager opened without the
 * flag) are dropped and counted (Openbits.openbits_dropped_events); the
 * manager callback is refused there with BG_E_INVALID_STATE.
 */
%module openbits

%{
#include <openbits/openbits.h>
#include <ruby/thread.h>

/* Openbits::Error, created on first use. */
static VALUE openbits_rb_error_class(void)
{
    VALUE mod = rb_define_module("Openbits");
    VALUE cls = rb_define_class_under(mod, "Error", rb_eStandardError);
    return cls;
}

/* The exception for @p hr: "NAME (0xCODE): message", with @hresult and
 * @code_name. */
static VALUE openbits_rb_error(int32_t hr)
{
    VALUE exc = rb_exc_new_str(openbits_rb_error_class(),
                               rb_sprintf("%s (0x%08X): %s", bits_hresult_name(hr), (unsigned)(uint32_t)hr,
                                          bits_hresult_message(hr)));
    rb_iv_set(exc, "@hresult", UINT2NUM((uint32_t)hr));
    rb_iv_set(exc, "@code_name", rb_str_new_cstr(bits_hresult_name(hr)));
    return exc;
}

/* Raises at once: a Ruby wrapper's fail: label returns nil silently. */
#define OPENBITS_SWIG_FAIL(hr) rb_exc_raise(openbits_rb_error(hr))

/* Strings of the library are UTF-8. */
static VALUE openbits_rb_utf8(const char *text)
{
    return text ? rb_utf8_str_new_cstr(text) : Qnil;
}
#define OPENBITS_SWIG_FROM_UTF8(text) openbits_rb_utf8(text)

/* openbits_wait_events waits without the GVL (openbits_events.i). */
static int openbits_rb_poll(int fd, int timeout_ms);
#define OPENBITS_CB_POLL(fd, ms) openbits_rb_poll((fd), (ms))

/* The first exception of a callback during the current dispatching
 * call, raised when that call returns (a GC root, see %init). */
static VALUE openbits_rb_pending = Qnil;

static void openbits_rb_rethrow(void)
{
    if (!NIL_P(openbits_rb_pending)) {
        VALUE exc = openbits_rb_pending;
        openbits_rb_pending = Qnil;
        rb_exc_raise(exc);
    }
}
%}

%init %{
    rb_gc_register_address(&openbits_rb_pending);
    {
        VALUE cls = openbits_rb_error_class();
        rb_define_attr(cls, "hresult", 1, 0);
        rb_define_attr(cls, "code_name", 1, 0);
    }
%}

/* The dispatching calls raise what a callback raised. */
%exception bits_manager_dispatch {
    $action
    openbits_rb_rethrow();
}
%exception openbits_wait_events {
    $action
    openbits_rb_rethrow();
}
/* bits_manager_close delivers what is still queued (fd mode) and waits
 * for a running callback: afterwards the manager's callback can no
 * longer run, so the binding releases it. */
%exception bits_manager_close {
    $action
    openbits_cb_forget_manager(arg1);
    openbits_rb_rethrow();
}

%include "openbits.i"
%include "openbits_events.i"

%{
typedef struct {
    int fd, timeout_ms, result;
} openbits_rb_poll_args;

static void *openbits_rb_poll_nogvl(void *p)
{
    openbits_rb_poll_args *a = (openbits_rb_poll_args *)p;
    a->result = openbits_cb_poll(a->fd, a->timeout_ms);
    return NULL;
}

static int openbits_rb_poll(int fd, int timeout_ms)
{
    openbits_rb_poll_args a = { fd, timeout_ms, 0 };
    /* RUBY_UBF_IO interrupts the poll (EINTR: 0) for Thread#raise or a signal. */
    rb_thread_call_without_gvl(openbits_rb_poll_nogvl, &a, RUBY_UBF_IO, NULL);
    return a.result;
}

/* A callable held by the registry: a GC root of its own. */
static void openbits_rb_drop(void *callable)
{
    VALUE *cell = (VALUE *)callable;
    rb_gc_unregister_address(cell);
    free(cell);
}

typedef struct {
    VALUE callable;
    VALUE args[5];
} openbits_rb_call_args;

static VALUE openbits_rb_call(VALUE p)
{
    openbits_rb_call_args *a = (openbits_rb_call_args *)p;
    return rb_funcallv(a->callable, rb_intern("call"), 5, a->args);
}

/* The library's callback. It enters Ruby only on a Ruby thread (inside
 * bits_manager_dispatch there, with the GVL); anywhere else the event is
 * dropped and counted. */
static void openbits_rb_trampoline(const bits_event *ev, void *user_data)
{
    openbits_cb_reg *reg = (openbits_cb_reg *)user_data;
    if (!ruby_native_thread_p()) {
        openbits_cb_count_dropped();
        return;
    }
    openbits_rb_call_args a;
    int state = 0;
    a.callable = *(VALUE *)reg->callable;
    a.args[0] = UINT2NUM(ev->kind);
    a.args[1] = UINT2NUM(ev->state);
    a.args[2] = UINT2NUM((uint32_t)ev->error_code);
    a.args[3] = SWIG_NewPointerObj(SWIG_as_voidptr(ev->job), SWIGTYPE_p_bits_job, 0);
    a.args[4] = ev->file ? SWIG_NewPointerObj(SWIG_as_voidptr(ev->file), SWIGTYPE_p_bits_file, 0) : Qnil;
    /* The callable stays reachable from this frame (a), should it
     * replace itself: Ruby's GC scans the machine stack. */
    rb_protect(openbits_rb_call, (VALUE)&a, &state);
    RB_GC_GUARD(a.callable);
    if (state) {
        VALUE exc = rb_errinfo();
        rb_set_errinfo(Qnil);
        if (NIL_P(exc) || !rb_obj_is_kind_of(exc, rb_eException))
            exc = rb_exc_new_cstr(rb_eRuntimeError, "openbits: an event callback jumped out (break, throw)");
        if (NIL_P(openbits_rb_pending))
            openbits_rb_pending = exc;
        else
            rb_warn("openbits: an event callback raised too: %" PRIsVALUE, exc);
    }
}

/* Registers @p callable (nil: removes) for @p owner. */
static bits_hresult openbits_rb_register(void *owner, int is_manager, VALUE callable)
{
    openbits_cb_reg *reg = NULL;
    if (!NIL_P(callable)) {
        VALUE *cell = (VALUE *)malloc(sizeof *cell);
        if (!cell)
            return BITS_E_OUTOFMEMORY;
        *cell = callable;
        rb_gc_register_address(cell);
        reg = openbits_cb_new(cell, openbits_rb_drop, NULL);
        if (!reg) {
            openbits_rb_drop(cell);
            return BITS_E_OUTOFMEMORY;
        }
    }
    return openbits_cb_register(owner, is_manager, reg, openbits_rb_trampoline);
}
%}

/* An event callback: anything answering #call (a Proc, a Method), or nil. */
%typemap(in) VALUE callable {
    if (!NIL_P($input) && !rb_respond_to($input, rb_intern("call")))
        SWIG_exception_fail(SWIG_TypeError, "a callable (answering #call) or nil is expected");
    $1 = $input;
}

%inline %{
/* Registers @p callable (or nil) for the job's events, called as
 * callable.call(kind, state, error_code, job, file) inside
 * bits_manager_dispatch / openbits_wait_events on a Ruby thread.
 * Replacing or removing waits for a running call. */
bits_hresult openbits_set_job_callback(bits_job *job, VALUE callable) {
    return openbits_rb_register(job, 0, callable);
}
/* The same for every job of the manager, which must have been opened
 * with BITS_MANAGER_OPEN_EVENT_FD (else BG_E_INVALID_STATE). */
bits_hresult openbits_set_manager_callback(bits_manager *manager, VALUE callable) {
    int32_t fd;
    if (!NIL_P(callable) && manager && bits_manager_get_event_fd(manager, &fd) < 0)
        return BG_E_INVALID_STATE;
    return openbits_rb_register(manager, 1, callable);
}
%}
