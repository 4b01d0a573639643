/*
 * list_states.c - a first tour of openbits, without a network.
 *
 * An in-memory manager (nothing is written to a job store) runs three jobs:
 *   1. a job that copies a local file (a file:// URL): SUSPENDED -> QUEUED
 *      -> ... -> TRANSFERRED, then Complete makes the file appear
 *      (ACKNOWLEDGED);
 *   2. a job whose source does not exist: it ends in ERROR, and the error
 *      object says why;
 *   3. calls the library refuses, each with its BITS status code, and
 *      Cancel.
 * Every call returns a bits_hresult: >= 0 is success, < 0 failure;
 * bits_hresult_name() and bits_hresult_message() turn one into text.
 *
 * Build:  cc list_states.c $(pkg-config --cflags --libs openbits) -o list_states
 * Exit status 0 when everything behaved as described.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, nanosleep */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openbits/openbits.h>

/* BG_JOB_STATE_* are plain numbers 0 .. BITS_JOB_STATE_COUNT - 1. */
static const char *state_name(uint32_t state)
{
    static const char *const names[] = { "QUEUED", "CONNECTING", "TRANSFERRING",
                                         "SUSPENDED", "ERROR", "TRANSIENT_ERROR",
                                         "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED" };
    return state < BITS_JOB_STATE_COUNT ? names[state] : "(unknown)";
}

static uint32_t show_state(bits_job *job, const char *after)
{
    uint32_t state = BITS_JOB_STATE_COUNT;
    bits_job_get_state(job, &state); /* never blocks: safe to poll */
    printf("%-24s %s\n", after, state_name(state));
    return state;
}

/* Prints a call's status as "what: NAME (0xHEX): message". */
static void show_result(const char *what, bits_hresult hr)
{
    printf("%s: %s (0x%08X): %s\n", what, bits_hresult_name(hr), (unsigned)hr,
           bits_hresult_message(hr));
}

static void show_progress(bits_job *job)
{
    /* Snapshot structs: set struct_size first (see docs/abi-policy.md). */
    bits_job_progress p = { .struct_size = sizeof p };
    if (bits_failed(bits_job_get_progress(job, &p)))
        return;
    if (p.bytes_total == BG_SIZE_UNKNOWN)
        printf("%-24s %llu bytes of an unknown total, files %u/%u\n", "progress:",
               (unsigned long long)p.bytes_transferred, p.files_transferred, p.files_total);
    else
        printf("%-24s %llu/%llu bytes, files %u/%u\n", "progress:",
               (unsigned long long)p.bytes_transferred, (unsigned long long)p.bytes_total,
               p.files_transferred, p.files_total);
}

/* The transfer runs on the library's own thread; here we simply poll the
 * state (examples/events.c waits for a callback instead). Returns the
 * first final-for-now state: TRANSFERRED or ERROR, else what it was after
 * ten seconds. @p last is the state already printed. */
static uint32_t wait_for_transfer(bits_job *job, uint32_t last)
{
    uint32_t state = last;
    for (int i = 0; i < 1000; i++) {
        bits_job_get_state(job, &state);
        if (state != last)
            printf("%-24s %s\n", "  ... now", state_name(state));
        last = state;
        if (state == BG_JOB_STATE_TRANSFERRED || state == BG_JOB_STATE_ERROR)
            break;
        struct timespec ten_ms = { 0, 10000000L };
        nanosleep(&ten_ms, NULL);
    }
    return state;
}

