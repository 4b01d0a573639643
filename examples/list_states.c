/*
 * list_states.c - a first look at openbits without a network: create a
 * job in an in-memory manager, watch the calls move it through its
 * states, and see how failures are reported.
 *
 *   cc list_states.c $(pkg-config --cflags --libs openbits) -o list_states
 */
#include <stdio.h>

#include <openbits/openbits.h>

static const char *state_names[] = { "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED",
                                     "ERROR", "TRANSIENT_ERROR", "TRANSFERRED",
                                     "ACKNOWLEDGED", "CANCELLED" };

static void show(bits_job *job, const char *after)
{
    uint32_t state;
    if (bits_job_get_state(job, &state) == BITS_S_OK && state < BITS_JOB_STATE_COUNT)
        printf("%-28s -> %s\n", after, state_names[state]);
}

int main(void)
{
    bits_manager *mgr;
    bits_job *job;
    bits_guid id;
    bits_hresult hr = bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &mgr);
    if (bits_failed(hr)) {
        fprintf(stderr, "open: %s: %s\n", bits_hresult_name(hr), bits_hresult_message(hr));
        return 1;
    }
    printf("openbits %s\n", bits_version_string());
    bits_manager_create_job(mgr, "example", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    show(job, "create");

    /* Resume needs files: the library says so with a BITS code. */
    hr = bits_job_resume(job);
    printf("%-28s -> %s (0x%08X): %s\n", "resume with no files", bits_hresult_name(hr),
           (unsigned)hr, bits_hresult_message(hr));

    /* Bad input is refused with a clear code, and nothing changes. */
    hr = bits_job_add_file(job, "ftp://example.org/x", "/tmp/x");
    printf("%-28s -> %s\n", "add an ftp:// URL", bits_hresult_name(hr));
    hr = bits_job_set_priority(job, 9);
    printf("%-28s -> %s\n", "priority 9", bits_hresult_name(hr));

    bits_job_suspend(job);
    show(job, "suspend");
    hr = bits_job_cancel(job);
    show(job, "cancel");
    hr = bits_job_resume(job);
    printf("%-28s -> %s\n", "resume a cancelled job", bits_hresult_name(hr));

    bits_job_release(job);
    bits_manager_close(mgr);
    return hr == BG_E_INVALID_STATE ? 0 : 1;
}
