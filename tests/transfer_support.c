/* transfer_support.c - helpers for tests that transfer over the loopback
 * test server (see transfer_support.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "transfer_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

tx_env E;

int tx_group_setup(void **state)
{
    (void)state;
    tx_env_start(&E);
    return 0;
}

int tx_group_teardown(void **state)
{
    (void)state;
    tx_env_stop(&E);
    return 0;
}

int tx_test_setup(void **state)
{
    (void)state;
    tx_env_open_manager(&E);
    return 0;
}

int tx_test_teardown(void **state)
{
    (void)state;
    tx_env_close_manager(&E);
    return 0;
}

void tx_env_start(tx_env *e)
{
    e->dir = ts_make_temp_dir();
    e->www = ts_path_join(e->dir, "www");
    e->dl = ts_path_join(e->dir, "dl");
    mkdir(e->www, 0755);
    mkdir(e->dl, 0755);
    ts_server_start(&e->srv, e->www);
}

void tx_env_stop(tx_env *e)
{
    ts_server_stop(&e->srv);
    free(e->www);
    free(e->dl);
    ts_remove_tree(e->dir);
    e->www = e->dl = e->dir = NULL;
}

void tx_env_open_manager(tx_env *e)
{
    ts_server_reset(&e->srv);
    assert_hr_equal(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &e->mgr), BITS_S_OK);
}

void tx_env_close_manager(tx_env *e)
{
    bits_manager_close(e->mgr);
    e->mgr = NULL;
}

uint64_t job_bytes(bits_job *job)
{
    bits_job_progress p = { .struct_size = sizeof p };
    assert_hr_equal(bits_job_get_progress(job, &p), BITS_S_OK);
    return p.bytes_transferred;
}

void wait_bytes(bits_job *job, uint64_t at_least, double timeout_s)
{
    double end = now_s() + timeout_s;
    while (job_bytes(job) < at_least && now_s() < end)
        usleep(5000);
    assert_true(job_bytes(job) >= at_least);
}

void expect_error(bits_job *job, bits_hresult code, uint32_t context)
{
    bits_error *err = NULL;
    assert_hr_equal(bits_job_get_error(job, &err), BITS_S_OK);
    uint32_t ctx = 99;
    bits_hresult hr = 0;
    assert_hr_equal(bits_error_get_error(err, &ctx, &hr), BITS_S_OK);
    assert_hr_equal(hr, code);
    assert_int_equal(ctx, context);
    bits_error_free(err);
}

uint32_t error_count(bits_job *job)
{
    uint32_t count = 0;
    assert_hr_equal(bits_job_get_error_count(job, &count), BITS_S_OK);
    return count;
}

int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *env_www_path(const tx_env *e, const char *name)
{
    return ts_path_join(e->www, name);
}

char *env_dl_path(const tx_env *e, const char *name)
{
    return ts_path_join(e->dl, name);
}

char *env_serve(const tx_env *e, const char *name, size_t size, unsigned seed)
{
    char *p = env_www_path(e, name);
    ts_write_file(p, size, seed);
    return p;
}

bits_job *env_new_job(const tx_env *e, const char *name)
{
    bits_job *job = NULL;
    bits_guid id;
    assert_hr_equal(bits_manager_create_job(e->mgr, name, BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    BITS_S_OK);
    return job;
}

void env_add(const tx_env *e, bits_job *job, const char *name, const char *dest)
{
    char path[256];
    snprintf(path, sizeof path, "/%s", name);
    char *url = ts_server_url(&e->srv, path);
    assert_hr_equal(bits_job_add_file(job, url, dest), BITS_S_OK);
    free(url);
}

void configure_on(const ts_server *srv, const char *name, const char *json_fields)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"path\": \"/%s\", %s}", name, json_fields);
    ts_server_config(srv, body);
}

void env_configure(const tx_env *e, const char *name, const char *json_fields)
{
    configure_on(&e->srv, name, json_fields);
}
