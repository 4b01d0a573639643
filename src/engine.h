/*
 * engine.h - the transfer engine: one thread per manager running a libcurl
 * multi handle, the scheduler, retry and timeout timers and bandwidth
 * limits. Public calls never wait for the network: they change a job's
 * state under core->lock and wake the engine, which reconciles.
 */
#ifndef OPENBITS_ENGINE_H
#define OPENBITS_ENGINE_H

#include "core.h"

/* Starts the engine thread if it is not running (caller holds the lock).
 * BITS_S_OK, BITS_E_OUTOFMEMORY or BITS_E_FAIL. */
bits_hresult engine_start_locked(bits_core *core);

/* Makes the engine look at the jobs again soon. Caller holds the lock;
 * does nothing when the engine is not running. */
void engine_wake(bits_core *core);

/* Stops the engine: running transfers stop (bytes kept), the thread is
 * joined. Caller must NOT hold the lock. */
void engine_stop(bits_core *core);

/* Timer bookkeeping of a state change (called by job_apply_locked). */
void engine_note_transition_locked(bits_job *job, uint32_t from, uint32_t to);

#endif
