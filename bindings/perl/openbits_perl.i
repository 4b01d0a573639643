/*
 * openbits_perl.i - the Perl module "openbits", from the language-neutral
 * bindings/swig/openbits.i and openbits_events.i.
 *
 * A failed call (negative bits_hresult) dies with an openbits::Error
 * object: a hash with "hresult" (the unsigned code, as the constants),
 * "name" (bits_hresult_name) and "message" (bits_hresult_message); it
 * stringifies to "NAME (0xCODE): message". Out-parameters come back as a
 * list after the code:
 *   my ($hr, $state) = openbits::bits_job_get_state($job);
 * Handles are released by the caller, as in C.
 *
 * Events. Perl must not be entered from another thread, so callbacks are
 * delivered only on the thread that runs the interpreter: open the
 * manager with $openbits::BITS_MANAGER_OPEN_EVENT_FD and call
 * openbits::openbits_wait_events($mgr, $ms) (or bits_manager_dispatch
 * when bits_manager_get_event_fd's descriptor is readable, e.g. from
 * IO::Select or an event loop); the callbacks run inside that call.
 *   openbits::openbits_set_job_callback($job, sub {
 *       my ($kind, $state, $error_code, $job, $file) = @_; ... });
 *   openbits::openbits_set_manager_callback($mgr, \&on_event);
 * undef removes a callback. The job and file handles are borrowed for the
 * call. A callback that dies does not unwind through the library: the
 * error is kept and the dispatching call (bits_manager_dispatch,
 * openbits_wait_events, bits_manager_close) dies with it once the events
 * of that call are delivered (a second one in the same call is warned).
 * Events of a manager opened without the flag reach the binding on the
 * library's thread, where it cannot call Perl: they are dropped and
 * counted (openbits::openbits_dropped_events()); the manager callback is
 * refused there outright with BG_E_INVALID_STATE.
 */
%module openbits

%{
#include <openbits/openbits.h>
/* Stores an openbits::Error for @p hr in $@; the wrapper then croaks. */
static void openbits_perl_fail(pTHX_ int32_t hr)
{
    HV *fields = newHV();
    (void)hv_store(fields, "hresult", 7, newSVuv((UV)(uint32_t)hr), 0);
    (void)hv_store(fields, "name", 4, newSVpv(bits_hresult_name(hr), 0), 0);
    (void)hv_store(fields, "message", 7, newSVpv(bits_hresult_message(hr), 0), 0);
    SV *error = sv_bless(newRV_noinc((SV *)fields), gv_stashpv("openbits::Error", GV_ADD));
    sv_setsv(get_sv("@", GV_ADD), error);
    SvREFCNT_dec(error);
}
#define OPENBITS_SWIG_FAIL(hr) openbits_perl_fail(aTHX_ hr)

/* The first error a callback died with during the current dispatching
 * call, rethrown when that call returns (openbits_perl_rethrow). */
static SV *openbits_perl_pending;
%}

/* The dispatching calls rethrow what a callback died with. */
%define OPENBITS_PERL_RETHROWS(NAME)
%exception NAME {
    $action
    if (openbits_perl_pending) {
        sv_setsv(get_sv("@", GV_ADD), openbits_perl_pending);
        SvREFCNT_dec(openbits_perl_pending);
        openbits_perl_pending = NULL;
        SWIG_fail;
    }
}
%enddef
OPENBITS_PERL_RETHROWS(bits_manager_dispatch)
OPENBITS_PERL_RETHROWS(openbits_wait_events)

/* bits_manager_close delivers what is still queued (fd mode) and waits
 * for a running callback: afterwards the manager's callback can no
 * longer run, so the binding releases it. */
%exception bits_manager_close {
    $action
    openbits_cb_forget_manager(arg1);
    if (openbits_perl_pending) {
        sv_setsv(get_sv("@", GV_ADD), openbits_perl_pending);
        SvREFCNT_dec(openbits_perl_pending);
        openbits_perl_pending = NULL;
        SWIG_fail;
    }
}

%include "openbits.i"
%include "openbits_events.i"

