/*
 * transfer_support.h - helpers for C tests that run real transfers against
 * the loopback test server: a private directory tree with a server, job
 * shortcuts, waiting for states and checking errors.
 *
 * Waits poll with generous bounds; they only decide how long to wait for
 * something, never whether it was fast enough.
 */
#ifndef OPENBITS_TEST_TRANSFER_SUPPORT_H
#define OPENBITS_TEST_TRANSFER_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <openbits/openbits.h>

#include "http_server.h"
#include "test_support.h"

typedef struct tx_env {
    char *dir;      /* private temp dir */
    char *www;      /* served by the server */
    char *dl;       /* destinations */
    ts_server srv;
    bits_manager *mgr; /* an in-memory manager per test */
} tx_env;

#define BIT(s) (1u << (s))
#define DONE_MASK (BIT(BG_JOB_STATE_TRANSFERRED) | BIT(BG_JOB_STATE_ERROR))

/* The environment of the running test program (one per executable). */
extern tx_env E;

/* cmocka fixtures over E: the group's directories and server, and an
 * in-memory manager per test (E.mgr). */
int tx_group_setup(void **state);
int tx_group_teardown(void **state);
int tx_test_setup(void **state);
int tx_test_teardown(void **state);

/* Makes the directories and starts the server (group setup). */
void tx_env_start(tx_env *e);
/* Stops the server and removes the directories (group teardown). */
void tx_env_stop(tx_env *e);
/* Resets the server's behaviours and opens an in-memory manager. */
void tx_env_open_manager(tx_env *e);
/* Closes the manager of tx_env_open_manager(). */
void tx_env_close_manager(tx_env *e);

/* The job's transferred bytes. */
uint64_t job_bytes(bits_job *job);
/* Waits until at least @p at_least bytes moved; asserts they did. */
void wait_bytes(bits_job *job, uint64_t at_least, double timeout_s);
/* Asserts the job's error has this code and context. */
void expect_error(bits_job *job, bits_hresult code, uint32_t context);
/* The job's error count. */
uint32_t error_count(bits_job *job);
/* 1 when @p path exists (stat). */
int exists(const char *path);

/* Paths under the served and the destination directory (malloc'ed). */
char *env_www_path(const tx_env *e, const char *name);
char *env_dl_path(const tx_env *e, const char *name);
/* Serves a new file of @p size deterministic bytes at "/name"; returns
 * its path (malloc'ed). */
char *env_serve(const tx_env *e, const char *name, size_t size, unsigned seed);
/* A new download job of the environment's manager (the caller releases). */
bits_job *env_new_job(const tx_env *e, const char *name);
/* Adds the server's "/name" to @p job with destination @p dest. */
void env_add(const tx_env *e, bits_job *job, const char *name, const char *dest);
/* Gives path "/name" of @p srv the behaviour keys @p json_fields (the
 * inside of a JSON object, e.g. "\"reset_after\": 1000"). */
void configure_on(const ts_server *srv, const char *name, const char *json_fields);
void env_configure(const tx_env *e, const char *name, const char *json_fields);

#endif
