/*
 * consumer.c - built by tests/consumer/CMakeLists.txt against an installed
 * openbits found with find_package(openbits CONFIG). Checks that the
 * headers, the CMake package version and the loaded library agree, and
 * that the library works: prints "ok ..." and exits 0, or says what is
 * wrong and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include <openbits/openbits.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

int main(void)
{
    /* Compile-time headers, CMake package and run-time library: one version. */
    check(bits_version() == OPENBITS_VERSION_NUMBER, "bits_version() == OPENBITS_VERSION_NUMBER");
    check(strcmp(bits_version_string(), OPENBITS_VERSION_STRING) == 0,
          "bits_version_string() == OPENBITS_VERSION_STRING");
    check(strcmp(CONSUMER_PACKAGE_VERSION, OPENBITS_VERSION_STRING) == 0,
          "find_package version == OPENBITS_VERSION_STRING");
    check(OPENBITS_VERSION_CHECK(1, 0, 0), "OPENBITS_VERSION_CHECK(1, 0, 0)");

    /* The code table. */
    check(strcmp(bits_hresult_name(BG_E_EMPTY), "BG_E_EMPTY") == 0, "bits_hresult_name(BG_E_EMPTY)");
    check(bits_failed(BG_E_EMPTY) && bits_succeeded(BITS_S_FALSE), "bits_failed/bits_succeeded");

    /* A job in an in-memory manager, its id through text and back. */
    bits_manager *mgr = NULL;
    bits_job *job = NULL;
    bits_guid id, parsed;
    char *text = NULL;
    uint32_t state = 99;
    check(bits_manager_open(NULL, BITS_MANAGER_OPEN_IN_MEMORY, &mgr) == BITS_S_OK,
          "bits_manager_open(IN_MEMORY)");
    if (mgr) {
        check(bits_manager_create_job(mgr, "consumer", BG_JOB_TYPE_DOWNLOAD, &id, &job) ==
                  BITS_S_OK,
              "bits_manager_create_job");
        check(bits_job_get_state(job, &state) == BITS_S_OK && state == BG_JOB_STATE_SUSPENDED,
              "a new job is SUSPENDED");
        check(bits_job_resume(job) == BG_E_EMPTY, "Resume without files is BG_E_EMPTY");
        check(bits_guid_to_string(&id, &text) == BITS_S_OK && text != NULL, "bits_guid_to_string");
        check(text && bits_guid_from_string(text, &parsed) == BITS_S_OK &&
                  memcmp(&id, &parsed, sizeof id) == 0,
              "bits_guid_from_string round trip");
        check(bits_job_cancel(job) == BITS_S_OK, "bits_job_cancel");
        bits_free(text);
        bits_job_release(job);
        bits_manager_close(mgr);
    }

    if (failures)
        return 1;
    printf("ok: openbits %s, headers %s\n", bits_version_string(), OPENBITS_VERSION_STRING);
    return 0;
}