%{
/* Releases a callable the registry held (openbits_events.i). */
static void openbits_perl_drop(void *callable)
{
    dTHX;
    SvREFCNT_dec((SV *)callable);
}

/* The library's callback. It enters Perl only on the thread of the
 * interpreter that registered it (inside bits_manager_dispatch there);
 * anywhere else the event is dropped and counted. */
static void openbits_perl_trampoline(const bits_event *ev, void *user_data)
{
    openbits_cb_reg *reg = (openbits_cb_reg *)user_data;
    if (PERL_GET_CONTEXT != reg->context) {
        openbits_cb_count_dropped();
        return;
    }
    dTHX;
    dSP;
    SV *callable = (SV *)reg->callable;
    SvREFCNT_inc_simple_void_NN(callable); /* it may replace itself */
    ENTER;
    SAVETMPS;
    PUSHMARK(SP);
    mXPUSHu(ev->kind);
    mXPUSHu(ev->state);
    mXPUSHu((uint32_t)ev->error_code);
    /* SWIG_NewPointerObj gives a mortal already. */
    XPUSHs(SWIG_NewPointerObj(SWIG_as_voidptr(ev->job), SWIGTYPE_p_bits_job, 0));
    XPUSHs(ev->file ? SWIG_NewPointerObj(SWIG_as_voidptr(ev->file), SWIGTYPE_p_bits_file, 0)
                    : &PL_sv_undef);
    PUTBACK;
    call_sv(callable, G_DISCARD | G_EVAL);
    SPAGAIN;
    if (SvTRUE(ERRSV)) {
        if (!openbits_perl_pending)
            openbits_perl_pending = newSVsv(ERRSV);
        else
            warn("openbits: an event callback died too: %" SVf, SVfARG(ERRSV));
        sv_setsv(ERRSV, &PL_sv_undef);
    }
    PUTBACK;
    FREETMPS;
    LEAVE;
    SvREFCNT_dec(callable);
}

/* Registers @p callable (undef: removes) for @p owner. */
static bits_hresult openbits_perl_register(pTHX_ void *owner, int is_manager, SV *callable)
{
    openbits_cb_reg *reg = NULL;
    if (callable) {
        SV *held = newSVsv(callable);
        reg = openbits_cb_new(held, openbits_perl_drop, PERL_GET_CONTEXT);
        if (!reg) {
            SvREFCNT_dec(held);
            return BITS_E_OUTOFMEMORY;
        }
    }
    return openbits_cb_register(owner, is_manager, reg, openbits_perl_trampoline);
}
%}

/* An event callback: a code reference, or undef to remove it. */
%typemap(in) SV *callable {
    if (!SvOK($input)) {
        $1 = NULL;
    } else if (SvROK($input) && SvTYPE(SvRV($input)) == SVt_PVCV) {
        $1 = $input;
    } else {
        SWIG_exception_fail(SWIG_TypeError, "a code reference or undef is expected");
    }
}

%inline %{
/* Registers @p callable (or undef) for the job's events, called as
 * callable(kind, state, error_code, job, file) inside
 * bits_manager_dispatch / openbits_wait_events on this thread. Replacing
 * or removing waits for a running call. */
bits_hresult openbits_set_job_callback(bits_job *job, SV *callable) {
    dTHX;
    return openbits_perl_register(aTHX_ job, 0, callable);
}
/* The same for every job of the manager, which must have been opened
 * with BITS_MANAGER_OPEN_EVENT_FD (else BG_E_INVALID_STATE). */
bits_hresult openbits_set_manager_callback(bits_manager *manager, SV *callable) {
    dTHX;
    int32_t fd;
    if (callable && manager && bits_manager_get_event_fd(manager, &fd) < 0)
        return BG_E_INVALID_STATE;
    return openbits_perl_register(aTHX_ manager, 1, callable);
}
%}

%perlcode %{
package openbits::Error;
use overload
    '""' => sub { sprintf("%s (0x%08X): %s", $_[0]{name}, $_[0]{hresult}, $_[0]{message}) },
    fallback => 1;
package openbits;
%}
