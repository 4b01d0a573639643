"""Per-path behaviour, content and counters of the openbits test server.

Plain data behind one lock. The HTTP handler calls `State.begin()` once per
request: it counts the request and returns a snapshot (a "plan") of what to
do; the handler then reports the status and the body bytes it sent.
"""

import base64
import copy
import email.utils
import hashlib
import os
import re
import threading
import time

LOG_LIMIT = 1000          # entries kept in the global log and per-path lists
CONTENT_KEYS = ("content_b64", "text", "size", "seed", "generator")
NORMAL = (None, 0, 200)   # status values that mean "serve the content"


# --------------------------------------------------------------------------
# Deterministic content

def generate(size, seed=0, generator="xorshift"):
    """`size` deterministic bytes.

    "xorshift" is byte-for-byte the C helper ts_write_file(path, size, seed)
    of tests/http_server.c; "fast" is SHA-256 in counter mode (much quicker
    in Python for many MiB, same determinism)."""
    size, seed = int(size), int(seed)
    if generator == "fast":
        out = bytearray()
        counter = 0
        prefix = b"openbits:%d:" % seed
        while len(out) < size:
            out += hashlib.sha256(prefix + counter.to_bytes(8, "little")).digest()
            counter += 1
        return bytes(out[:size])
    if generator != "xorshift":
        raise ValueError("generator must be 'xorshift' or 'fast'")
    x = (seed * 2654435761 + 1) & 0xFFFFFFFF
    out = bytearray(size)
    for i in range(size):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x & 0xFF
    return bytes(out)


def content_from_spec(spec):
    """Bytes described by a JSON-style spec (content_b64 | text | size
    [+ seed, generator]), or None when the spec names no content."""
    given = [k for k in ("content_b64", "text", "size") if spec.get(k) is not None]
    if not given:
        if spec.get("seed") is not None or spec.get("generator") is not None:
            raise ValueError("'seed'/'generator' need 'size'")
        return None
    if len(given) > 1:
        raise ValueError("give only one of content_b64, text, size")
    if given[0] == "content_b64":
        try:
            return base64.b64decode(spec["content_b64"], validate=True)
        except (ValueError, TypeError) as e:
            raise ValueError("content_b64: %s" % e) from None
    if given[0] == "text":
        if not isinstance(spec["text"], str):
            raise ValueError("text must be a string")
        return spec["text"].encode()
    size = spec["size"]
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= 1 << 30:
        raise ValueError("size must be an integer 0..2^30")
    seed = spec.get("seed") or 0
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError("seed must be an integer")
    return generate(size, seed, spec.get("generator") or "xorshift")


class Content:
    """One immutable representation: bytes, digest and modification time."""

    __slots__ = ("data", "digest", "mtime", "source")

    def __init__(self, data, mtime, source="memory"):
        self.data = bytes(data)
        self.digest = hashlib.sha256(self.data).hexdigest()
        self.mtime = int(mtime)
        self.source = source

    def etag(self, kind="strong"):
        """The ETag header value for `kind` strong | weak | none."""
        if kind == "none":
            return None
        tag = '"%s"' % self.digest[:32]
        return "W/" + tag if kind == "weak" else tag

    @property
    def last_modified(self):
        return email.utils.formatdate(self.mtime, usegmt=True)

    def info(self, path):
        return {"path": path, "size": len(self.data), "etag": self.etag(),
                "last_modified": self.last_modified, "sha256": self.digest,
                "source": self.source}


# --------------------------------------------------------------------------
# Behaviour keys and their validation

def _bool(v):
    if not isinstance(v, bool):
        raise ValueError("expected true/false")
    return v


def _count(v):
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError("expected an integer >= 0")
    return v


def _positive(v):
    if _count(v) < 1:
        raise ValueError("expected an integer >= 1")
    return v


def _int(v):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("expected an integer")
    return v


