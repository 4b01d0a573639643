/*
 * fuzz_names.c - remote names (URLs, local sources) and local names, as
 * bits_job_add_file checks them (src/validate.c). Whatever is accepted
 * must keep the documented promises: valid UTF-8 within the limit, one of
 * the accepted forms, no control characters, no "." or ".." component in
 * a local name, and http(s) URLs that libcurl itself can parse. Any
 * string, as shown (src/util/redact.c), holds no password libcurl can
 * read but "***", and one without an '@' is shown as it is.
 */
#include <curl/curl.h>

#include "fuzz_input.h"
#include "util/redact.h"
#include "util/utf8.h"
#include "util/validate.h"

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int has_control_byte(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return 1;
    }
    return 0;
}

static void check_remote(const char *s)
{
    int local = ob_remote_is_local(s);
    if (ob_validate_remote_name(s) != BITS_S_OK)
        return;
    size_t n;
    FUZZ_CHECK(ob_utf8_count(s, &n) == 0 && n <= OB_LIMIT_REMOTE_NAME);
    FUZZ_CHECK(!has_control_byte(s));
    int http = has_prefix(s, "http://") || has_prefix(s, "https://");
    FUZZ_CHECK(http || local);
    if (http) {
        /* The engine hands the URL to libcurl: it must not refuse it. */
        CURLU *u = curl_url();
        FUZZ_CHECK(u != NULL);
        FUZZ_CHECK(curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK);
        curl_url_cleanup(u);
    }
}

static void check_shown(const char *s)
{
    char *shown = ob_url_redact(s);
    FUZZ_CHECK(shown != NULL);
    if (!strchr(s, '@'))
        FUZZ_CHECK(strcmp(shown, s) == 0);
    CURLU *u = curl_url();
    FUZZ_CHECK(u != NULL);
    char *password = NULL;
    if (curl_url_set(u, CURLUPART_URL, shown, CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) ==
            CURLUE_OK &&
        curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK)
        FUZZ_CHECK(strcmp(password, OB_REDACTED) == 0);
    curl_free(password);
    curl_url_cleanup(u);
    free(shown);
}

static void check_local(const char *s)
{
    if (ob_validate_local_name(s) != BITS_S_OK)
        return;
    FUZZ_CHECK(s[0] == '/' && s[strlen(s) - 1] != '/');
    FUZZ_CHECK(!has_control_byte(s));
    FUZZ_CHECK(!strstr(s, "/../") && !strstr(s, "/./"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    check_remote(s);
    check_shown(s);
    check_local(s);
    free(s);
    return 0;
}
