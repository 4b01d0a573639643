/*
 * request.c - setting up a transfer's request: the URL, Range + If-Range
 * for a resume (with the validator recorded when the file started:
 * strong ETag, else Last-Modified; with neither the file starts over),
 * custom headers, TLS and redirect policy, proxy, credentials.
 */
#include "engine/transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/fs.h"
#include "util/response_headers.h"

#define MAX_REDIRECTS 10

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

static void set_proxy(ob_transfer *t, const char *url)
{
    bits_job *job = t->job;
    if (job->props.proxy_usage == BG_JOB_PROXY_USAGE_NO_PROXY) {
        curl_easy_setopt(t->easy, CURLOPT_PROXY, "");
        return;
    }
    if (job->props.proxy_usage != BG_JOB_PROXY_USAGE_OVERRIDE || !job->props.proxy_list)
        return; /* PRECONFIG: libcurl reads http_proxy, https_proxy, no_proxy */
    /* Entries "[scheme=][scheme://]host[:port]": the first for the URL's
     * scheme wins, else the first without "scheme=". */
    const char *scheme_end = strstr(url, "://");
    size_t scheme_len = scheme_end ? (size_t)(scheme_end - url) : 0;
    char *list = strdup(job->props.proxy_list);
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
    if (job->props.bypass_list) {
        /* libcurl wants commas; "*.example.org" means ".example.org". */
        char *bypass = strdup(job->props.bypass_list);
        char *o = bypass;
        for (const char *p = job->props.bypass_list; bypass && *p; p++) {
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

static const long auth_bits[OB_CRED_SCHEMES] = { CURLAUTH_BASIC, CURLAUTH_DIGEST, CURLAUTH_NTLM,
                                              CURLAUTH_NEGOTIATE };

/* One (user, password) per target: the strongest scheme that has one. */
static void set_credentials(ob_transfer *t)
{
    static const CURLoption user_opt[2] = { CURLOPT_USERNAME, CURLOPT_PROXYUSERNAME };
    static const CURLoption pass_opt[2] = { CURLOPT_PASSWORD, CURLOPT_PROXYPASSWORD };
    static const CURLoption auth_opt[2] = { CURLOPT_HTTPAUTH, CURLOPT_PROXYAUTH };
    for (int target = 0; target < OB_CRED_TARGETS; target++) {
        for (int s = OB_CRED_SCHEMES - 1; s >= 0; s--) {
            const ob_credential *c = &t->job->props.creds[target][s];
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

static int set_custom_headers(ob_transfer *t)
{
    const char *h = t->job->props.custom_headers;
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

static void set_security(ob_transfer *t, const char *url)
{
    uint32_t flags = t->job->props.security_flags;
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
            static const ob_failure no_crl = { BITS_E_WINHTTP_SECURE_CERT_REV_FAILED,
                                               BG_ERROR_CONTEXT_GENERAL_TRANSPORT, 0 };
            ob_transfer_fail(t, no_crl, problem);
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
static int set_resume(ob_transfer *t)
{
    bits_file *f = t->file;
    t->offset = f->bytes_transferred;
    if (t->is_file_protocol) {
        char *now = local_source_validator(f->remote_name);
        if (t->offset > 0 && (!now || !f->last_modified || strcmp(now, f->last_modified) != 0))
            t->offset = 0; /* the local source changed since it started */
        if (t->offset == 0 && f->bytes_transferred > 0)
            ob_temp_reset(f, t->fd);
        free(f->last_modified);
        f->last_modified = now;
        if (t->offset > 0)
            curl_easy_setopt(t->easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)t->offset);
        return 0;
    }
    if (t->offset > 0 && t->job->props.dynamic_content)
        t->offset = 0; /* dynamic content always starts over (spec 4.10) */
    /* Checked again here: the values may come from the store. */
    const char *validator = ob_etag_usable_for_range(f->etag)                       ? f->etag
                            : ob_last_modified_usable_for_range(f->last_modified) ? f->last_modified
                                                                               : NULL;
    if (t->offset > 0 && !validator)
        t->offset = 0; /* nothing to prove it is the same file */
    if (t->offset == 0) {
        if (f->bytes_transferred > 0)
            ob_temp_reset(f, t->fd);
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

#define TRANSFER_BUFFER_SIZE (256 * 1024)

int ob_request_setup(ob_transfer *t)
{
    const char *remote = t->file->remote_name;
    char *url = remote[0] == '/' ? file_url_from_path(remote) : strdup(remote);
    if (!url || set_resume(t) != 0 || set_custom_headers(t) != 0) {
        free(url);
        return -1;
    }
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long)TRANSFER_BUFFER_SIZE);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "openbits/" OPENBITS_VERSION_STRING);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    uint32_t stall_timeout_s = t->limits[BITS_LIMIT_STALL_TIMEOUT];
    if (stall_timeout_s)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)stall_timeout_s);
    if (t->headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    set_security(t, url);
    set_proxy(t, url);
    set_credentials(t);
    ob_trace_setup(t);
    free(url);
    return 0;
}
