/*
 * transfer.c - one file transfer over libcurl.
 *
 * Resume never mixes two versions of a file: a request past byte 0 carries
 * Range and If-Range with the validator recorded when the file started
 * (strong ETag, else Last-Modified; with neither the file starts over).
 * A 206 is accepted only when Content-Range starts at the byte asked for
 * and the total size is unchanged; a 200 means the server sent the whole
 * (possibly new) file, which then replaces what was there.
 */
#include "transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "response_headers.h"
#include "state.h"
#include "validate.h"

#define TRANSFER_BUFFER_SIZE (256 * 1024)
#define MAX_REDIRECTS 10
/* Response headers of one request, redirects included: libcurl keeps them
 * all in memory (curl_easy_header), so a hostile server must not send
 * megabytes of them. Real servers send a few KiB. */
#define MAX_RESPONSE_HEADER_BYTES (256 * 1024)

static void fail_with(transfer *t, failure f, const char *detail)
{
    t->outcome = OUTCOME_FAILED;
    t->fail = f;
    free(t->detail);
    t->detail = detail ? strdup(detail) : NULL;
}

/* The value of response header @p name of the last request, or NULL. */
static const char *response_header(transfer *t, const char *name)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(t->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
        return NULL;
    return h->value;
}

/* Absolute path -> file:// URL, percent-encoding all but unreserved bytes. */
static char *file_url_from_path(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *url = malloc(7 + 3 * n + 1);
    if (!url)
        return NULL;
    char *o = url + sprintf(url, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return url;
}

/* ---- response checks --------------------------------------------------- */

static void record_validators_locked(transfer *t)
{
    bits_file *f = t->file;
    const char *etag = response_header(t, "ETag");
    const char *lm = response_header(t, "Last-Modified");
    free(f->etag);
    free(f->last_modified);
    /* A weak ETag does not promise identical bytes: not usable for ranges. */
    f->etag = etag_usable_for_range(etag) ? strdup(etag) : NULL;
    f->last_modified = last_modified_usable_for_range(lm) ? strdup(lm) : NULL;
}

static void check_partial_locked(transfer *t)
{
    bits_file *f = t->file;
    int64_t first, last, total;
    const char *cr = response_header(t, "Content-Range");
    if (!cr || parse_content_range(cr, &first, &last, &total) != 0 ||
        (uint64_t)first != t->offset) {
        t->outcome = OUTCOME_RESTART; /* not the bytes we asked for */
        return;
    }
    if (total < 0 && f->bytes_total == BG_SIZE_UNKNOWN) {
        t->outcome = OUTCOME_RESTART;
        return;
    }
    if (total >= 0 && f->bytes_total != BG_SIZE_UNKNOWN && (uint64_t)total != f->bytes_total) {
        t->outcome = OUTCOME_RESTART; /* the remote file changed size */
        return;
    }
    if (total >= 0)
        f->bytes_total = (uint64_t)total;
}

/* 1 when the response carries a validator other than the one recorded
 * when the file started: it is another version of the file. */
static int validator_changed_locked(transfer *t)
{
    const bits_file *f = t->file;
    const char *etag = response_header(t, "ETag");
    const char *lm = response_header(t, "Last-Modified");
    if (f->etag)
        return etag && strcmp(etag, f->etag) != 0;
    return lm && f->last_modified && strcmp(lm, f->last_modified) != 0;
}

static void check_full_locked(transfer *t)
{
    bits_file *f = t->file;
    curl_off_t length = -1;
    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (t->offset > 0 && length >= 0 && f->bytes_total != BG_SIZE_UNKNOWN &&
        (uint64_t)length != f->bytes_total && !validator_changed_locked(t)) {
        /* A 200 for the same version but of another size is not the whole
         * file (e.g. just the bytes asked for, without Content-Range):
         * never write it as the file; ask again from byte 0 without Range. */
        t->outcome = OUTCOME_RESTART;
        return;
    }
    if (t->offset > 0) {
        /* The server ignored Range or If-Range did not match: this is the
         * whole current file. Start it over in place. */
        files_reset_progress_locked(f, t->fd);
        t->offset = 0;
        t->synced = 0;
    }
    if (length < 0 && !t->job->dynamic_content) {
        failure fl = { BG_E_MISSING_FILE_SIZE, BG_ERROR_CONTEXT_REMOTE_FILE, 0 };
        fail_with(t, fl, NULL);
        return;
    }
    f->bytes_total = length >= 0 ? (uint64_t)length : BG_SIZE_UNKNOWN;
    record_validators_locked(t);
}

static void check_unsatisfiable_locked(transfer *t)
{
    bits_file *f = t->file;
    int64_t first, last, total;
    const char *cr = response_header(t, "Content-Range");
    /* 416 for "bytes=N-" where N is the size: everything was already here
     * (e.g. the process stopped right after the last byte). */
    if (cr && parse_content_range(cr, &first, &last, &total) == 0 && total >= 0 &&
        (uint64_t)total == t->offset && f->bytes_total == t->offset) {
        t->outcome = OUTCOME_DONE;
        return;
    }
    t->outcome = OUTCOME_RESTART;
}

static void check_error_status_locked(transfer *t, long status)
{
    failure f = classify_http_status(status);
    uint32_t policy = t->job->security_flags & BG_HTTP_REDIRECT_POLICY_MASK;
    char detail[512] = "";
    if (status >= 300 && status < 400 && policy == BG_HTTP_REDIRECT_POLICY_DISALLOW) {
        char *target = NULL;
        curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &target);
        f.transient = 0; /* a redirect under DISALLOW is fatal (spec 4.9) */
        if (target && validate_remote_name(target) >= 0) {
            replace_string(&t->file->remote_name, target);
            snprintf(detail, sizeof detail, "Redirect to %s refused by the job's policy.",
                     target);
        }
    }
    const char *retry_after = response_header(t, "Retry-After");
    t->retry_after = parse_retry_after(retry_after, (int64_t)time(NULL));
    fail_with(t, f, detail[0] ? detail : NULL);
}

