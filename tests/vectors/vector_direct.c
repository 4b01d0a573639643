/*
 * vector_direct.c - the C vector runner that calls the library directly:
 * one line per function, compiled against the public headers, so the
 * compiler checks each call's arity and argument types.
 * Usage: vector_run_direct [--trace] SIGNATURES VECTOR...
 */
#include <openbits/openbits.h>

#include <stdio.h>
#include <string.h>

#include "vector_exec.h"

#define P(i) (a[i].p)
#define U(i) ((uint32_t)a[i].u)
#define U64(i) (a[i].u)
#define I32(i) ((bits_hresult)(uint32_t)a[i].u)
/* Stores a return value the way vector_word carries it. */
#define RET(expr) (r->u = (uint32_t)(expr))
#define NONE(expr) ((expr), r->u = 0)
#define CSTR(expr) (r->p = (void *)(expr))

/* X(name, call): every function of signatures.txt. */
#define DIRECT_CALLS(X)                                                                          \
    X(bits_free, NONE(bits_free(P(0))))                                                          \
    X(bits_hresult_name, CSTR(bits_hresult_name(I32(0))))                                        \
    X(bits_guid_to_string, RET(bits_guid_to_string(P(0), P(1))))                                 \
    X(bits_guid_from_string, RET(bits_guid_from_string(P(0), P(1))))                             \
    X(bits_manager_open, RET(bits_manager_open(P(0), U(1), P(2))))                               \
    X(bits_manager_close, NONE(bits_manager_close(P(0))))                                        \
    X(bits_manager_create_job, RET(bits_manager_create_job(P(0), P(1), U(2), P(3), P(4))))       \
    X(bits_manager_get_job, RET(bits_manager_get_job(P(0), P(1), P(2))))                         \
    X(bits_manager_enum_jobs, RET(bits_manager_enum_jobs(P(0), U(1), P(2))))                     \
    X(bits_manager_set_limit, RET(bits_manager_set_limit(P(0), U(1), U(2))))                     \
    X(bits_manager_get_limit, RET(bits_manager_get_limit(P(0), U(1), P(2))))                     \
    X(bits_job_enum_next, RET(bits_job_enum_next(P(0), U(1), P(2), P(3))))                       \
    X(bits_job_enum_skip, RET(bits_job_enum_skip(P(0), U(1))))                                   \
    X(bits_job_enum_reset, RET(bits_job_enum_reset(P(0))))                                       \
    X(bits_job_enum_clone, RET(bits_job_enum_clone(P(0), P(1))))                                 \
    X(bits_job_enum_get_count, RET(bits_job_enum_get_count(P(0), P(1))))                         \
    X(bits_job_enum_free, NONE(bits_job_enum_free(P(0))))                                        \
    X(bits_job_add_ref, RET(bits_job_add_ref(P(0))))                                             \
    X(bits_job_release, RET(bits_job_release(P(0))))                                             \
    X(bits_job_get_id, RET(bits_job_get_id(P(0), P(1))))                                         \
    X(bits_job_get_type, RET(bits_job_get_type(P(0), P(1))))                                     \
    X(bits_job_get_state, RET(bits_job_get_state(P(0), P(1))))                                   \
    X(bits_job_add_file, RET(bits_job_add_file(P(0), P(1), P(2))))                               \
    X(bits_job_enum_files, RET(bits_job_enum_files(P(0), P(1))))                                 \
    X(bits_job_resume, RET(bits_job_resume(P(0))))                                               \
    X(bits_job_suspend, RET(bits_job_suspend(P(0))))                                             \
    X(bits_job_cancel, RET(bits_job_cancel(P(0))))                                               \
    X(bits_job_complete, RET(bits_job_complete(P(0))))                                           \
    X(bits_job_get_error, RET(bits_job_get_error(P(0), P(1))))                                   \
    X(bits_job_get_error_count, RET(bits_job_get_error_count(P(0), P(1))))                       \
    X(bits_job_set_display_name, RET(bits_job_set_display_name(P(0), P(1))))                     \
    X(bits_job_get_display_name, RET(bits_job_get_display_name(P(0), P(1))))                     \
    X(bits_job_set_description, RET(bits_job_set_description(P(0), P(1))))                       \
    X(bits_job_get_description, RET(bits_job_get_description(P(0), P(1))))                       \
    X(bits_job_set_priority, RET(bits_job_set_priority(P(0), U(1))))                             \
    X(bits_job_get_priority, RET(bits_job_get_priority(P(0), P(1))))                             \
    X(bits_job_set_minimum_retry_delay, RET(bits_job_set_minimum_retry_delay(P(0), U(1))))       \
    X(bits_job_get_minimum_retry_delay, RET(bits_job_get_minimum_retry_delay(P(0), P(1))))       \
    X(bits_job_set_no_progress_timeout, RET(bits_job_set_no_progress_timeout(P(0), U(1))))       \
    X(bits_job_get_no_progress_timeout, RET(bits_job_get_no_progress_timeout(P(0), P(1))))       \
    X(bits_job_set_maximum_download_time, RET(bits_job_set_maximum_download_time(P(0), U(1))))   \
    X(bits_job_get_maximum_download_time, RET(bits_job_get_maximum_download_time(P(0), P(1))))   \
    X(bits_job_set_notify_flags, RET(bits_job_set_notify_flags(P(0), U(1))))                     \
    X(bits_job_get_notify_flags, RET(bits_job_get_notify_flags(P(0), P(1))))                     \
    X(bits_job_set_minimum_notification_interval,                                                \
      RET(bits_job_set_minimum_notification_interval(P(0), U(1))))                               \
    X(bits_job_get_minimum_notification_interval,                                                \
      RET(bits_job_get_minimum_notification_interval(P(0), P(1))))                               \
    X(bits_job_set_notify_cmd_line, RET(bits_job_set_notify_cmd_line(P(0), P(1), P(2))))         \
    X(bits_job_get_notify_cmd_line, RET(bits_job_get_notify_cmd_line(P(0), P(1), P(2))))         \
    X(bits_job_set_proxy_settings, RET(bits_job_set_proxy_settings(P(0), U(1), P(2), P(3))))     \
    X(bits_job_get_proxy_settings, RET(bits_job_get_proxy_settings(P(0), P(1), P(2), P(3))))     \
    X(bits_job_set_credentials, RET(bits_job_set_credentials(P(0), U(1), U(2), P(3), P(4))))     \
    X(bits_job_remove_credentials, RET(bits_job_remove_credentials(P(0), U(1), U(2))))           \
    X(bits_job_set_custom_headers, RET(bits_job_set_custom_headers(P(0), P(1))))                 \
    X(bits_job_get_custom_headers, RET(bits_job_get_custom_headers(P(0), P(1))))                 \
    X(bits_job_make_custom_headers_write_only, RET(bits_job_make_custom_headers_write_only(P(0)))) \
    X(bits_job_set_security_flags, RET(bits_job_set_security_flags(P(0), U(1))))                 \
    X(bits_job_get_security_flags, RET(bits_job_get_security_flags(P(0), P(1))))                 \
    X(bits_job_set_max_bandwidth, RET(bits_job_set_max_bandwidth(P(0), U64(1))))                 \
    X(bits_job_get_max_bandwidth, RET(bits_job_get_max_bandwidth(P(0), P(1))))                   \
    X(bits_job_set_files_in_flight, RET(bits_job_set_files_in_flight(P(0), U(1))))               \
    X(bits_job_get_files_in_flight, RET(bits_job_get_files_in_flight(P(0), P(1))))               \
    X(bits_job_set_dynamic_content, RET(bits_job_set_dynamic_content(P(0), U(1))))               \
    X(bits_job_get_dynamic_content, RET(bits_job_get_dynamic_content(P(0), P(1))))               \
    X(bits_job_set_max_download_size, RET(bits_job_set_max_download_size(P(0), U64(1))))         \
    X(bits_job_get_max_download_size, RET(bits_job_get_max_download_size(P(0), P(1))))           \
    X(bits_file_add_ref, RET(bits_file_add_ref(P(0))))                                           \
    X(bits_file_release, RET(bits_file_release(P(0))))                                           \
    X(bits_file_get_remote_name, RET(bits_file_get_remote_name(P(0), P(1))))                     \
    X(bits_file_get_local_name, RET(bits_file_get_local_name(P(0), P(1))))                       \
    X(bits_file_set_remote_name, RET(bits_file_set_remote_name(P(0), P(1))))                     \
    X(bits_file_get_temporary_name, RET(bits_file_get_temporary_name(P(0), P(1))))               \
    X(bits_file_enum_next, RET(bits_file_enum_next(P(0), U(1), P(2), P(3))))                     \
    X(bits_file_enum_skip, RET(bits_file_enum_skip(P(0), U(1))))                                 \
    X(bits_file_enum_reset, RET(bits_file_enum_reset(P(0))))                                     \
    X(bits_file_enum_clone, RET(bits_file_enum_clone(P(0), P(1))))                               \
    X(bits_file_enum_get_count, RET(bits_file_enum_get_count(P(0), P(1))))                       \
    X(bits_file_enum_free, NONE(bits_file_enum_free(P(0))))                                      \
    X(bits_error_get_error, RET(bits_error_get_error(P(0), P(1), P(2))))                         \
    X(bits_error_get_file, RET(bits_error_get_file(P(0), P(1))))                                 \
    X(bits_error_get_description, RET(bits_error_get_description(P(0), P(1))))                   \
    X(bits_error_get_context_description, RET(bits_error_get_context_description(P(0), P(1))))   \
    X(bits_error_get_protocol, RET(bits_error_get_protocol(P(0), P(1))))                         \
    X(bits_error_free, NONE(bits_error_free(P(0))))

#define DEFINE_CALL(name, call)                                                                  \
    static void call_##name(const vector_word *a, vector_word *r)                                \
    {                                                                                            \
        (void)a;                                                                                 \
        call;                                                                                    \
    }
DIRECT_CALLS(DEFINE_CALL)

#define TABLE_ENTRY(name, call) { #name, call_##name },
static const struct {
    const char *name;
    void (*fn)(const vector_word *a, vector_word *r);
} direct_calls[] = { DIRECT_CALLS(TABLE_ENTRY) };

static int call_direct(void *ctx, const vector_sig *sig, const vector_word *args, vector_word *ret)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof direct_calls / sizeof direct_calls[0]; i++)
        if (strcmp(direct_calls[i].name, sig->name) == 0) {
            direct_calls[i].fn(args, ret);
            return 0;
        }
    fprintf(stderr, "vector_run_direct: %s is in the signature table but not in this runner\n",
            sig->name);
    return -1;
}

int main(int argc, char **argv)
{
    const vector_backend backend = { call_direct, NULL };
    return vector_main(argc, argv, 1, &backend);
}
