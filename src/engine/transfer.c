/*
 * transfer.c - one file transfer over libcurl: the temporary file, the
 * libcurl callbacks, and how the transfer ends.
 *
 * The callbacks run on the engine thread from curl_multi_perform(), with
 * no lock held on entry; each takes the queue lock for the few fields it
 * touches and never holds it while writing to disk.
 */
#include "engine/transfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/fs.h"
#include "util/clock.h"
#include "util/strings.h"
#include "util/validate.h"

/* Response headers of one request, redirects included: libcurl keeps them
 * all in memory (curl_easy_header), so a hostile server must not send
 * megabytes of them. Real servers send a few KiB. */
#define MAX_RESPONSE_HEADER_BYTES (256 * 1024)

void ob_transfer_fail(ob_transfer *t, ob_failure f, const char *detail)
{
    t->outcome = OB_OUTCOME_FAILED;
    t->fail = f;
    free(t->detail);
    t->detail = ob_strdup(detail);
}

static int job_is_running(const bits_job *job)
{
    uint32_t s = atomic_load(&job->state);
    return s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING;
}

/* Under the lock: may these @p n bytes be written now? */
static size_t admit_body_locked(ob_transfer *t, size_t n)
{
    bits_job *job = t->job;
    if (!job_is_running(job)) {
        t->outcome = OB_OUTCOME_STOPPED;
        return 0;
    }
    if (!t->checked)
        ob_response_check_locked(t);
    if (t->outcome != OB_OUTCOME_NONE)
        return 0;
    uint64_t max = job->props.max_download_size;
    if (max && ob_job_bytes(job) + n > max) {
        ob_failure f = { BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED, BG_ERROR_CONTEXT_REMOTE_FILE, 0 };
        ob_transfer_fail(t, f, NULL);
        return 0;
    }
    if (atomic_load(&job->state) == BG_JOB_STATE_CONNECTING && !t->is_file_protocol) {
        /* No byte is written while the job says CONNECTING: the transfer
         * waits (paused) until the engine has made it TRANSFERRING. */
        t->first_byte = 1;
        t->paused = 1;
        return CURL_WRITEFUNC_PAUSE;
    }
    /* libcurl cannot resume a paused file:// read, and a local copy uses no
     * network: bandwidth caps apply to HTTP(S) only. */
    if (!t->is_file_protocol &&
        !ob_bandwidth_take(t->manager_bucket, t->limits[BITS_LIMIT_MAX_BANDWIDTH], job, n)) {
        t->paused = 1;
        return CURL_WRITEFUNC_PAUSE;
    }
    t->first_byte = 1;
    return n;
}

static int write_all(int fd, const char *p, size_t n, uint64_t at)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w == 0 ? ENOSPC : errno;
        p += w;
        n -= (size_t)w;
        at += (uint64_t)w;
    }
    return 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    ob_transfer *t = userdata;
    size_t n = size * nmemb;
    ob_queue *q = t->job->queue;
    t->last_activity = ob_mono_us();

    ob_queue_lock(q);
    size_t admitted = admit_body_locked(t, n);
    ob_queue_unlock(q);
    if (admitted != n)
        return admitted;

    int err = write_all(t->fd, ptr, n, t->offset + t->written);

    ob_queue_lock(q);
    if (err) {
        ob_transfer_fail(t, ob_classify_local_errno(err), strerror(err));
        ob_queue_unlock(q);
        return 0;
    }
    t->written += n;
    bits_job *job = t->job;
    t->file->bytes_transferred = t->offset + t->written;
    job->sched.first_transient = 0; /* progress resets the no-progress window */
    job->modification_time = ob_now_us();
    ob_notify_event_locked(t->notifier, job, BITS_EVENT_JOB_MODIFICATION, NULL);
    ob_queue_unlock(q);
    return n;
}

static const ob_failure invalid_response = { BITS_E_WINHTTP_INVALID_SERVER_RESPONSE,
                                              BG_ERROR_CONTEXT_REMOTE_FILE, 1 };

