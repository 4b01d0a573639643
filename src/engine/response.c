/*
 * response.c - judging the final response of a transfer's request.
 *
 * Resume never mixes two versions of a file: a 206 is accepted only when
 * Content-Range starts at the byte asked for and the total size is
 * unchanged; a 200 means the server sent the whole (possibly new) file,
 * which then replaces what was there; a response for another version
 * restarts the file from byte 0.
 */
#include "engine/transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/fs.h"
#include "util/redact.h"
#include "util/response_headers.h"
#include "util/strings.h"
#include "util/validate.h"

const char *ob_response_header(ob_transfer *t, const char *name)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(t->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
        return NULL;
    return h->value;
}

static void record_validators_locked(ob_transfer *t)
{
    bits_file *f = t->file;
    const char *etag = ob_response_header(t, "ETag");
    const char *lm = ob_response_header(t, "Last-Modified");
    free(f->etag);
    free(f->last_modified);
    /* A weak ETag does not promise identical bytes: not usable for ranges. */
    f->etag = ob_etag_usable_for_range(etag) ? strdup(etag) : NULL;
    f->last_modified = ob_last_modified_usable_for_range(lm) ? strdup(lm) : NULL;
}

/* 1 when the response carries a validator other than the one recorded
 * when the file started: it is another version of the file. */
static int validator_changed_locked(ob_transfer *t)
{
    const bits_file *f = t->file;
    const char *etag = ob_response_header(t, "ETag");
    const char *lm = ob_response_header(t, "Last-Modified");
    if (f->etag)
        return etag && strcmp(etag, f->etag) != 0;
    return lm && f->last_modified && strcmp(lm, f->last_modified) != 0;
}

static void check_partial_locked(ob_transfer *t)
{
    bits_file *f = t->file;
    int64_t first, last, total;
    const char *cr = ob_response_header(t, "Content-Range");
    if (!cr || ob_parse_content_range(cr, &first, &last, &total) != 0 ||
        (uint64_t)first != t->offset) {
        t->outcome = OB_OUTCOME_RESTART; /* not the bytes we asked for */
        return;
    }
    if (validator_changed_locked(t)) {
        /* The range of another version (If-Range ignored): never mixed in. */
        t->outcome = OB_OUTCOME_RESTART;
        return;
    }
    if (total < 0 && f->bytes_total == BG_SIZE_UNKNOWN) {
        t->outcome = OB_OUTCOME_RESTART;
        return;
    }
    if (total >= 0 && f->bytes_total != BG_SIZE_UNKNOWN && (uint64_t)total != f->bytes_total) {
        t->outcome = OB_OUTCOME_RESTART; /* the remote file changed size */
        return;
    }
    if (total >= 0)
        f->bytes_total = (uint64_t)total;
}

static void check_full_locked(ob_transfer *t)
{
    bits_file *f = t->file;
    curl_off_t length = -1;
    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (t->offset > 0 && length >= 0 && f->bytes_total != BG_SIZE_UNKNOWN &&
        (uint64_t)length != f->bytes_total && !validator_changed_locked(t)) {
        /* A 200 for the same version but of another size is not the whole
         * file (e.g. just the bytes asked for, without Content-Range):
         * never write it as the file; ask again from byte 0 without Range. */
        t->outcome = OB_OUTCOME_RESTART;
        return;
    }
    if (t->offset > 0) {
        /* The server ignored Range or If-Range did not match: this is the
         * whole current file. Start it over in place. */
        ob_temp_reset(f, t->fd);
        t->offset = 0;
        t->synced = 0;
    }
    if (length < 0 && !t->job->props.dynamic_content) {
        ob_failure fl = { BG_E_MISSING_FILE_SIZE, BG_ERROR_CONTEXT_REMOTE_FILE, 0 };
        ob_transfer_fail(t, fl, NULL);
        return;
    }
    f->bytes_total = length >= 0 ? (uint64_t)length : BG_SIZE_UNKNOWN;
    record_validators_locked(t);
}

static void check_unsatisfiable_locked(ob_transfer *t)
{
    bits_file *f = t->file;
    int64_t first, last, total;
    const char *cr = ob_response_header(t, "Content-Range");
    /* 416 for "bytes=N-" where N is the size: everything was already here
     * (e.g. the process stopped right after the last byte). */
    if (cr && ob_parse_content_range(cr, &first, &last, &total) == 0 && total >= 0 &&
        (uint64_t)total == t->offset && f->bytes_total == t->offset) {
        t->outcome = OB_OUTCOME_DONE;
        return;
    }
    t->outcome = OB_OUTCOME_RESTART;
}

static void check_error_status_locked(ob_transfer *t, long status)
{
    ob_failure f = ob_classify_http_status(status);
    uint32_t policy = t->job->props.security_flags & BG_HTTP_REDIRECT_POLICY_MASK;
    char detail[512] = "";
    if (status >= 300 && status < 400 && policy == BG_HTTP_REDIRECT_POLICY_DISALLOW) {
        char *target = NULL;
        curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &target);
        f.transient = 0; /* a redirect under DISALLOW is fatal (spec 4.9) */
        if (target && ob_validate_remote_name(target) >= 0) {
            ob_replace_string(&t->report_url, target);
            char *shown = ob_url_redact(target); /* a description never shows a password */
            if (shown)
                snprintf(detail, sizeof detail, "Redirect to %s refused by the job's policy.",
                         shown);
            free(shown);
        }
    }
    const char *retry_after = ob_response_header(t, "Retry-After");
    t->retry_after = ob_parse_retry_after(retry_after, (int64_t)time(NULL));
    ob_transfer_fail(t, f, detail[0] ? detail : NULL);
}

/* Decides, once per request, whether the final response is one we write. */
void ob_response_check_locked(ob_transfer *t)
{
    t->checked = 1;
    if (t->is_file_protocol) {
        curl_off_t length = -1;
        curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        if (length >= 0)
            t->file->bytes_total = t->offset + (uint64_t)length;
        return;
    }
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status == 206)
        check_partial_locked(t);
    else if (status == 200 || status == 203)
        check_full_locked(t);
    else if (status == 416 && t->offset > 0)
        check_unsatisfiable_locked(t);
    else
        check_error_status_locked(t, status);

    if (t->outcome == OB_OUTCOME_NONE &&
        (t->job->props.security_flags & BG_HTTP_REDIRECT_POLICY_MASK) ==
            BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT) {
        char *effective = NULL;
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &effective);
        if (effective && strcmp(effective, t->file->remote_name) != 0 &&
            ob_validate_remote_name(effective) >= 0)
            ob_replace_string(&t->report_url, effective); /* the engine records it */
    }
}