def _seconds(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise ValueError("expected a number of seconds >= 0")
    return float(v)


def _rate(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        raise ValueError("expected bytes per second > 0")
    return float(v)


def _status(v):
    if isinstance(v, bool) or not isinstance(v, int) or not (v == 0 or 200 <= v <= 599):
        raise ValueError("expected an HTTP status 200..599 (0 = serve normally)")
    return v


def _statuses(v):
    if not isinstance(v, list):
        raise ValueError("expected a list of statuses")
    return [None if s is None else _status(s) for s in v]


def _str(v):
    if not isinstance(v, str):
        raise ValueError("expected a string")
    return v


def _retry_after(v):
    if isinstance(v, str):
        return v
    return str(int(_seconds(v)))


def _b64(v):
    try:
        base64.b64decode(_str(v), validate=True)
    except (ValueError, TypeError):
        raise ValueError("expected base64") from None
    return v


def _headers(v):
    if not isinstance(v, dict) or not all(isinstance(k, str) and isinstance(x, str)
                                          for k, x in v.items()):
        raise ValueError("expected an object of header name -> string value")
    return dict(v)


def _etag_kind(v):
    if v not in ("strong", "weak", "none"):
        raise ValueError("expected 'strong', 'weak' or 'none'")
    return v


def _redirect_status(v):
    if isinstance(v, bool) or not isinstance(v, int) or not 300 <= v <= 399:
        raise ValueError("expected a 3xx status")
    return v


def _huge(v):
    if _count(v) > 16 << 20:
        raise ValueError("at most 16 MiB")
    return v


def _auth(v):
    if isinstance(v, dict):
        v = [v.get("user"), v.get("password")]
    if (not isinstance(v, (list, tuple)) or len(v) != 2
            or not all(isinstance(x, str) for x in v)):
        raise ValueError('expected ["user", "password"]')
    return [v[0], v[1]]


def _wrong_cr(v):
    if isinstance(v, bool):
        return 1 if v else 0
    return _int(v)


BEHAVIOUR_KEYS = {
    # answers instead of the content
    "status": _status, "statuses": _statuses, "retry_after": _retry_after,
    "retry_after_date": _seconds, "body": _str, "body_b64": _b64,
    "redirect": _str, "redirect_status": _redirect_status,
    "basic_auth": _auth, "digest_auth": _auth, "proxy_auth": _auth, "auth_realm": _str,
    # headers
    "headers": _headers, "huge_header": _huge, "etag": _etag_kind,
    "last_modified": _bool, "accept_ranges": _bool, "content_type": _str,
    # ranges
    "ignore_range": _bool, "ignore_if_range": _bool, "range_as_200": _bool,
    "wrong_content_range": _wrong_cr,
    # framing
    "content_length": _count, "content_length_delta": _int,
    "no_content_length": _bool, "chunked": _bool, "http10": _bool, "close": _bool,
    # timing and faults
    "delay": _seconds, "stall_after": _count, "stall": _seconds, "rate": _rate,
    "reset_after": _count, "truncate_after": _count,
    # lifetime of the configuration and of the content
    "times": _positive, "change_after_requests": _positive,
}


def validate(keys):
    """Checked copy of behaviour `keys`; ValueError names a bad/unknown key."""
    out = {}
    for k, v in keys.items():
        check = BEHAVIOUR_KEYS.get(k)
        if check is None:
            raise ValueError("unknown behaviour key %r" % k)
        try:
            out[k] = check(v)
        except ValueError as e:
            raise ValueError("%s: %s" % (k, e)) from None
    return out


def check_path(path):
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("/_control/"):
        raise ValueError("'path' must be a string starting with '/' (not /_control/)")
    return path


class _PathConfig:
    """The behaviour of one path and what it has consumed so far."""

    def __init__(self, keys):
        self.keys = keys
        self.statuses = list(keys.get("statuses") or [])
        self.times_left = keys.get("times")
        self.seen = 0

    def public(self):
        d = dict(self.keys)
        if "statuses" in d:
            d["statuses_left"] = list(self.statuses)
        if self.times_left is not None:
            d["times_left"] = self.times_left
        d["requests_seen"] = self.seen
        return d


def _path_stats():
    return {"requests": 0, "methods": {}, "bytes_sent": 0, "statuses": [],
            "ranges": [], "if_ranges": [], "last_headers": None}


def _bounded_append(lst, item):
    lst.append(item)
    if len(lst) > LOG_LIMIT:
        del lst[:len(lst) - LOG_LIMIT]


# --------------------------------------------------------------------------
# The shared state

class State:
    """Behaviours, in-memory contents and counters, shared by all threads."""

    def __init__(self, root=None):
        self.root = os.path.realpath(root) if root else None
        self.lock = threading.Lock()
        self.configs = {}
        self.contents = {}
        self._clear_stats()

    def _clear_stats(self):
        self.total = 0
        self.paths = {}
        self.log = []

    # -- content ----------------------------------------------------------

    def _file(self, path):
        """The Content of `path` under the root directory, or None."""
        if not self.root or "\0" in path or ".." in path.split("/"):
            return None
        local = os.path.realpath(os.path.join(self.root, path.lstrip("/")))
        if not local.startswith(self.root + os.sep) or not os.path.isfile(local):
            return None
        try:
            with open(local, "rb") as f:
                data = f.read()
            return Content(data, os.stat(local).st_mtime, "file")
        except OSError:
            return None

    def resolve(self, path):
        """What `path` serves now: in-memory content first, then the root."""
        with self.lock:
            c = self.contents.get(path)
        return c if c is not None else self._file(path)

    def _next_mtime(self, previous):
        now = int(time.time())
        return now if previous is None else max(now, previous.mtime + 1)

    def set_content(self, path, data):
        """Registers (or replaces) in-memory content; returns its info."""
        check_path(path)
        with self.lock:
            prev = self.contents.get(path) or self._file(path)
            c = self.contents[path] = Content(data, self._next_mtime(prev))
            return c.info(path)

    def remove_content(self, path):
        with self.lock:
            return self.contents.pop(path, None) is not None

    def _change_locked(self, path, data=None):
        prev = self.contents.get(path) or self._file(path)
        if prev is None:
            raise ValueError("nothing served at %s to change" % path)
        if data is None:  # same size, every byte + 1
            data = prev.data.translate(_ROTATE)
        c = self.contents[path] = Content(data, self._next_mtime(prev))
        return c.info(path)

    def change(self, path, data=None):
        """Replaces what `path` serves (a root file too, in memory) with
        `data`, or the same size of different bytes: new ETag, and a
        Last-Modified at least one second later. Returns the new info."""
        check_path(path)
        with self.lock:
            return self._change_locked(path, data)

    # -- behaviour --------------------------------------------------------

    def configure(self, path, keys, merge=False):
        """Sets (or with `merge` updates) the behaviour of `path`."""
        check_path(path)
        keys = validate(keys)
        with self.lock:
            old = self.configs.get(path)
            if merge and old is not None:
                merged = dict(old.keys)
                merged.update(keys)
                keys = merged
            cfg = self.configs[path] = _PathConfig(keys)
            return cfg.public()

    def reset(self, path=None):
        """Forgets behaviours, in-memory contents and counters (of one path)."""
        with self.lock:
            if path is None:
                self.configs.clear()
                self.contents.clear()
                self._clear_stats()
                return
            self.configs.pop(path, None)
            self.contents.pop(path, None)
            self.paths.pop(path, None)
            self.log = [e for e in self.log if e["path"] != path]

    def configs_snapshot(self):
        with self.lock:
            return {"paths": {p: c.public() for p, c in self.configs.items()},
                    "contents": {p: c.info(p) for p, c in self.contents.items()}}

    # -- per request ------------------------------------------------------

    def begin(self, path, method, headers, peer=None):
        """Counts one request; returns (plan, record). The plan is the
        path's behaviour for this request with "status" resolved from the
        status sequence; the record is the request's log entry. @peer is the
        client's port: requests with the same one shared a connection."""
        hdrs = dict(headers.items())
        rng, if_range = headers.get("Range"), headers.get("If-Range")
        with self.lock:
            self.total += 1
            ps = self.paths.setdefault(path, _path_stats())
            ps["requests"] += 1
            ps["methods"][method] = ps["methods"].get(method, 0) + 1
            _bounded_append(ps["ranges"], rng)
            _bounded_append(ps["if_ranges"], if_range)
            ps["last_headers"] = hdrs
            record = {"seq": self.total, "time": time.time(), "path": path,
                      "method": method, "range": rng, "if_range": if_range,
                      "status": None, "bytes_sent": 0, "done": False, "headers": hdrs,
                      "peer": peer}
            _bounded_append(self.log, record)
            cfg = self.configs.get(path)
            if cfg is None:
                return {"status": None}, record
            n = cfg.keys.get("change_after_requests")
            if n is not None and cfg.seen >= n:
                del cfg.keys["change_after_requests"]
                self._change_locked(path)
            cfg.seen += 1
            plan = dict(cfg.keys)
            plan.pop("statuses", None)
            plan["status"] = cfg.statuses.pop(0) if cfg.statuses else cfg.keys.get("status")
            if cfg.times_left is not None:
                cfg.times_left -= 1
                if cfg.times_left <= 0:
                    del self.configs[path]
            return plan, record

    def responded(self, record, status):
        with self.lock:
            record["status"] = status
            ps = self.paths.get(record["path"])
            if ps is not None:
                _bounded_append(ps["statuses"], status)

    def sent(self, record, nbytes):
        with self.lock:
            record["bytes_sent"] += nbytes
            ps = self.paths.get(record["path"])
            if ps is not None:
                ps["bytes_sent"] += nbytes

    def finished(self, record):
        with self.lock:
            record["done"] = True

    def stats(self, path=None):
        """A deep copy of the counters: everything, or one path's entry."""
        with self.lock:
            if path is not None:
                return copy.deepcopy(self.paths.get(path) or _path_stats())
            return copy.deepcopy({
                "total_requests": self.total,
                "requests": {p: s["requests"] for p, s in self.paths.items()},
                "paths": self.paths,
                "log": self.log,
            })


_ROTATE = bytes((i + 1) & 0xFF for i in range(256))


# --------------------------------------------------------------------------
# Range and If-Range (RFC 9110 sections 14.1.2 and 13.1.5)

UNSATISFIABLE = "unsatisfiable"
_NUM = re.compile(r"[0-9]+")


def parse_range(value, size):
    """(first, last) for a single byte range, UNSATISFIABLE, or None when
    the header is to be ignored (other unit, bad syntax, several ranges)."""
    unit, eq, spec = value.partition("=")
    if not eq or unit.strip().lower() != "bytes":
        return None
    spec = spec.strip()
    if "," in spec:
        return None
    first, dash, last = (s.strip() for s in spec.partition("-"))
    if not dash:
        return None
    if not first:
        if not _NUM.fullmatch(last):
            return None
        n = int(last)
        if n == 0 or size == 0:
            return UNSATISFIABLE
        return (max(0, size - n), size - 1)
    if not _NUM.fullmatch(first) or (last and not _NUM.fullmatch(last)):
        return None
    a = int(first)
    b = int(last) if last else size - 1
    if last and b < a:
        return None
    if a >= size:
        return UNSATISFIABLE
    return (a, min(b, size - 1))


def if_range_matches(value, etag, last_modified):
    """True when If-Range `value` still names this representation: a strong
    ETag that is equal (weak tags never match), or exactly the Last-Modified."""
    value = value.strip()
    if value.startswith("W/"):
        return False
    if value.startswith('"'):
        return etag is not None and not etag.startswith("W/") and value == etag
    if last_modified is None:
        return False
    try:
        return (email.utils.parsedate_to_datetime(value)
                == email.utils.parsedate_to_datetime(last_modified))
    except (TypeError, ValueError):
        return False