static size_t on_header(char *buffer, size_t size, size_t nitems, void *userdata)
{
    (void)buffer;
    ob_transfer *t = userdata;
    size_t n = size * nitems;
    t->last_activity = ob_mono_us();
    t->header_bytes += n;
    if (t->header_bytes > MAX_RESPONSE_HEADER_BYTES) {
        ob_transfer_fail(t, invalid_response, "The server sent too many response headers.");
        return 0; /* aborts the request */
    }
    return n;
}

ob_transfer *ob_transfer_create_locked(bits_job *job, bits_file *file, ob_notifier *notifier,
                                       ob_rate_bucket *manager_bucket, const uint32_t *limits,
                                       CURL *easy, ob_failure *fail)
{
    ob_failure oom = { BITS_E_OUTOFMEMORY, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, 1 };
    ob_transfer *t = calloc(1, sizeof *t);
    if (!t) {
        curl_easy_cleanup(easy);
        *fail = oom;
        return NULL;
    }
    t->fd = ob_temp_open(file);
    if (t->fd < 0) {
        *fail = ob_classify_local_errno(errno);
        curl_easy_cleanup(easy);
        free(t);
        return NULL;
    }
    ob_job_ref(job);
    t->job = job;
    t->file = file;
    t->notifier = notifier;
    t->manager_bucket = manager_bucket;
    t->limits = limits;
    t->retry_after = -1;
    t->last_activity = t->last_link_check = ob_mono_us();
    t->is_file_protocol = ob_remote_is_local(file->remote_name);
    t->easy = easy ? easy : curl_easy_init();
    if (!t->easy || ob_request_setup(t) != 0) {
        ob_transfer_free_locked(t);
        *fail = oom;
        return NULL;
    }
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
    file->active = 1;
    return t;
}

/* ---- the end of a request ---------------------------------------------------- */

static void settle_success_locked(ob_transfer *t)
{
    if (!t->checked)
        ob_response_check_locked(t); /* an empty body never reached on_body */
    if (t->outcome != OB_OUTCOME_NONE)
        return;
    bits_file *f = t->file;
    uint64_t have = t->offset + t->written;
    if (f->bytes_total == BG_SIZE_UNKNOWN)
        f->bytes_total = have; /* dynamic content: the size is what came */
    if (have < f->bytes_total) {
        ob_failure fl = { BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, 1 };
        ob_transfer_fail(t, fl, "The response body ended early.");
        return;
    }
    f->bytes_transferred = f->bytes_total;
    t->outcome = OB_OUTCOME_DONE;
}

/* A file that is done must still be ours and exactly its size: one fstat
 * tells both. Deleted under us (a cleaner, its directory removed), the
 * bytes are gone and the file starts over instead of being reported done;
 * a stale tail (a restart whose truncate failed) is cut. */
static void verify_done_locked(ob_transfer *t)
{
    uint64_t have = 0, size = t->file->bytes_total;
    int gone = ob_temp_is_gone(t->fd, &have);
    if (gone == 1)
        t->outcome = OB_OUTCOME_RESTART;
    else if (gone < 0 || (have != size && ftruncate(t->fd, (off_t)size) != 0))
        ob_transfer_fail(t, ob_classify_local_errno(errno), strerror(errno));
}

/* A failed certificate verification that was about revocation: 1 and
 * @p f (and @p detail) changed, else 0. With the OpenSSL backend (forks
 * included), CURLINFO_SSL_VERIFYRESULT is OpenSSL's verify result, an
 * X509_V_ERR_* number (openssl/x509_vfy.h, stable across OpenSSL
 * versions), reset at each TLS connect; other backends report numbers of
 * their own, which are not read (their failures stay
 * BITS_E_WINHTTP_SECURE_FAILURE, fatal). */
