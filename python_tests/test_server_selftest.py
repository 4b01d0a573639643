"""Self-test of the loopback test server (python_tests/server).

    /usr/bin/python3 -m pytest -q python_tests/test_server_selftest.py
"""

import base64
import email.utils
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

# The same import conftest.py uses: the server directory on sys.path.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "server"))

from openbits_test_server import (ControlClient, ControlError, SubprocessServer,  # noqa: E402
                                  TestServer, generate, make_tls_files, start_subprocess)
from server_behaviour import parse_range  # noqa: E402
from server_helpers import SCRIPT  # noqa: E402

A_SIZE = 100000
A_DATA = generate(A_SIZE, 1)
SMALL = b"hello, openbits\n"


# --------------------------------------------------------------------------
# fixtures and little clients

@pytest.fixture
def root(tmp_path):
    d = tmp_path / "www"
    d.mkdir()
    (d / "a.bin").write_bytes(A_DATA)
    (d / "small.txt").write_bytes(SMALL)
    (d / "sub").mkdir()
    return d


@pytest.fixture
def srv(root):
    with TestServer(root, lifetime=60) as s:
        yield s


def get(server, path, headers=None, method="GET", host="127.0.0.1"):
    """(status, headers, body) over a fresh http.client connection."""
    port = server if isinstance(server, int) else server.port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def raw(port, path, extra=b"", method=b"GET", host="127.0.0.1", timeout=10):
    """Sends one request with Connection: close; returns (head, body, error)
    where error is the exception that ended reading, if any."""
    s = socket.create_connection((host, port), timeout=timeout)
    s.sendall(b"%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n%s\r\n"
              % (method, path.encode(), extra))
    data, err = b"", None
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        err = e
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body, err


def header(head, name):
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return None


def no_proxy_opener(*handlers):
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)


