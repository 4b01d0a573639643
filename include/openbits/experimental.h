/*
 * openbits/experimental.h - what openbits offers beyond BITS, not yet
 * promoted to the stable API.
 *
 * Everything here may change or go in a later release, without a change
 * of the library's major version: include this header only when you
 * accept that. Nothing here adds an exported symbol yet (the version
 * script's node for experimental functions comes with the first one).
 *
 * Thread safety: as the functions they extend.
 */
#ifndef OPENBITS_EXPERIMENTAL_H
#define OPENBITS_EXPERIMENTAL_H

#include <openbits/manager.h>

BITS_BEGIN_DECLS

/**
 * bits_manager_open flag: this manager serves the store, as openbitsd
 * does. Of the processes that opened a store, one runs its transfers (the
 * holder of the lock on <store>/engine.lock). Without this flag a manager
 * takes that role only while some job of the store waits for a transfer
 * and no other process has it; with it, the manager takes the role at
 * open, or as soon as the process holding it goes away (it looks every
 * 100 ms), and keeps it until it is closed, with or without jobs. A
 * program that only queues jobs (the command line, an application) then
 * never runs transfers itself while a serving process is up, so jobs do
 * not stop and restart as short-lived programs come and go.
 *
 * Not with BITS_MANAGER_OPEN_IN_MEMORY (BITS_E_INVALIDARG): an in-memory
 * manager always runs its own transfers.
 */
#define BITS_MANAGER_OPEN_SERVE 0x0002u

BITS_END_DECLS

#endif /* OPENBITS_EXPERIMENTAL_H */