int main(void)
{
    int ok = 1;
    bits_manager *mgr = NULL;
    bits_job *job = NULL;
    bits_guid id;
    bits_hresult hr;
    char dir[] = "/tmp/openbits-example-XXXXXX", source[64], missing[64], copy[64], url[80];

    printf("openbits %s\n", bits_version_string());
    hr = bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &mgr);
    if (bits_failed(hr)) {
        show_result("bits_manager_open", hr);
        return 1;
    }

    /* A small source file to copy, in a private directory. */
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(source, sizeof source, "%s/source.txt", dir);
    snprintf(missing, sizeof missing, "%s/missing.txt", dir);
    snprintf(copy, sizeof copy, "%s/copy.txt", dir);
    FILE *f = fopen(source, "w");
    if (!f) {
        perror(source);
        return 1;
    }
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %04d of a file that openbits copies\n", i);
    fclose(f);

    /* ---- 1. A job that succeeds ------------------------------------- */
    printf("\n== a job that copies %s\n", source);
    bits_manager_create_job(mgr, "list_states: copy", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    show_state(job, "after Create:"); /* every job starts SUSPENDED */
    snprintf(url, sizeof url, "file://%s", source);
    hr = bits_job_add_file(job, url, copy);
    show_result("AddFile", hr);
    show_progress(job);
    bits_job_resume(job);
    if (wait_for_transfer(job, show_state(job, "after Resume:")) != BG_JOB_STATE_TRANSFERRED)
        ok = 0;
    show_progress(job);
    /* The data sits in a hidden temporary file until Complete renames it. */
    printf("%-24s %s\n", "copy.txt exists:", access(copy, F_OK) == 0 ? "yes" : "not yet");
    hr = bits_job_complete(job);
    show_result("Complete", hr);
    if (show_state(job, "after Complete:") != BG_JOB_STATE_ACKNOWLEDGED)
        ok = 0;
    printf("%-24s %s\n", "copy.txt exists:", access(copy, F_OK) == 0 ? "yes" : "no");
    bits_job_release(job);

    /* ---- 2. A job that fails ----------------------------------------- */
    printf("\n== a job whose source does not exist\n");
    bits_manager_create_job(mgr, "list_states: missing", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    snprintf(url, sizeof url, "file://%s", missing);
    bits_job_add_file(job, url, copy);  /* local sources are checked when they transfer */
    bits_job_resume(job);
    if (wait_for_transfer(job, show_state(job, "after Resume:")) == BG_JOB_STATE_ERROR) {
        bits_error *err = NULL;
        uint32_t context = 0;
        bits_hresult code = 0;
        char *text = NULL;
        bits_job_get_error(job, &err);            /* a copy of the job's last error */
        bits_error_get_error(err, &context, &code);
        bits_error_get_description(err, &text);   /* new string: bits_free() it */
        printf("%-24s %s, context %u\n", "error:", bits_hresult_name(code), context);
        printf("%-24s %s\n", "description:", text ? text : "");
        bits_free(text);
        bits_error_free(err);
    } else {
        ok = 0;
    }
    bits_job_cancel(job); /* an ERROR job stays until Cancel (or a fix and Resume) */
    show_state(job, "after Cancel:");
    bits_job_release(job);

    /* ---- 3. Calls that are refused ----------------------------------- */
    printf("\n== calls the library refuses\n");
    bits_manager_create_job(mgr, "list_states: refused", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    hr = bits_job_resume(job);
    show_result("Resume with no files", hr);
    if (hr != BG_E_EMPTY)
        ok = 0;
    /* Bad input is refused with a code, and the job does not change. */
    show_result("AddFile of an ftp:// URL", bits_job_add_file(job, "ftp://example.org/x", copy));
    show_result("AddFile to a relative path", bits_job_add_file(job, url, "copy.txt"));
    show_result("SetPriority(9)", bits_job_set_priority(job, 9));
    bits_job_cancel(job);
    show_state(job, "after Cancel:");
    hr = bits_job_resume(job); /* CANCELLED is final */
    show_result("Resume a cancelled job", hr);
    if (hr != BG_E_INVALID_STATE)
        ok = 0;
    bits_job_release(job);

    bits_manager_close(mgr);
    remove(copy);
    remove(source);
    rmdir(dir);
    return ok ? 0 : 1;
}