static int revocation_failure(ob_transfer *t, ob_failure *f, char *detail, size_t size)
{
    struct curl_tlssessioninfo *tls = NULL; /* its backend is all we read */
    long verify = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_TLS_SSL_PTR, &tls) != CURLE_OK || !tls ||
        tls->backend != CURLSSLBACKEND_OPENSSL ||
        curl_easy_getinfo(t->easy, CURLINFO_SSL_VERIFYRESULT, &verify) != CURLE_OK)
        return 0;
    switch (verify) {
    case 23: /* X509_V_ERR_CERT_REVOKED */
        f->code = BITS_E_WINHTTP_SECURE_CERT_REVOKED;
        snprintf(detail, size, "A certificate of the server's chain is revoked by the CRL.");
        return 1;
    case 3:  /* X509_V_ERR_UNABLE_TO_GET_CRL: no CRL of an issuer of the chain */
    case 5:  /* X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE */
    case 8:  /* X509_V_ERR_CRL_SIGNATURE_FAILURE */
    case 11: /* X509_V_ERR_CRL_NOT_YET_VALID */
    case 12: /* X509_V_ERR_CRL_HAS_EXPIRED */
    case 15: /* X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD */
    case 16: /* X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD */
    case 33: /* X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER */
    case 35: /* X509_V_ERR_KEYUSAGE_NO_CRL_SIGN */
    case 36: /* X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION */
    case 44: /* X509_V_ERR_DIFFERENT_CRL_SCOPE */
    case 54: /* X509_V_ERR_CRL_PATH_VALIDATION_ERROR */
        f->code = BITS_E_WINHTTP_SECURE_CERT_REV_FAILED;
        snprintf(detail, size,
                 "The certificate revocation check could not be done (OpenSSL verify "
                 "result %ld): OPENBITS_CRL_FILE needs a current, valid CRL of every CA "
                 "of the chain.",
                 verify);
        return 1;
    default:
        return 0;
    }
}

static void settle_result_locked(ob_transfer *t, CURLcode result)
{
    if (result == CURLE_OK) {
        settle_success_locked(t);
        return;
    }
    /* libcurl before 8.6 reports one header line over its 100 KiB limit,
     * the status line included, as out of memory, with no message: failing
     * so before the response was judged is the server's fault, not ours. */
    int too_large = result == CURLE_OUT_OF_MEMORY && !t->checked && !t->is_file_protocol;
#if LIBCURL_VERSION_NUM >= 0x080600
    too_large = too_large || result == CURLE_TOO_LARGE;
#endif
    if (too_large) {
        ob_transfer_fail(t, invalid_response, "A response header or the status line was too large.");
        return;
    }
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (result == CURLE_UNSUPPORTED_PROTOCOL && !t->is_file_protocol &&
        (status < 300 || status > 399)) {
        /* Not a redirect to a refused scheme: libcurl says so of a reply
         * without a status line (HTTP/0.9), which it does not accept. */
        ob_transfer_fail(t, invalid_response, "The server's reply had no HTTP status line.");
        return;
    }
    ob_failure f = ob_classify_curl_code(result, t->is_file_protocol);
    char detail[256];
    if (result == CURLE_PEER_FAILED_VERIFICATION && revocation_failure(t, &f, detail, sizeof detail))
        ob_transfer_fail(t, f, detail);
    else
        ob_transfer_fail(t, f, curl_easy_strerror(result));
}

void ob_transfer_settle_locked(ob_transfer *t, CURLcode result)
{
    /* Else decided by a callback (restart, failure, stop, 416 done) or
     * when the transfer was set up (no usable CRL). */
    if (t->outcome == OB_OUTCOME_NONE)
        settle_result_locked(t, result);
    if (t->outcome == OB_OUTCOME_DONE)
        verify_done_locked(t);
}

CURL *ob_transfer_take_easy(ob_transfer *t)
{
    CURL *easy = t->easy;
    t->easy = NULL;
    return easy;
}

void ob_transfer_free_locked(ob_transfer *t)
{
    if (!t)
        return;
    if (t->easy)
        curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    if (t->fd >= 0)
        close(t->fd);
    if (t->file)
        t->file->active = 0;
    free(t->detail);
    free(t->report_url);
    ob_job_unref(t->job);
    free(t);
}