/* Decides, once per request, whether the final response is one we write. */
static void check_response_locked(transfer *t)
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

    if (t->outcome == OUTCOME_NONE &&
        (t->job->security_flags & BG_HTTP_REDIRECT_POLICY_MASK) ==
            BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT) {
        char *effective = NULL;
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &effective);
        if (effective && strcmp(effective, t->file->remote_name) != 0 &&
            validate_remote_name(effective) >= 0)
            replace_string(&t->file->remote_name, effective);
    }
}

/* ---- libcurl callbacks (engine thread) ------------------------------------ */

static int job_is_running(const bits_job *job)
{
    uint32_t s = atomic_load(&job->state);
    return s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING;
}

static uint64_t job_bytes_locked(const bits_job *job)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < job->nfiles; i++)
        sum += job->files[i]->bytes_transferred;
    return sum;
}

/* Under the lock: may these @p n bytes be written now? */
static size_t admit_body_locked(transfer *t, size_t n)
{
    bits_job *job = t->job;
    if (!job_is_running(job)) {
        t->outcome = OUTCOME_STOPPED;
        return 0;
    }
    if (!t->checked)
        check_response_locked(t);
    if (t->outcome != OUTCOME_NONE)
        return 0;
    if (job->max_download_size && job_bytes_locked(job) + n > job->max_download_size) {
        failure f = { BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED, BG_ERROR_CONTEXT_REMOTE_FILE, 0 };
        fail_with(t, f, NULL);
        return 0;
    }
    /* libcurl cannot resume a paused file:// read, and a local copy uses no
     * network: bandwidth caps apply to HTTP(S) only. */
    if (!t->is_file_protocol && !engine_take_tokens_locked(job, n)) {
        t->paused = 1;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (atomic_load(&job->state) == BG_JOB_STATE_CONNECTING) {
        job_error_clear(&job->error); /* bytes move again (spec 1.3) */
        job_apply_locked(job, STATE_EV_CONNECTED, job_conditions_locked(job));
    }
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
    transfer *t = userdata;
    size_t n = size * nmemb;
    bits_core *core = t->job->core;
    t->last_activity = mono_now_us();

    core_lock(core);
    size_t admitted = admit_body_locked(t, n);
    core_unlock(core);
    if (admitted != n)
        return admitted;

    int err = write_all(t->fd, ptr, n, t->offset + t->written);

    core_lock(core);
    if (err) {
        fail_with(t, classify_local_errno(err), strerror(err));
        core_unlock(core);
        return 0;
    }
    t->written += n;
    bits_job *job = t->job;
    t->file->bytes_transferred = t->offset + t->written;
    job->first_transient = 0; /* progress resets the no-progress window */
    job->modification_time = now_us();
    notify_job_event_locked(job, BITS_EVENT_JOB_MODIFICATION, NULL);
    core_unlock(core);
    return n;
}

static const failure oversized_headers = { BITS_E_WINHTTP_INVALID_SERVER_RESPONSE,
                                           BG_ERROR_CONTEXT_REMOTE_FILE, 1 };

static size_t on_header(char *buffer, size_t size, size_t nitems, void *userdata)
{
    (void)buffer;
    transfer *t = userdata;
    size_t n = size * nitems;
    t->last_activity = mono_now_us();
    t->header_bytes += n;
    if (t->header_bytes > MAX_RESPONSE_HEADER_BYTES) {
        fail_with(t, oversized_headers, "The server sent too many response headers.");
        return 0; /* aborts the request */
    }
    return n;
}

/* ---- setting up the request ------------------------------------------------ */

static void set_proxy(transfer *t, const char *url)
{
    bits_job *job = t->job;
    if (job->proxy_usage == BG_JOB_PROXY_USAGE_NO_PROXY) {
        curl_easy_setopt(t->easy, CURLOPT_PROXY, "");
        return;
    }
    if (job->proxy_usage != BG_JOB_PROXY_USAGE_OVERRIDE || !job->proxy_list)
        return; /* PRECONFIG: libcurl reads http_proxy, https_proxy, no_proxy */
    /* Entries "[scheme=][scheme://]host[:port]": the first for the URL's
     * scheme wins, else the first without "scheme=". */
    const char *scheme_end = strstr(url, "://");
    size_t scheme_len = scheme_end ? (size_t)(scheme_end - url) : 0;
    char *list = strdup(job->proxy_list);
    char *chosen = NULL, *fallback = NULL, *save = NULL;
    for (char *e = list ? strtok_r(list, " ", &save) : NULL; e; e = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(e, '=');
        char *colon_slash = strstr(e, "://");
        if (eq && (!colon_slash || eq < colon_slash)) {
            if (!chosen && (size_t)(eq - e) == scheme_len && strncmp(e, url, scheme_len) == 0)
                chosen = eq + 1;
        } else if (!fallback) {
            fallback = e;
        }
    }
    const char *proxy = chosen ? chosen : fallback;
    if (proxy)
        curl_easy_setopt(t->easy, CURLOPT_PROXY, proxy);
    if (job->bypass_list) {
        /* libcurl wants commas; "*.example.org" means ".example.org". */
        char *bypass = strdup(job->bypass_list);
        char *o = bypass;
        for (const char *p = job->bypass_list; bypass && *p; p++) {
            if (*p == '*' && p[1] == '.')
                continue;
            *o++ = *p == ' ' ? ',' : *p;
        }
        if (bypass) {
            *o = '\0';
            curl_easy_setopt(t->easy, CURLOPT_NOPROXY, bypass);
            free(bypass);
        }
    }
    free(list);
}

static const long auth_bits[CRED_SCHEMES] = { CURLAUTH_BASIC, CURLAUTH_DIGEST, CURLAUTH_NTLM,
                                              CURLAUTH_NEGOTIATE };

/* One (user, password) per target: the strongest scheme that has one. */
static void set_credentials(transfer *t)
{
    static const CURLoption user_opt[2] = { CURLOPT_USERNAME, CURLOPT_PROXYUSERNAME };
    static const CURLoption pass_opt[2] = { CURLOPT_PASSWORD, CURLOPT_PROXYPASSWORD };
    static const CURLoption auth_opt[2] = { CURLOPT_HTTPAUTH, CURLOPT_PROXYAUTH };
    for (int target = 0; target < CRED_TARGETS; target++) {
        for (int s = CRED_SCHEMES - 1; s >= 0; s--) {
            const job_credential *c = &t->job->creds[target][s];
            if (!c->set)
                continue;
            curl_easy_setopt(t->easy, auth_opt[target], auth_bits[s]);
            /* NTLM/Negotiate with no name: the ambient identity (":"). */
            curl_easy_setopt(t->easy, user_opt[target], c->user_name ? c->user_name : "");
            curl_easy_setopt(t->easy, pass_opt[target], c->password ? c->password : "");
            break;
        }
    }
}

static int set_custom_headers(transfer *t)
{
    const char *h = t->job->custom_headers;
    while (h && *h) {
        size_t len = strcspn(h, "\r\n");
        if (len > 0) {
            char *line = strndup(h, len);
            struct curl_slist *grown = line ? curl_slist_append(t->headers, line) : NULL;
            free(line);
            if (!grown)
                return -1;
            t->headers = grown;
        }
        h += len;
        while (*h == '\r' || *h == '\n')
            h++;
    }
    return 0;
}

#define CHAIN_CHECK_OFF_FLAGS                                                          \
    (BG_SSL_IGNORE_UNKNOWN_CA | BG_SSL_IGNORE_CERT_DATE_INVALID |                      \
     BG_SSL_IGNORE_CERT_WRONG_USAGE)

/* Why BG_SSL_ENABLE_CRL_CHECK cannot be honoured with @p crl (the value of
 * OPENBITS_CRL_FILE), or NULL when it can: the file must be readable now
 * (libcurl reads it again at each new TLS connection), and chain
 * verification must be on, as libcurl checks no revocation without it. */
static const char *crl_problem(const char *crl, uint32_t flags, char *buf, size_t size)
{
    if (flags & CHAIN_CHECK_OFF_FLAGS)
        return "BG_SSL_ENABLE_CRL_CHECK cannot be honoured: a BG_SSL_IGNORE_* flag of the "
               "job turns certificate chain verification off.";
    if (!crl || !*crl)
        return "BG_SSL_ENABLE_CRL_CHECK is set but no CRL is configured "
               "(OPENBITS_CRL_FILE is not set).";
    /* O_NONBLOCK: a FIFO there must not hang the engine thread. */
    int fd = open(crl, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0) {
        close(fd);
        return NULL;
    }
    snprintf(buf, size,
             "BG_SSL_ENABLE_CRL_CHECK is set but no usable CRL is configured: "
             "OPENBITS_CRL_FILE (%s) cannot be read: %s.",
             crl, strerror(errno));
    return buf;
}

static void set_security(transfer *t, const char *url)
{
    uint32_t flags = t->job->security_flags;
    if (flags & BG_SSL_IGNORE_CERT_CN_INVALID)
        curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYHOST, 0L);
    /* libcurl cannot ignore only a date, CA or usage problem: any of these
     * flags turns off chain verification for this job (docs say so). */
    if (flags & CHAIN_CHECK_OFF_FLAGS)
        curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYPEER, 0L);
    const char *ca_file = getenv("SSL_CERT_FILE");
    if (ca_file && *ca_file)
        curl_easy_setopt(t->easy, CURLOPT_CAINFO, ca_file);
    uint32_t policy = flags & BG_HTTP_REDIRECT_POLICY_MASK;
    curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION,
                     policy == BG_HTTP_REDIRECT_POLICY_DISALLOW ? 0L : 1L);
    curl_easy_setopt(t->easy, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
    /* Never follow to file:// (a server must not make us read local files),
     * and HTTPS may only go to HTTP when the job allows it. */
    int https = strncmp(url, "https://", 8) == 0;
    const char *redirect_protocols =
        https && !(flags & BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP) ? "https" : "http,https";
    if ((flags & BG_SSL_ENABLE_CRL_CHECK) && !t->is_file_protocol) {
        /* With OpenSSL, libcurl checks every certificate of the chain
         * against this file (X509_V_FLAG_CRL_CHECK | CRL_CHECK_ALL). It is
         * read here, when the file's transfer starts, on the engine thread. */
        char text[1024];
        const char *crl = getenv("OPENBITS_CRL_FILE");
        const char *problem = crl_problem(crl, flags, text, sizeof text);
        if (!problem) {
            curl_easy_setopt(t->easy, CURLOPT_CRLFILE, crl);
            /* A resumed TLS session skips verification: a full handshake
             * for each new connection, so a CRL update applies to it. */
            curl_easy_setopt(t->easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        } else if (https) {
            /* Fail closed, before any connection: the failure is decided
             * now, and libcurl refuses the https URL at once (an allowed
             * protocol is checked before a connection is made or reused). */
            static const failure no_crl = { BITS_E_WINHTTP_SECURE_CERT_REV_FAILED,
                                            BG_ERROR_CONTEXT_GENERAL_TRANSPORT, 0 };
            fail_with(t, no_crl, problem);
            curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http");
        } else {
            /* Plain HTTP needs no CRL, but an https hop would go unchecked. */
            redirect_protocols = "http";
        }
    }
    curl_easy_setopt(t->easy, CURLOPT_REDIR_PROTOCOLS_STR, redirect_protocols);
}

/* A local source has no ETag: its size and modification time stand in. */
static char *local_source_validator(const char *remote)
{
    const char *path = remote[0] == '/' ? remote : NULL;
    char *decoded = NULL;
    if (!path) {
        /* file://[localhost]/path -> /path, percent-decoded */
        const char *p = remote + 7;
        if (strncmp(p, "localhost", 9) == 0)
            p += 9;
        decoded = curl_easy_unescape(NULL, p, 0, NULL);
        path = decoded;
    }
    struct stat st;
    char text[64];
    int ok = path && stat(path, &st) == 0;
    if (ok)
        snprintf(text, sizeof text, "%lld:%lld.%09ld", (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    curl_free(decoded);
    return ok ? strdup(text) : NULL;
}

/* Range + If-Range for a resumed request; decides the starting offset. */
static int set_resume(transfer *t)
{
    bits_file *f = t->file;
    t->offset = f->bytes_transferred;
    if (t->is_file_protocol) {
        char *now = local_source_validator(f->remote_name);
        if (t->offset > 0 && (!now || !f->last_modified || strcmp(now, f->last_modified) != 0))
            t->offset = 0; /* the local source changed since it started */
        if (t->offset == 0 && f->bytes_transferred > 0)
            files_reset_progress_locked(f, t->fd);
        free(f->last_modified);
        f->last_modified = now;
        if (t->offset > 0)
            curl_easy_setopt(t->easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)t->offset);
        return 0;
    }
    if (t->offset > 0 && t->job->dynamic_content)
        t->offset = 0; /* dynamic content always starts over (spec 4.10) */
    /* Checked again here: the values may come from the store. */
    const char *validator = etag_usable_for_range(f->etag)                    ? f->etag
                            : last_modified_usable_for_range(f->last_modified) ? f->last_modified
                                                                               : NULL;
    if (t->offset > 0 && !validator)
        t->offset = 0; /* nothing to prove it is the same file */
    if (t->offset == 0) {
        if (f->bytes_transferred > 0)
            files_reset_progress_locked(f, t->fd);
        return 0;
    }
    char range[32];
    snprintf(range, sizeof range, "%llu-", (unsigned long long)t->offset);
    curl_easy_setopt(t->easy, CURLOPT_RANGE, range);
    size_t n = strlen(validator) + sizeof "If-Range: ";
    char *line = malloc(n);
    if (!line)
        return -1;
    snprintf(line, n, "If-Range: %s", validator);
    struct curl_slist *grown = curl_slist_append(t->headers, line);
    free(line);
    if (!grown)
        return -1;
    t->headers = grown;
    return 0;
}

transfer *transfer_create_locked(bits_job *job, bits_file *file, uint32_t stall_timeout_s,
                                 CURL *easy, failure *fail)
{
    failure oom = { BITS_E_OUTOFMEMORY, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, 1 };
    transfer *t = calloc(1, sizeof *t);
    if (!t) {
        curl_easy_cleanup(easy);
        *fail = oom;
        return NULL;
    }
    t->fd = files_open_temp_locked(file);
    if (t->fd < 0) {
        *fail = classify_local_errno(errno);
        curl_easy_cleanup(easy);
        free(t);
        return NULL;
    }
    bits_job_add_ref(job);
    t->job = job;
    t->file = file;
    t->retry_after = -1;
    t->last_activity = t->last_link_check = mono_now_us();
    t->is_file_protocol = remote_is_local(file->remote_name);
    char *url = file->remote_name[0] == '/' ? file_url_from_path(file->remote_name)
                                            : strdup(file->remote_name);
    t->easy = easy ? easy : curl_easy_init();
    if (!url || !t->easy || set_resume(t) != 0 || set_custom_headers(t) != 0) {
        free(url);
        transfer_free_locked(t);
        *fail = oom;
        return NULL;
    }
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long)TRANSFER_BUFFER_SIZE);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "openbits/" OPENBITS_VERSION_STRING);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    if (stall_timeout_s)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)stall_timeout_s);
    if (t->headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    set_security(t, url);
    set_proxy(t, url);
    set_credentials(t);
    free(url);
    file->active = 1;
    return t;
}

