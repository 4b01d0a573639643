/*
 * openbits_events.i - what a language needs to offer event callbacks,
 * whatever the language: a registry that holds each registered callable
 * exactly as long as the library may still call it, and a wait helper
 * for the event descriptor. Language neutral; a language module
 * %includes it after openbits.i and adds its trampoline (the C function
 * the library calls, which calls into the language) and its own
 * registration functions on top (bindings/perl/openbits_perl.i,
 * bindings/ruby/openbits_ruby.i, bindings/java/openbits_java.i).
 *
 * Threads. The library calls a callback on its notification thread, or,
 * for a manager opened with BITS_MANAGER_OPEN_EVENT_FD, inside
 * bits_manager_dispatch() on the thread that calls it
 * (docs/threading.md). A language that must not be entered from a thread
 * it does not know (Perl, Ruby) uses the second: its trampoline checks
 * that it runs on the language's thread and otherwise drops the event
 * (counted by openbits_dropped_events()) rather than enter the
 * interpreter. openbits_wait_events() is the wait helper: it waits for
 * the descriptor, then dispatches on the calling thread.
 *
 * The registry. The library keeps only the user_data pointer it is
 * given; here that is an openbits_cb_reg holding the language's
 * reference to the callable. bits_*_set_event_callback (with NULL or a
 * new callback) returns only once a running call of the old one has
 * returned, and never calls it again afterwards (event.h); so does
 * bits_manager_close. Registrations of one owner from several threads
 * reach the library in an order the binding cannot see: each call reads
 * a clock when it begins, and a registration whose call had returned
 * before that was replaced by this call (or one between), so it is
 * dropped once this call returns. Overlapping calls keep each other's
 * callables until a later call (or close) settles them: a callable may
 * live a little longer than needed, never shorter. (The Python binding
 * has the same rule in its own file, under the GIL.)
 */

