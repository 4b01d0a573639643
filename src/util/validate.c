/* validate.c - argument checks shared by the public calls. */
#include "util/validate.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util/url_bytes.h"
#include "util/utf8.h"

bits_hresult ob_validate_string(const char *s, uint32_t max_code_points, bits_hresult too_long)
{
    size_t n;
    if (!s || ob_utf8_count(s, &n) != 0)
        return BITS_E_INVALIDARG;
    return n > max_code_points ? too_long : BITS_S_OK;
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bits_hresult validate_http_url(const char *url)
{
    const char *rest = url + (has_prefix(url, "https://") ? 8 : 7);
    /* authority = [userinfo@]host[:port], up to the first '/', '?' or '#' */
    size_t auth_len = strcspn(rest, "/?#");
    const char *at = memchr(rest, '@', auth_len);
    const char *host = at ? at + 1 : rest;
    size_t host_len = auth_len - (size_t)(host - rest);
    if (host_len == 0)
        return BITS_E_INVALIDARG;
    if (host[0] == '[') {
        const char *close = memchr(host, ']', host_len);
        if (!close || close == host + 1)
            return BITS_E_INVALIDARG;
        size_t after = host_len - (size_t)(close + 1 - host);
        if (after && close[1] != ':')
            return BITS_E_INVALIDARG;
    } else {
        const char *colon = memchr(host, ':', host_len);
        if (colon == host)
            return BITS_E_INVALIDARG; /* a port with no host */
        if (colon) {
            for (const char *p = colon + 1; p < host + host_len; p++) {
                if (*p < '0' || *p > '9')
                    return BITS_E_INVALIDARG;
            }
        }
    }
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (!ob_url_byte_ok(*p))
            return BITS_E_INVALIDARG;
    }
    /* Last, libcurl's own parser with the flags CURLOPT_URL uses: a URL
     * it refuses (a bad host name, a port past 65535) can never be
     * fetched, so AddFile refuses it now rather than the transfer later. */
    CURLU *u = curl_url();
    if (!u)
        return BITS_E_OUTOFMEMORY;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    curl_url_cleanup(u);
    if (rc == CURLUE_OUT_OF_MEMORY)
        return BITS_E_OUTOFMEMORY;
    return rc == CURLUE_OK ? BITS_S_OK : BITS_E_INVALIDARG;
}

int ob_remote_is_local(const char *remote)
{
    return remote[0] == '/' || has_prefix(remote, "file://");
}

bits_hresult ob_validate_remote_name(const char *remote)
{
    bits_hresult hr = ob_validate_string(remote, OB_LIMIT_REMOTE_NAME, BITS_E_INVALIDARG);
    if (hr < 0)
        return hr;
    if (has_prefix(remote, "http://") || has_prefix(remote, "https://"))
        return validate_http_url(remote);
    if (has_prefix(remote, "file://")) {
        const char *path = remote + 7;
        if (has_prefix(path, "localhost/"))
            path += 9;
        if (path[0] != '/' || path[1] == '\0')
            return BITS_E_INVALIDARG;
        for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
            if (*p < 0x20 || *p == 0x7F)
                return BITS_E_INVALIDARG;
        }
        return BITS_S_OK;
    }
    if (remote[0] == '/' && remote[1] != '\0') {
        for (const unsigned char *p = (const unsigned char *)remote; *p; p++) {
            if (*p < 0x20 || *p == 0x7F)
                return BITS_E_INVALIDARG;
        }
        return BITS_S_OK;
    }
    return BITS_E_INVALIDARG;
}

/* 1 when some component of @p path is "." or "..". */
static int has_dot_component(const char *path)
{
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return 1;
        p += len;
    }
    return 0;
}

bits_hresult ob_validate_local_name(const char *local)
{
    return ob_validate_local_name_cached(local, NULL);
}

bits_hresult ob_validate_local_name_cached(const char *local, ob_local_parent_cache *cache)
{
    size_t n;
    if (!local || local[0] != '/' || ob_utf8_count(local, &n) != 0)
        return BITS_E_INVALIDARG;
    size_t len = strlen(local);
    if (len >= PATH_MAX || local[len - 1] == '/' || has_dot_component(local))
        return BITS_E_INVALIDARG;
    for (const unsigned char *p = (const unsigned char *)local; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return BITS_E_INVALIDARG;
    }
    char parent[PATH_MAX];
    const char *slash = strrchr(local, '/');
    size_t plen = slash == local ? 1 : (size_t)(slash - local);
    size_t base_len = len - (size_t)(slash - local) - 1;
    /* The temporary file lives in the same directory: its path must fit. */
    if (plen + 1 + OB_TEMP_BASE_MAX >= PATH_MAX)
        return BITS_E_INVALIDARG;
    struct stat st;
    if (stat(local, &st) == 0 && S_ISDIR(st.st_mode))
        return BITS_E_INVALIDARG;
    memcpy(parent, local, plen);
    parent[plen] = '\0';
    long name_max;
    if (cache && strcmp(cache->parent, parent) == 0) {
        name_max = cache->name_max;
    } else {
        if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
            return BITS_E_PATH_NOT_FOUND;
        if (access(parent, W_OK | X_OK) != 0)
            return errno == ENOENT ? BITS_E_PATH_NOT_FOUND : BITS_E_ACCESSDENIED;
        name_max = pathconf(parent, _PC_NAME_MAX);
        if (name_max <= 0)
            name_max = NAME_MAX;
        if (cache) {
            memcpy(cache->parent, parent, plen + 1);
            cache->name_max = name_max;
        }
    }
    /* Accepted here, a longer last component would download in full and
     * then fail every Complete. */
    if ((long)base_len > name_max)
        return BITS_E_INVALIDARG;
    return BITS_S_OK;
}

/* RFC 9110 token characters, for header names. */
static int is_token_char(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return 1;
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c >= '0' && c <= '9')
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bits_hresult ob_validate_custom_headers(const char *headers)
{
    bits_hresult hr = ob_validate_string(headers, OB_LIMIT_CUSTOM_HEADERS, BG_E_STRING_TOO_LONG);
    if (hr < 0)
        return hr;
    const char *p = headers;
    while (*p) {
        const char *line = p;
        size_t len = strcspn(p, "\r\n");
        p += len;
        if (*p == '\r' && p[1] == '\n')
            p += 2;
        else if (*p)
            return BITS_E_INVALIDARG; /* a bare CR or LF */
        if (len == 0)
            return BITS_E_INVALIDARG; /* an empty line inside the block */
        const char *colon = memchr(line, ':', len);
        if (!colon || colon == line)
            return BITS_E_INVALIDARG;
        for (const char *c = line; c < colon; c++) {
            if (!is_token_char((unsigned char)*c))
                return BITS_E_INVALIDARG;
        }
        for (const char *c = colon + 1; c < line + len; c++) {
            unsigned char u = (unsigned char)*c;
            if ((u < 0x20 && u != '\t') || u == 0x7F)
                return BITS_E_INVALIDARG;
        }
    }
    return BITS_S_OK;
}

bits_hresult ob_validate_proxy_list(const char *list, bits_hresult too_long)
{
    bits_hresult hr = ob_validate_string(list, OB_LIMIT_PROXY_LIST, too_long);
    if (hr < 0)
        return hr;
    for (const unsigned char *p = (const unsigned char *)list; *p; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
            return BITS_E_INVALIDARG;
    }
    return BITS_S_OK;
}