/* ---- the end of a request ---------------------------------------------------- */

static void settle_success_locked(transfer *t)
{
    if (!t->checked)
        check_response_locked(t); /* an empty body never reached on_body */
    if (t->outcome != OUTCOME_NONE)
        return;
    bits_file *f = t->file;
    uint64_t have = t->offset + t->written;
    if (f->bytes_total == BG_SIZE_UNKNOWN)
        f->bytes_total = have; /* dynamic content: the size is what came */
    if (have < f->bytes_total) {
        failure fl = { BG_E_CONNECTION_CLOSED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, 1 };
        fail_with(t, fl, "The response body ended early.");
        return;
    }
    f->bytes_transferred = f->bytes_total;
    t->outcome = OUTCOME_DONE;
}

/* A file that is done must still be ours and exactly its size: one fstat
 * tells both. Deleted under us (a cleaner, its directory removed), the
 * bytes are gone and the file starts over instead of being reported done;
 * a stale tail (a restart whose truncate failed) is cut. */
static void verify_done_locked(transfer *t)
{
    uint64_t have = 0, size = t->file->bytes_total;
    int gone = files_temp_is_gone(t->fd, &have);
    if (gone == 1)
        t->outcome = OUTCOME_RESTART;
    else if (gone < 0 || (have != size && ftruncate(t->fd, (off_t)size) != 0))
        fail_with(t, classify_local_errno(errno), strerror(errno));
}