%{
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>

typedef struct openbits_cb_reg {
    struct openbits_cb_reg *next;
    void *owner;                 /* the bits_job or bits_manager */
    int is_manager;
    void *callable;              /* the language's reference, held */
    void (*drop)(void *callable); /* releases it */
    void *context;               /* the language's: its interpreter, its VM */
    unsigned long long returned; /* the clock when its registration returned */
} openbits_cb_reg;

static openbits_cb_reg *openbits_cb_regs;
static unsigned long long openbits_cb_clock;
static pthread_mutex_t openbits_cb_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long openbits_cb_dropped; /* events a trampoline could not deliver */

/* A registration for @p callable, already held by the language, with
 * the function that releases it. NULL when out of memory (the caller
 * then releases the callable). */
static openbits_cb_reg *openbits_cb_new(void *callable, void (*drop)(void *), void *context)
{
    openbits_cb_reg *reg = (openbits_cb_reg *)calloc(1, sizeof *reg);
    if (reg) {
        reg->callable = callable;
        reg->drop = drop;
        reg->context = context;
    }
    return reg;
}

/* Unlinks the registrations of @p owner whose call returned before
 * @p began (all of them for ULLONG_MAX); the lock is held. */
static openbits_cb_reg *openbits_cb_unlink_locked(void *owner, int is_manager,
                                                  unsigned long long began)
{
    openbits_cb_reg *dead = NULL, **p = &openbits_cb_regs;
    while (*p) {
        openbits_cb_reg *r = *p;
        if (r->owner == owner && r->is_manager == is_manager && r->returned < began) {
            *p = r->next;
            r->next = dead;
            dead = r;
        } else {
            p = &r->next;
        }
    }
    return dead;
}

/* Releases the callables of an unlinked list, without the lock: a
 * language finalizer may register again. */
static void openbits_cb_drop(openbits_cb_reg *dead)
{
    while (dead) {
        openbits_cb_reg *next = dead->next;
        dead->drop(dead->callable);
        free(dead);
        dead = next;
    }
}

/* Registers @p reg (NULL: removes) for the events of @p owner through
 * @p trampoline, which the library calls with @p reg as user_data.
 * Returns the library's code; on failure nothing changed and @p reg is
 * released. */
static bits_hresult openbits_cb_register(void *owner, int is_manager, openbits_cb_reg *reg,
                                         bits_event_fn trampoline)
{
    bits_hresult hr;
    pthread_mutex_lock(&openbits_cb_lock);
    unsigned long long began = ++openbits_cb_clock;
    pthread_mutex_unlock(&openbits_cb_lock);
    if (is_manager)
        hr = bits_manager_set_event_callback((bits_manager *)owner, reg ? trampoline : NULL, reg);
    else
        hr = bits_job_set_event_callback((bits_job *)owner, reg ? trampoline : NULL, reg);
    if (hr < 0) {
        if (reg) {
            reg->next = NULL;
            openbits_cb_drop(reg);
        }
        return hr;
    }
    pthread_mutex_lock(&openbits_cb_lock);
    openbits_cb_reg *dead = openbits_cb_unlink_locked(owner, is_manager, began);
    if (reg) {
        reg->owner = owner;
        reg->is_manager = is_manager;
        reg->returned = ++openbits_cb_clock;
        reg->next = openbits_cb_regs;
        openbits_cb_regs = reg;
    }
    pthread_mutex_unlock(&openbits_cb_lock);
    openbits_cb_drop(dead);
    return hr;
}

/* After bits_manager_close: the manager's callback can no longer run. */
static void openbits_cb_forget_manager(void *manager)
{
    pthread_mutex_lock(&openbits_cb_lock);
    openbits_cb_reg *dead = openbits_cb_unlink_locked(manager, 1, ULLONG_MAX);
    pthread_mutex_unlock(&openbits_cb_lock);
    openbits_cb_drop(dead);
}

/* Counts an event a trampoline did not deliver (it ran on a thread the
 * language must not be entered from). */
static void openbits_cb_count_dropped(void)
{
    __atomic_add_fetch(&openbits_cb_dropped, 1, __ATOMIC_RELAXED);
}

/* Waits until @p fd is readable or @p timeout_ms passed. A language
 * whose other threads must run meanwhile (Ruby) defines
 * OPENBITS_CB_POLL(fd, ms) before including this file. */
static int openbits_cb_poll(int fd, int timeout_ms)
{
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    int n = poll(&p, 1, timeout_ms);
    return n < 0 && errno == EINTR ? 0 : n; /* a signal: the language's to handle */
}
#ifndef OPENBITS_CB_POLL
#define OPENBITS_CB_POLL(fd, ms) openbits_cb_poll((fd), (ms))
#endif
%}

%inline %{
/**
 * Waits up to @p timeout_ms for an event of @p manager (opened with
 * BITS_MANAGER_OPEN_EVENT_FD) to be due, then delivers the due ones on
 * the calling thread with bits_manager_dispatch(): the wait helper of
 * the bindings.
 * @param out_count receives how many events were delivered (0 when the
 *        time ran out).
 * @return what bits_manager_dispatch() returns; BG_E_INVALID_STATE when
 *         the manager was not opened with BITS_MANAGER_OPEN_EVENT_FD;
 *         BITS_E_FAIL when the descriptor cannot be polled.
 */
bits_hresult openbits_wait_events(bits_manager *manager, uint32_t timeout_ms, uint32_t *out_count)
{
    int32_t fd = -1;
    uint32_t count = 0;
    if (out_count)
        *out_count = 0;
    bits_hresult hr = bits_manager_get_event_fd(manager, &fd);
    if (hr < 0)
        return hr;
    if (OPENBITS_CB_POLL(fd, timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms) < 0)
        return BITS_E_FAIL;
    hr = bits_manager_dispatch(manager, &count);
    if (out_count)
        *out_count = count;
    return hr;
}

/**
 * How many events a trampoline of this binding could not deliver since
 * the module was loaded, because the library called it on a thread the
 * language must not be entered from (a manager opened without
 * BITS_MANAGER_OPEN_EVENT_FD, in Perl or Ruby).
 */
uint64_t openbits_dropped_events(void)
{
    return __atomic_load_n(&openbits_cb_dropped, __ATOMIC_RELAXED);
}
%}
