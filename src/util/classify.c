/* classify.c - ob_failure codes, contexts and retry decisions. */
#include "util/classify.h"

#include <errno.h>

#include "openbits/types.h"

static int http_status_transient(long status)
{
    if (status >= 300 && status < 400)
        return !(status <= 305 || status == 307);
    if (status >= 400 && status < 500)
        return status == 408 || status == 409 || status == 429;
    if (status >= 500 && status < 600)
        return status != 501 && status != 505;
    return 1;
}

ob_failure ob_classify_http_status(long status)
{
    ob_failure f;
    f.code = (status >= 100 && status <= 599) ? BG_E_HTTP_ERROR(status)
                                              : BG_E_INVALID_SERVER_RESPONSE;
    f.context = BG_ERROR_CONTEXT_REMOTE_FILE;
    f.transient = http_status_transient(status);
    return f;
}

ob_failure ob_classify_curl_code(CURLcode code, int protocol_is_file)
{
    ob_failure f = { BITS_E_FAIL, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, 1 };
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        f.code = BITS_E_WINHTTP_NAME_NOT_RESOLVED;
        break;
    case CURLE_COULDNT_CONNECT:
        f.code = BG_E_CONNECT_FAILURE;
        break;
    case CURLE_OPERATION_TIMEDOUT:
        f.code = BITS_E_WINHTTP_TIMEOUT;
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        f.code = BG_E_CONNECTION_CLOSED;
        break;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
        f.code = BITS_E_WINHTTP_INVALID_SERVER_RESPONSE;
        f.context = BG_ERROR_CONTEXT_REMOTE_FILE;
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        f.code = BITS_E_WINHTTP_SECURE_FAILURE;
        f.transient = 0;
        break;
    case CURLE_SSL_CRL_BADFILE:
        f.code = BITS_E_WINHTTP_SECURE_CERT_REV_FAILED;
        f.transient = 0;
        break;
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_UNSUPPORTED_PROTOCOL: /* a redirect to a refused scheme */
        f.code = BITS_E_WINHTTP_REDIRECT_FAILED;
        f.context = BG_ERROR_CONTEXT_REMOTE_FILE;
        f.transient = 0;
        break;
    case CURLE_URL_MALFORMAT:
        f.code = BITS_E_INVALIDARG;
        f.context = BG_ERROR_CONTEXT_REMOTE_FILE;
        f.transient = 0;
        break;
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
        f.code = BITS_E_ACCESSDENIED;
        f.context = BG_ERROR_CONTEXT_REMOTE_FILE;
        f.transient = 0;
        break;
    case CURLE_FILE_COULDNT_READ_FILE:
        f.code = BITS_E_FILE_NOT_FOUND;
        f.context = BG_ERROR_CONTEXT_REMOTE_FILE;
        f.transient = 0;
        break;
    case CURLE_OUT_OF_MEMORY:
        f.code = BITS_E_OUTOFMEMORY;
        f.context = BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER;
        break;
    default:
        break;
    }
    if (protocol_is_file && f.context == BG_ERROR_CONTEXT_GENERAL_TRANSPORT)
        f.context = BG_ERROR_CONTEXT_REMOTE_FILE;
    return f;
}

ob_failure ob_classify_local_errno(int err)
{
    ob_failure f = { BITS_E_FAIL, BG_ERROR_CONTEXT_LOCAL_FILE, 1 };
    switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        f.code = BITS_E_DISK_FULL;
        break;
    case EACCES:
    case EPERM:
    case EROFS:
        f.code = BITS_E_ACCESSDENIED;
        f.transient = 0;
        break;
    case ENOENT:
    case ENOTDIR:
        f.code = BITS_E_PATH_NOT_FOUND;
        f.transient = 0;
        break;
    case ELOOP:
    case EEXIST:
        /* A symlink or a planted file where our temporary file goes. */
        f.code = BITS_E_ACCESSDENIED;
        f.transient = 0;
        break;
    default:
        break;
    }
    return f;
}

bits_hresult ob_hr_from_errno(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ELOOP: /* O_NOFOLLOW met a symlink where our own file should be */
        return BITS_E_ACCESSDENIED;
    case ENOENT:
    case ENOTDIR:
        return BITS_E_PATH_NOT_FOUND;
    case ENOSPC:
    case EDQUOT:
        return BITS_E_DISK_FULL;
    case ENOMEM:
        return BITS_E_OUTOFMEMORY;
    case ENAMETOOLONG:
        return BITS_E_INVALIDARG;
    default:
        return BITS_E_FAIL;
    }
}