/* A failed certificate verification that was about revocation: 1 and
 * @p f (and @p detail) changed, else 0. With the OpenSSL backend (forks
 * included), CURLINFO_SSL_VERIFYRESULT is OpenSSL's verify result, an X509_V_ERR_*
 * number (openssl/x509_vfy.h, stable across OpenSSL versions), reset at
 * each TLS connect; other backends report numbers of their own, which are
 * not read (their failures stay BITS_E_WINHTTP_SECURE_FAILURE, fatal). */
static int revocation_failure(transfer *t, failure *f, char *detail, size_t size)
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

static void settle_result_locked(transfer *t, CURLcode result)
{
    if (result == CURLE_OK) {
        settle_success_locked(t);
        return;
    }
    /* libcurl before 8.6 reports one header line over its 100 KiB limit as
     * out of memory, with no message: failing so in the middle of the
     * headers is the server's fault, not ours. */
    int too_large = result == CURLE_OUT_OF_MEMORY && t->header_bytes > 0 && !t->checked;
#if LIBCURL_VERSION_NUM >= 0x080600
    too_large = too_large || result == CURLE_TOO_LARGE;
#endif
    if (too_large) {
        fail_with(t, oversized_headers, "A response header was too large.");
        return;
    }
    failure f = classify_curl_code(result, t->is_file_protocol);
    char detail[256];
    if (result == CURLE_PEER_FAILED_VERIFICATION && revocation_failure(t, &f, detail, sizeof detail))
        fail_with(t, f, detail);
    else
        fail_with(t, f, curl_easy_strerror(result));
}

void transfer_settle_locked(transfer *t, CURLcode result)
{
    /* Else decided by a callback (restart, failure, stop, 416 done) or
     * when the transfer was set up (no usable CRL). */
    if (t->outcome == OUTCOME_NONE)
        settle_result_locked(t, result);
    if (t->outcome == OUTCOME_DONE)
        verify_done_locked(t);
}

CURL *transfer_take_easy(transfer *t)
{
    CURL *easy = t->easy;
    t->easy = NULL;
    return easy;
}

void transfer_free_locked(transfer *t)
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
    bits_job_release(t->job);
    free(t);
}
