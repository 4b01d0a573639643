"""Authentication checks of the openbits test server: Basic and Digest
(RFC 7616, MD5, qop=auth) for servers, Basic for proxies. Each check
returns None when the request carries the credentials, else the
challenge to send with the 401 or 407."""

import base64
import hashlib
import re

_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?')


def _md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def basic(header_value, creds, realm):
    want = "Basic " + base64.b64encode(("%s:%s" % tuple(creds)).encode()).decode()
    return None if header_value == want else 'Basic realm="%s"' % realm


def _digest_params(header_value):
    if not header_value or not header_value.startswith("Digest "):
        return None
    params = {}
    for key, value in _PARAM.findall(header_value[len("Digest "):]):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[key.lower()] = value
    return params


def digest(header_value, creds, realm, method, nonce):
    """Checks a Digest Authorization header against @creds for @method;
    @nonce is the server's (fixed per server run: replay is not what this
    server tests)."""
    challenge = 'Digest realm="%s", qop="auth", nonce="%s", algorithm=MD5' % (realm, nonce)
    p = _digest_params(header_value)
    if (not p or p.get("username") != creds[0] or p.get("realm") != realm
            or p.get("nonce") != nonce or p.get("qop") != "auth"):
        return challenge
    ha1 = _md5("%s:%s:%s" % (creds[0], realm, creds[1]))
    ha2 = _md5("%s:%s" % (method, p.get("uri", "")))
    want = _md5(":".join((ha1, nonce, p.get("nc", ""), p.get("cnonce", ""), "auth", ha2)))
    return None if p.get("response") == want else challenge