def wait_until(pred, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


# --------------------------------------------------------------------------
# plain serving

def test_get_and_head_of_a_root_file(srv, root):
    status, h, body = get(srv, "/a.bin")
    assert status == 200 and body == A_DATA
    assert h["Content-Length"] == str(A_SIZE)
    assert h["ETag"].startswith('"') and h["ETag"].endswith('"')
    assert h["Accept-Ranges"] == "bytes"
    mtime = int(os.stat(root / "a.bin").st_mtime)
    assert h["Last-Modified"] == email.utils.formatdate(mtime, usegmt=True)
    status, h2, body = get(srv, "/a.bin", method="HEAD")
    assert status == 200 and body == b""
    assert h2["ETag"] == h["ETag"] and h2["Content-Length"] == str(A_SIZE)


def test_missing_directory_and_traversal_are_404(srv):
    assert get(srv, "/nope.bin")[0] == 404
    assert get(srv, "/sub")[0] == 404
    head, _, _ = raw(srv.port, "/../../etc/passwd")
    assert head.startswith("HTTP/1.1 404")
    head, _, _ = raw(srv.port, "/%2e%2e/%2e%2e/etc/passwd")
    assert head.startswith("HTTP/1.1 404")


def test_keep_alive_serves_several_requests_on_one_connection(srv):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    for _ in range(3):
        conn.request("GET", "/small.txt")
        r = conn.getresponse()
        assert r.status == 200 and r.read() == SMALL
    conn.close()
    assert srv.requests("/small.txt") == 3


def test_concurrent_requests(srv):
    results = []

    def one():
        results.append(get(srv, "/a.bin")[2] == A_DATA)

    threads = [threading.Thread(target=one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 12
    assert srv.stats["requests"]["/a.bin"] == 12
    assert srv.path_stats("/a.bin")["bytes_sent"] == 12 * A_SIZE


def test_in_memory_content(srv):
    info = srv.set_content("/mem.txt", text="in memory")
    assert get(srv, "/mem.txt")[2] == b"in memory"
    assert info["size"] == 9 and info["etag"].startswith('"')
    srv.set_content("/gen.bin", size=5000, seed=7)
    assert get(srv, "/gen.bin")[2] == generate(5000, 7)
    srv.set_content("/fast.bin", size=5000, seed=7, generator="fast")
    assert get(srv, "/fast.bin")[2] == generate(5000, 7, "fast") != generate(5000, 7)
    srv.set_content("/bytes.bin", b"\x00\x01\x02")
    assert get(srv, "/bytes.bin")[2] == b"\x00\x01\x02"
    # in-memory content overrides a root file of the same path
    srv.set_content("/small.txt", text="override")
    assert get(srv, "/small.txt")[2] == b"override"
    assert srv.remove_content("/small.txt")
    assert get(srv, "/small.txt")[2] == SMALL


def test_generator_matches_the_c_helper():
    """Same xorshift32 as ts_write_file() in tests/http_server.c."""
    def reference(size, seed):
        x = (seed * 2654435761 + 1) % 2**32
        out = []
        for _ in range(size):
            x ^= (x << 13) % 2**32
            x ^= x >> 17
            x ^= (x << 5) % 2**32
            out.append(x % 256)
        return bytes(out)
    assert generate(1000, 1) == reference(1000, 1)
    assert generate(8, 1) == bytes([114, 53, 84, 134, 88, 200, 111, 108])
    assert generate(0, 5) == b""


def test_validator_options(srv):
    srv.configure("/a.bin", etag="weak")
    assert get(srv, "/a.bin")[1]["ETag"].startswith('W/"')
    srv.configure("/a.bin", etag="none", last_modified=False)
    _, h, body = get(srv, "/a.bin")
    assert "ETag" not in h and "Last-Modified" not in h and body == A_DATA
    srv.configure("/a.bin", accept_ranges=False, content_type="text/x-test",
                  headers={"X-Extra": "yes"}, close=True)
    _, h, _ = get(srv, "/a.bin")
    assert "Accept-Ranges" not in h and h["Content-Type"] == "text/x-test"
    assert h["X-Extra"] == "yes" and h["Connection"] == "close"


# --------------------------------------------------------------------------
# Range and If-Range

@pytest.mark.parametrize("value,first,last", [
    ("bytes=10-19", 10, 19),
    ("bytes=99990-", 99990, A_SIZE - 1),
    ("bytes=-5", A_SIZE - 5, A_SIZE - 1),
    ("bytes=-200000", 0, A_SIZE - 1),
    ("bytes=99000-999999", 99000, A_SIZE - 1),
    ("bytes = 0-0", 0, 0),
])
def test_single_ranges_are_206(srv, value, first, last):
    status, h, body = get(srv, "/a.bin", {"Range": value})
    assert status == 206
    assert h["Content-Range"] == "bytes %d-%d/%d" % (first, last, A_SIZE)
    assert body == A_DATA[first:last + 1]
    assert h["Content-Length"] == str(last - first + 1)


@pytest.mark.parametrize("value", ["bytes=%d-" % A_SIZE, "bytes=200000-300000", "bytes=-0"])
def test_unsatisfiable_ranges_are_416(srv, value):
    status, h, body = get(srv, "/a.bin", {"Range": value})
    assert status == 416 and body == b""
    assert h["Content-Range"] == "bytes */%d" % A_SIZE


@pytest.mark.parametrize("value", ["bytes=5-2", "bytes=0-1,5-6", "items=0-1", "bytes=x-",
                                   "bytes=1"])
def test_unusable_ranges_are_ignored(srv, value):
    status, h, body = get(srv, "/a.bin", {"Range": value})
    assert status == 200 and body == A_DATA and "Content-Range" not in h


def test_range_on_empty_content_is_416(srv):
    srv.set_content("/empty", b"")
    status, h, _ = get(srv, "/empty", {"Range": "bytes=0-"})
    assert status == 416 and h["Content-Range"] == "bytes */0"
    assert get(srv, "/empty")[0] == 200


def test_parse_range_unit():
    assert parse_range("bytes=0-", 10) == (0, 9)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=10-", 10) == "unsatisfiable"
    assert parse_range("bytes=3-1", 10) is None


def test_head_with_range(srv):
    status, h, body = get(srv, "/a.bin", {"Range": "bytes=0-99"}, method="HEAD")
    assert status == 206 and body == b"" and h["Content-Range"] == "bytes 0-99/%d" % A_SIZE


def test_if_range(srv):
    _, h, _ = get(srv, "/a.bin")
    etag, lm = h["ETag"], h["Last-Modified"]
    rng = {"Range": "bytes=100-199"}
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": etag}))[0] == 206
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": lm}))[0] == 206
    status, _, body = get(srv, "/a.bin", dict(rng, **{"If-Range": '"other"'}))
    assert status == 200 and body == A_DATA
    old = email.utils.formatdate(time.time() - 86400, usegmt=True)
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": old}))[0] == 200
    # weak tags never match (RFC 9110 13.1.5)
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": "W/" + etag}))[0] == 200
    srv.configure("/a.bin", etag="weak")
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": "W/" + etag}))[0] == 200
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": etag}))[0] == 200
    srv.configure("/a.bin", last_modified=False)
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": lm}))[0] == 200
    srv.configure("/a.bin", ignore_if_range=True)
    assert get(srv, "/a.bin", dict(rng, **{"If-Range": '"other"'}))[0] == 206


def test_ignore_range(srv):
    srv.configure("/a.bin", ignore_range=True)
    status, h, body = get(srv, "/a.bin", {"Range": "bytes=10-19"})
    assert status == 200 and body == A_DATA
    assert "Content-Range" not in h and "Accept-Ranges" not in h


def test_range_as_200(srv):
    srv.configure("/a.bin", range_as_200=True)
    status, h, body = get(srv, "/a.bin", {"Range": "bytes=10-19"})
    assert status == 200 and body == A_DATA[10:20]
    assert "Content-Range" not in h and h["Content-Length"] == "10"


def test_wrong_content_range(srv):
    srv.configure("/a.bin", wrong_content_range=True)
    status, h, body = get(srv, "/a.bin", {"Range": "bytes=1000-"})
    assert status == 206 and h["Content-Range"] == "bytes 1001-%d/%d" % (A_SIZE - 1, A_SIZE)
    assert body == A_DATA[1000:]
    srv.configure("/a.bin", wrong_content_range=-500)
    _, h, _ = get(srv, "/a.bin", {"Range": "bytes=1000-1999"})
    assert h["Content-Range"] == "bytes 500-1999/%d" % A_SIZE


# --------------------------------------------------------------------------
# framing

def test_wrong_content_length(srv):
    srv.configure("/a.bin", content_length_delta=10)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", "/a.bin")
    r = conn.getresponse()
    assert r.headers["Content-Length"] == str(A_SIZE + 10)
    with pytest.raises(http.client.IncompleteRead) as e:
        r.read()
    assert e.value.partial == A_DATA
    conn.close()
    srv.configure("/a.bin", content_length=50)
    head, body, err = raw(srv.port, "/a.bin")
    assert header(head, "Content-Length") == "50" and body == A_DATA and err is None
    status, _, body = get(srv, "/a.bin")
    assert status == 200 and body == A_DATA[:50]


def test_no_content_length_is_close_delimited(srv):
    srv.configure("/a.bin", no_content_length=True)
    head, body, err = raw(srv.port, "/a.bin")
    assert head.startswith("HTTP/1.1 200") and err is None
    assert header(head, "Content-Length") is None and header(head, "Transfer-Encoding") is None
    assert header(head, "Connection") == "close" and body == A_DATA
    assert get(srv, "/a.bin")[2] == A_DATA
    srv.configure("/a.bin", no_content_length=True, http10=True)
    head, body, _ = raw(srv.port, "/a.bin")
    assert head.startswith("HTTP/1.0 200") and body == A_DATA


def test_chunked(srv):
    srv.configure("/a.bin", chunked=True)
    head, body, _ = raw(srv.port, "/a.bin")
    assert header(head, "Transfer-Encoding") == "chunked"
    assert header(head, "Content-Length") is None
    assert body.endswith(b"0\r\n\r\n") and body != A_DATA
    status, _, body = get(srv, "/a.bin")
    assert status == 200 and body == A_DATA
    status, _, body = get(srv, "/a.bin", {"Range": "bytes=10-"})
    assert status == 206 and body == A_DATA[10:]


# --------------------------------------------------------------------------
# statuses, redirects, auth, headers

def test_status_with_retry_after_and_body(srv):
    srv.configure("/a.bin", status=503, retry_after=7, body="busy")
    status, h, body = get(srv, "/a.bin")
    assert status == 503 and h["Retry-After"] == "7" and body == b"busy"
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    srv.configure("/a.bin", status=429, retry_after=date)
    assert get(srv, "/a.bin")[1]["Retry-After"] == date
    srv.configure("/a.bin", status=503, retry_after_date=30)
    when = email.utils.parsedate_to_datetime(get(srv, "/a.bin")[1]["Retry-After"])
    assert 25 < when.timestamp() - time.time() <= 31
    srv.configure("/missing.bin", status=500, body_b64=base64.b64encode(b"\x00x").decode())
    assert get(srv, "/missing.bin")[:3:2] == (500, b"\x00x")
    srv.configure("/a.bin", status=204)
    status, h, body = get(srv, "/a.bin")
    assert status == 204 and body == b""


def test_status_sequence(srv):
    srv.configure("/a.bin", statuses=[503, 429, 200, 500], retry_after=2)
    got = [get(srv, "/a.bin") for _ in range(5)]
    assert [g[0] for g in got] == [503, 429, 200, 500, 200]
    assert got[0][1]["Retry-After"] == "2" and got[1][1]["Retry-After"] == "2"
    assert got[2][2] == A_DATA and got[4][2] == A_DATA
    assert srv.path_stats("/a.bin")["statuses"] == [503, 429, 200, 500, 200]


def test_times_limits_a_configuration(srv):
    srv.configure("/a.bin", truncate_after=10, times=1)
    with pytest.raises(http.client.IncompleteRead):
        get(srv, "/a.bin")
    assert get(srv, "/a.bin")[2] == A_DATA
    assert "/a.bin" not in srv.state.configs_snapshot()["paths"]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_statuses(srv, code):
    srv.configure("/r", redirect="{base}/small.txt", redirect_status=code)
    status, h, _ = get(srv, "/r")
    assert status == code and h["Location"] == srv.url("/small.txt")
    with no_proxy_opener().open(srv.url("/r"), timeout=5) as r:
        assert r.read() == SMALL


def test_redirect_loop_and_file_scheme(srv):
    srv.configure("/loop1", redirect="/loop2")
    srv.configure("/loop2", redirect="/loop1", redirect_status=307)
    with pytest.raises(urllib.error.HTTPError) as e:
        no_proxy_opener().open(srv.url("/loop1"), timeout=5)
    assert e.value.code in (302, 307)
    assert srv.requests("/loop1") >= 2 and srv.requests("/loop2") >= 2
    srv.configure("/tofile", redirect="file:///etc/passwd", redirect_status=302)
    status, h, _ = get(srv, "/tofile")
    assert status == 302 and h["Location"] == "file:///etc/passwd"


def test_huge_header(srv):
    srv.configure("/a.bin", huge_header=65536)
    head, body, _ = raw(srv.port, "/a.bin")
    assert len(header(head, "X-Openbits-Padding")) == 65536 and body == A_DATA


def test_basic_auth(srv):
    srv.configure("/a.bin", basic_auth=["alice", "s3cret"])
    status, h, _ = get(srv, "/a.bin")
    assert status == 401 and h["WWW-Authenticate"] == 'Basic realm="openbits-test"'
    bad = "Basic " + base64.b64encode(b"alice:wrong").decode()
    assert get(srv, "/a.bin", {"Authorization": bad})[0] == 401
    good = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    status, _, body = get(srv, "/a.bin", {"Authorization": good})
    assert status == 200 and body == A_DATA
    assert srv.path_stats("/a.bin")["last_headers"]["Authorization"] == good


def test_digest_auth(srv):
    srv.configure("/a.bin", digest_auth=["alice", "s3cret"])
    status, h, _ = get(srv, "/a.bin")
    assert status == 401 and h["WWW-Authenticate"].startswith('Digest realm="openbits-test"')
    url = "http://127.0.0.1:%d/a.bin" % srv.port
    for password, expect in (("wrong", 401), ("s3cret", 200)):
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, "alice", password)
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(mgr))
        try:  # the standard library's own Digest client
            with opener.open(url, timeout=10) as r:
                assert (r.status, r.read()) == (expect, A_DATA)
        except urllib.error.HTTPError as e:
            assert e.code == expect
            e.close()


def test_proxy_auth(srv):
    srv.configure("/a.bin", proxy_auth=["bob", "pw"])
    status, h, _ = get(srv, "/a.bin")
    assert status == 407 and h["Proxy-Authenticate"] == 'Basic realm="openbits-test"'
    good = "Basic " + base64.b64encode(b"bob:pw").decode()
    assert get(srv, "/a.bin", {"Proxy-Authorization": good})[:3:2] == (200, A_DATA)


def test_request_headers_are_recorded(srv):
    get(srv, "/small.txt", {"X-Openbits-Test": "42", "Range": "bytes=0-1",
                            "If-Range": '"abc"'})
    ps = srv.path_stats("/small.txt")
    assert ps["last_headers"]["X-Openbits-Test"] == "42"
    assert ps["ranges"] == ["bytes=0-1"] and ps["if_ranges"] == ['"abc"']
    assert wait_until(lambda: srv.stats["log"][-1]["done"])
    entry = srv.stats["log"][-1]
    assert entry["method"] == "GET" and entry["range"] == "bytes=0-1"
    assert entry["if_range"] == '"abc"' and entry["status"] == 200


def test_log_names_the_connection(srv):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        for _ in range(2):
            conn.request("GET", "/small.txt")
            conn.getresponse().read()
    finally:
        conn.close()
    get(srv, "/small.txt")  # a connection of its own
    assert wait_until(lambda: len(srv.stats["log"]) == 3 and srv.stats["log"][-1]["done"])
    peers = [e["peer"] for e in srv.stats["log"]]
    assert peers[0] == peers[1] != peers[2]


# --------------------------------------------------------------------------
# timing and broken bodies

def test_delay_before_headers(srv):
    srv.configure("/small.txt", delay=0.3)
    t = time.monotonic()
    assert get(srv, "/small.txt")[2] == SMALL
    assert time.monotonic() - t >= 0.3


def test_stall_then_continue(srv):
    srv.configure("/a.bin", stall_after=1000, stall=0.4)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", "/a.bin")
    r = conn.getresponse()
    t = time.monotonic()
    first = r.read(1000)
    assert first == A_DATA[:1000] and time.monotonic() - t < 0.3
    rest = r.read()
    assert time.monotonic() - t >= 0.35 and first + rest == A_DATA
    conn.close()


def test_stall_ends_when_the_client_leaves(srv):
    srv.configure("/a.bin", stall_after=100, stall=30)
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.sendall(b"GET /a.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while len(data.partition(b"\r\n\r\n")[2]) < 100:
        data += s.recv(4096)
    s.close()
    assert wait_until(lambda: srv.stats["log"][-1]["done"], 3)
    assert srv.path_stats("/a.bin")["bytes_sent"] == 100


def test_stop_interrupts_a_stalled_response(root):
    s = TestServer(root).start()
    s.configure("/a.bin", stall_after=10, stall=30)
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    sock.sendall(b"GET /a.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.recv(100)
    t = time.monotonic()
    s.stop()
    assert time.monotonic() - t < 2 and s.exit_reason == "stopped"
    sock.close()


def test_rate_limit(srv):
    srv.set_content("/slow.bin", size=20000, seed=3, generator="fast")
    srv.configure("/slow.bin", rate=40000)
    t = time.monotonic()
    assert get(srv, "/slow.bin")[2] == generate(20000, 3, "fast")
    assert 0.4 <= time.monotonic() - t < 3


def test_reset_mid_body_is_a_connection_reset(srv):
    srv.configure("/a.bin", reset_after=5000)
    head, body, err = raw(srv.port, "/a.bin")
    assert head.startswith("HTTP/1.1 200")
    assert header(head, "Content-Length") == str(A_SIZE)
    assert isinstance(err, ConnectionResetError)
    assert body == A_DATA[:5000]
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        get(srv, "/a.bin")


def test_truncate_is_a_clean_close_before_the_end(srv):
    srv.configure("/a.bin", truncate_after=1000)
    head, body, err = raw(srv.port, "/a.bin")
    assert header(head, "Content-Length") == str(A_SIZE)
    assert err is None and body == A_DATA[:1000]
    with pytest.raises(http.client.IncompleteRead) as e:
        get(srv, "/a.bin")
    assert e.value.partial == A_DATA[:1000]
    srv.configure("/a.bin", truncate_after=1000, chunked=True)
    with pytest.raises(http.client.IncompleteRead):
        get(srv, "/a.bin")


# --------------------------------------------------------------------------
# content that changes

def test_change_content(srv):
    _, h1, _ = get(srv, "/a.bin")
    info = srv.change("/a.bin")
    _, h2, body = get(srv, "/a.bin")
    assert len(body) == A_SIZE and body != A_DATA
    assert h2["ETag"] != h1["ETag"] and h2["ETag"] == info["etag"]
    t1 = email.utils.parsedate_to_datetime(h1["Last-Modified"])
    t2 = email.utils.parsedate_to_datetime(h2["Last-Modified"])
    assert t2 > t1
    # a resume with the old validator gets the whole new representation
    status, _, full = get(srv, "/a.bin", {"Range": "bytes=500-", "If-Range": h1["ETag"]})
    assert status == 200 and full == body
    status, _, part = get(srv, "/a.bin", {"Range": "bytes=500-", "If-Range": h2["ETag"]})
    assert status == 206 and part == body[500:]
    srv.change("/a.bin", text="entirely new")
    assert get(srv, "/a.bin")[2] == b"entirely new"


def test_change_after_requests(srv):
    srv.configure("/a.bin", change_after_requests=2)
    tags = [get(srv, "/a.bin")[1]["ETag"] for _ in range(4)]
    assert tags[0] == tags[1] != tags[2] == tags[3]


def test_root_file_changed_on_disk(srv, root):
    tag = get(srv, "/small.txt")[1]["ETag"]
    (root / "small.txt").write_bytes(b"HELLO, OPENBITS\n")
    _, h, body = get(srv, "/small.txt")
    assert body == b"HELLO, OPENBITS\n" and h["ETag"] != tag


# --------------------------------------------------------------------------
# stats and the control API over HTTP

def test_stats_and_reset(srv):
    get(srv, "/a.bin", {"Range": "bytes=0-9"})
    get(srv, "/a.bin", method="HEAD")
    get(srv, "/small.txt")
    st = srv.stats
    assert st["total_requests"] == 3
    assert st["requests"] == {"/a.bin": 2, "/small.txt": 1}
    a = st["paths"]["/a.bin"]
    assert a["methods"] == {"GET": 1, "HEAD": 1} and a["bytes_sent"] == 10
    assert a["ranges"] == ["bytes=0-9", None] and a["statuses"] == [206, 200]
    assert [e["seq"] for e in st["log"]] == [1, 2, 3]
    srv.reset("/a.bin")
    assert srv.stats["requests"] == {"/small.txt": 1}
    srv.reset()
    assert srv.stats == {"total_requests": 0, "requests": {}, "paths": {}, "log": []}
    assert srv.path_stats("/never")["requests"] == 0


def test_control_api_over_http(srv):
    c = ControlClient(srv.base_url)
    assert c.ping()["ok"]
    cfg = c.configure("/a.bin", statuses=[503], retry_after=1)
    assert cfg["statuses_left"] == [503]
    cfg = c.configure("/a.bin", merge=True, etag="weak")
    assert cfg["etag"] == "weak" and cfg["retry_after"] == "1"
    assert get(srv, "/a.bin")[0] == 503
    assert get(srv, "/a.bin")[1]["ETag"].startswith("W/")
    assert c.call("GET", "config")["paths"]["/a.bin"]["requests_seen"] == 2
    info = c.set_content("/m.bin", size=1000, seed=9)
    assert info["size"] == 1000 and get(srv, "/m.bin")[2] == generate(1000, 9)
    c.set_content("/m.bin", b"raw bytes")
    assert get(srv, "/m.bin")[2] == b"raw bytes"
    new = c.change("/m.bin")
    assert get(srv, "/m.bin")[1]["ETag"] == new["etag"]
    assert c.remove_content("/m.bin") and get(srv, "/m.bin")[0] == 404
    # content keys are accepted by config too (and replace the behaviour)
    body = c.call("POST", "config", {"path": "/n.txt", "text": "hi", "chunked": True})
    assert body["content"]["size"] == 2 and get(srv, "/n.txt")[2] == b"hi"
    assert c.requests("/a.bin") == 2 and c.stats["requests"]["/a.bin"] == 2
    assert c.path_stats("/a.bin")["statuses"] == [503, 200]
    c.reset()
    assert c.stats["total_requests"] == 0 and get(srv, "/a.bin")[1]["ETag"][0] == '"'


@pytest.mark.parametrize("route,body,code", [
    ("config", {"path": "/a", "bogus": 1}, 400),
    ("config", {"path": "/a", "statuses": [99]}, 400),
    ("config", {"path": "/a", "delay": "x"}, 400),
    ("config", {"statuses": [503]}, 400),
    ("config", {"path": "/_control/x"}, 400),
    ("content", {"path": "/a"}, 400),
    ("content", {"path": "/a", "text": "x", "size": 3}, 400),
    ("change", {"path": "/missing"}, 400),
    ("nonsense", {}, 404),
])
def test_control_errors(srv, route, body, code):
    with pytest.raises(ControlError) as e:
        ControlClient(srv.base_url).call("POST", route, body)
    assert e.value.status == code and "error" in json.loads(e.value.body)


def test_control_rejects_bad_json(srv):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("POST", "/_control/config", body=b"{not json")
    r = conn.getresponse()
    assert r.status == 400 and b"JSON" in r.read()
    conn.close()
    with pytest.raises(ValueError):
        srv.configure("/a.bin", no_such_key=True)


def test_control_requests_are_not_path_stats(srv):
    ControlClient(srv.base_url).ping()
    assert srv.stats["total_requests"] == 0


# --------------------------------------------------------------------------
# bounds

# The request budgets are counted on 127.0.0.2: the C tests that run at the
# same time (ctest -j) make jobs retry connections to 127.0.0.1 ports whose
# server they stopped, and when such a port is reused by the server here, a
# stray request would use up its budget.
BUDGET_HOST = "127.0.0.2"


def test_request_budget_in_process(root):
    s = TestServer(root, host=BUDGET_HOST, max_requests=3).start()
    try:
        for _ in range(3):
            assert get(s, "/small.txt", host=BUDGET_HOST)[0] == 200
        assert s.wait_stopped(3) and s.exit_reason == "max-requests"
    finally:
        s.stop()


def test_request_budget_on_one_connection(root):
    s = TestServer(root, host=BUDGET_HOST, max_requests=2).start()
    try:
        conn = http.client.HTTPConnection(BUDGET_HOST, s.port, timeout=5)
        conn.request("GET", "/small.txt")
        assert conn.getresponse().read() == SMALL
        conn.request("GET", "/small.txt")
        r = conn.getresponse()
        assert r.read() == SMALL
        assert s.wait_stopped(3)
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            conn.request("GET", "/small.txt")
            conn.getresponse()
        conn.close()
    finally:
        s.stop()


def test_lifetime_in_process(root):
    t = time.monotonic()
    s = TestServer(root, lifetime=0.3).start()
    try:
        assert s.wait_stopped(3) and s.exit_reason == "lifetime"
        assert time.monotonic() - t >= 0.3
    finally:
        s.stop()


def test_only_loopback(root):
    with pytest.raises(ValueError):
        TestServer(root, host="0.0.0.0")
    r = subprocess.run([sys.executable, SCRIPT, "--bind", "0.0.0.0", "--port", "0"],
                       capture_output=True)
    assert r.returncode == 2 and b"loopback" in r.stderr


def test_ipv6_loopback(root):
    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
    except OSError:
        pytest.skip("no ::1 here")
    with TestServer(root, host="::1") as s:
        assert s.base_url.startswith("http://[::1]:")
        head, body, _ = raw(s.port, "/small.txt", host="::1")
        assert head.startswith("HTTP/1.1 200") and body == SMALL


# --------------------------------------------------------------------------
# subprocess mode (as the C tests use it)

def test_subprocess_like_the_c_tests(root, tmp_path):
    port_file = tmp_path / "port"
    p = subprocess.Popen(["/usr/bin/python3", SCRIPT, "--port", "0", "--root", str(root),
                          "--port-file", str(port_file), "--lifetime", "300"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_until(port_file.exists, 10)
        text = port_file.read_text()
        port = int(text)
        assert text == "%d\n" % port
        assert sorted(os.listdir(tmp_path)) == ["port", "www"]  # no temporary file left
        c = ControlClient("http://127.0.0.1:%d" % port)
        # the JSON bodies tests/test_engine.c sends
        for body in ('{"path": "/a.bin", "statuses": [503], "retry_after": 1}',
                     '{"path": "/b.bin", "truncate_after": 300000, "times": 1}',
                     '{"path": "/c.bin", "redirect": "file:///etc/passwd", '
                     '"redirect_status": 302}',
                     '{"path": "/d.bin", "basic_auth": ["alice", "s3cret"]}',
                     '{"path": "/e.bin", "ignore_range": true}',
                     '{"path": "/f.bin", "wrong_content_range": true}',
                     '{"path": "/g.bin", "no_content_length": true}'):
            c.call("POST", "config", json.loads(body))
        assert get(port, "/a.bin")[0] == 503
        status, _, body = get(port, "/a.bin", {"Range": "bytes=10-", "If-Range": '"x"',
                                            "X-Openbits-Test": "1"})
        assert status == 200 and body == A_DATA
        stats = json.dumps(c.stats)
        assert "bytes=" in stats and "If-Range" in stats and "X-Openbits-Test" in stats
        c.reset()
        assert c.stats["total_requests"] == 0
        t = time.monotonic()
        p.send_signal(signal.SIGTERM)
        assert p.wait(5) == 0 and time.monotonic() - t < 2
        out, err = p.communicate()
        assert out == b"" and err == b""
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_subprocess_helper_and_sigint(root):
    with SubprocessServer(root) as s:
        assert get(s, "/small.txt")[2] == SMALL
        s.configure("/small.txt", status=418)
        assert get(s, "/small.txt")[0] == 418
        assert s.requests("/small.txt") == 2
        s.proc.send_signal(signal.SIGINT)
        assert s.wait(5) == 0


def test_subprocess_request_budget(root):
    s = start_subprocess(root, bind=BUDGET_HOST, max_requests=2)
    try:
        assert get(s, "/small.txt", host=BUDGET_HOST)[0] == 200
        assert get(s, "/a.bin", host=BUDGET_HOST)[2] == A_DATA
        assert s.wait(5) == 0
    finally:
        s.stop()


def test_subprocess_lifetime(root):
    t = time.monotonic()
    s = start_subprocess(root, lifetime=0.5)
    try:
        assert s.wait(5) == 0 and time.monotonic() - t >= 0.5
    finally:
        s.stop()


def test_subprocess_control_shutdown_and_config_file(root, tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps([{"path": "/gen.bin", "size": 300, "seed": 2},
                               {"path": "/small.txt", "status": 503}]))
    with start_subprocess(None, extra_args=["--config", str(cfg)]) as s:
        assert get(s, "/gen.bin")[2] == generate(300, 2)
        assert get(s, "/small.txt")[0] == 503
        s.shutdown()
        assert s.wait(5) == 0


def _orphan(tmp_path, *extra, env=None):
    """Starts the server from a shell that exits at once; returns its port."""
    port_file = tmp_path / "orphan.port"
    cmd = " ".join(["exec", "/usr/bin/python3", SCRIPT, "--port", "0", "--lifetime", "20",
                    "--port-file", str(port_file), *extra])
    wait = "while [ ! -s %s ]; do sleep 0.05; done" % port_file  # then the shell exits
    subprocess.run(["/bin/sh", "-c", "%s </dev/null >/dev/null 2>&1 & %s" % (cmd, wait)],
                   check=True, timeout=10, env=env)
    return int(port_file.read_text())


def _refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True
    except (ConnectionResetError, socket.timeout):
        return False  # the listener is closing right now: look again


def test_subprocess_exits_with_its_parent(tmp_path):
    port = _orphan(tmp_path)
    assert wait_until(lambda: _refused(port), 5)


def test_subprocess_notices_a_parent_gone_before_it_watches(tmp_path):
    # Regression: the parent used to be read after the port file was written;
    # a starter that left in between handed the server to a reaper it took
    # for its parent, and it ran out its whole lifetime. The server is held
    # after writing its port file until the starting shell has exited.
    hold = tmp_path / "hold"
    env = dict(os.environ, OPENBITS_TEST_SERVER_HOLD_FILE=str(hold))
    port = _orphan(tmp_path, env=env)  # returns once the shell has exited
    hold.touch()
    assert wait_until(lambda: _refused(port), 5)


def test_no_parent_watch_keeps_running(tmp_path):
    port = _orphan(tmp_path, "--no-parent-watch")
    time.sleep(0.5)
    c = ControlClient("http://127.0.0.1:%d" % port)
    assert c.ping()["ok"]
    c.shutdown()
    assert wait_until(lambda: _refused(port), 5)


# --------------------------------------------------------------------------
# HTTPS

@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls_files(tmp_path_factory.mktemp("tls"))


def test_https_in_process(root, tls):
    with TestServer(root, tls_cert=tls["cert"], tls_key=tls["key"]) as s:
        assert s.base_url.startswith("https://127.0.0.1:")
        ctx = ssl.create_default_context(cafile=tls["ca_cert"])
        opener = no_proxy_opener(urllib.request.HTTPSHandler(context=ctx))
        with opener.open(s.url("/a.bin"), timeout=5) as r:
            assert r.status == 200 and r.read() == A_DATA
        req = urllib.request.Request(s.url("/a.bin"), headers={"Range": "bytes=0-9"})
        with opener.open(req, timeout=5) as r:
            assert r.status == 206 and r.read() == A_DATA[:10]
        # an untrusting client fails the handshake; the server carries on
        with pytest.raises(urllib.error.URLError):
            no_proxy_opener(urllib.request.HTTPSHandler(
                context=ssl.create_default_context())).open(s.url("/a.bin"), timeout=5)
        s.configure("/a.bin", reset_after=1000)
        with pytest.raises((ConnectionResetError, http.client.IncompleteRead, ssl.SSLError)):
            opener.open(s.url("/a.bin"), timeout=5).read()
        assert s.requests("/a.bin") == 3


def test_https_subprocess(root, tls):
    with SubprocessServer(root, tls_cert=tls["cert"], tls_key=tls["key"],
                          ca_file=tls["ca_cert"]) as s:
        assert s.base_url.startswith("https://")
        s.configure("/small.txt", headers={"X-TLS": "1"})
        ctx = ssl.create_default_context(cafile=tls["ca_cert"])
        with no_proxy_opener(urllib.request.HTTPSHandler(context=ctx)).open(
                s.url("/small.txt"), timeout=5) as r:
            assert r.read() == SMALL and r.headers["X-TLS"] == "1"
        assert s.requests("/small.txt") == 1
