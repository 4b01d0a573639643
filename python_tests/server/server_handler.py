"""HTTP side of the openbits test server: the request handler and the
threaded, loopback-only, bounded server around it."""

import base64
import email.utils
import fcntl
import http.server
import ipaddress
import json
import os
import select
import socket
import socketserver
import ssl
import struct
import sys
import termios
import threading
import time
import urllib.parse

try:
    from . import server_auth as A
    from . import server_behaviour as B
except ImportError:  # imported from the directory itself, or run as a script
    import server_auth as A
    import server_behaviour as B

CONTROL = "/_control/"
PIECE = 16384


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves content with the behaviour configured for its path, and the
    control API under /_control/."""

    protocol_version = "HTTP/1.1"
    server_version = "openbits-test/1"

    def version_string(self):
        return self.server_version

    # -- plumbing ---------------------------------------------------------

    def setup(self):
        self.timeout = self.server.idle_timeout
        self._record = None
        self._reset = False
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if self._reset:  # no FIN first: close with SO_LINGER 0 -> RST
                self.connection.close()

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("openbits-test-server: %s %s\n" % (self.address_string(), fmt % args))

    def parse_request(self):
        if not super().parse_request():
            return False
        if not self.server.admit():  # request budget used up
            self.close_connection = True
            return False
        return True

    def handle_one_request(self):
        self._record = None
        try:
            super().handle_one_request()
        finally:
            if self._record is not None:
                self.server.state.finished(self._record)
            if self.server.budget_used():
                self.close_connection = True
                self.server.request_stop("max-requests")

    def send_response(self, code, message=None):
        if self._record is not None:
            self.server.state.responded(self._record, code)
        super().send_response(code, message)

    def _wait(self, seconds):
        """Sleeps; True when the server is stopping."""
        return self.server.stopping.wait(seconds)

    # -- dispatch ---------------------------------------------------------

    def _split(self):
        raw, _, query = self.path.partition("?")
        if raw.startswith(("http://", "https://")):  # absolute-form target
            raw = "/" + raw.split("/", 3)[3] if raw.count("/") >= 3 else "/"
        return urllib.parse.unquote(raw), urllib.parse.parse_qs(query)

    def do_GET(self):
        path, query = self._split()
        if path.startswith(CONTROL) and self.server.control:
            return self._control("GET", path[len(CONTROL):], query)
        self._serve(path, head=False)

    def do_HEAD(self):
        path = self._split()[0]
        if path.startswith(CONTROL) and self.server.control:
            return self._reply(405, [("Allow", "GET, POST")], b"")
        self._serve(path, head=True)

    def do_POST(self):
        path, query = self._split()
        if path.startswith(CONTROL) and self.server.control:
            return self._control("POST", path[len(CONTROL):], query)
        self.close_connection = True  # the request body is not read
        self._reply(405, [("Allow", "GET, HEAD")], b"method not allowed\n")

    def _drain_request_body(self):
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ValueError("bad Content-Length") from None
        return self.rfile.read(n) if n > 0 else b""

    # -- control API ------------------------------------------------------

    def _control(self, method, route, query):
        state = self.server.state
        try:
            if method == "GET":
                if route == "stats":
                    path = query.get("path", [None])[0]
                    return self._json(200, state.stats(path))
                if route == "config":
                    return self._json(200, state.configs_snapshot())
                if route == "ping":
                    return self._json(200, {"ok": True, "pid": os.getpid(),
                                            "port": self.server.server_address[1],
                                            "handled": self.server.handled})
                return self._json(404, {"error": "unknown control GET %s" % route})
            try:
                data = json.loads(self._drain_request_body() or b"{}")
            except ValueError:
                raise ValueError("body is not JSON") from None
            if not isinstance(data, dict):
                raise ValueError("body must be a JSON object")
            return self._control_post(route, data)
        except ValueError as e:
            return self._json(400, {"error": str(e)})

    def _control_post(self, route, data):
        state = self.server.state
        path = data.pop("path", None)
        if route == "reset":
            state.reset(None if path is None else B.check_path(path))
            return self._json(200, {"ok": True})
        if route == "shutdown":
            self._json(200, {"ok": True})
            self.close_connection = True
            return self.server.request_stop("control")
        if route not in ("config", "content", "change"):
            return self._json(404, {"error": "unknown control POST %s" % route})
        B.check_path(path)
        spec = {k: data.pop(k) for k in B.CONTENT_KEYS if k in data}
        content = B.content_from_spec(spec)
        if route == "change":
            if data:
                raise ValueError("unknown keys for change: %s" % sorted(data))
            return self._json(200, {"ok": True, "content": state.change(path, content)})
        if route == "content":
            delete = data.pop("delete", False)
            if data:
                raise ValueError("unknown keys for content: %s" % sorted(data))
            if delete is True and content is None:
                return self._json(200, {"ok": True, "removed": state.remove_content(path)})
            if delete is not False or content is None:
                raise ValueError("content needs one of content_b64, text, size (or delete)")
            return self._json(200, {"ok": True, "content": state.set_content(path, content)})
        merge = data.pop("merge", False)
        if not isinstance(merge, bool):
            raise ValueError("merge: expected true/false")
        B.validate(data)  # reject before touching the content
        reply = {"ok": True}
        if content is not None:
            reply["content"] = state.set_content(path, content)
        reply["config"] = state.configure(path, data, merge)
        return self._json(200, reply)

    def _json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- serving ----------------------------------------------------------

    def _start(self, plan, status, headers):
        """Status line and the headers common to every answer of a path."""
        if plan.get("http10"):
            self.protocol_version = "HTTP/1.0"
            self.close_connection = True
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        for k, v in (plan.get("headers") or {}).items():
            self.send_header(k, v)
        if plan.get("huge_header"):
            self.send_header("X-Openbits-Padding", "a" * plan["huge_header"])
        if plan.get("close") or self.close_connection:
            self.send_header("Connection", "close")
            self.close_connection = True

    def _reply(self, status, headers, body, plan=None):
        plan = plan or {}
        self._start(plan, status, headers)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD" and status not in (204, 304):
            self._write_counted(body)

    def _write_counted(self, data):
        # Counted first, so the stats are never behind what a client has read.
        if self._record is not None:
            self.server.state.sent(self._record, len(data))
        self.wfile.write(data)

    def _serve(self, path, head):
        state = self.server.state
        plan, self._record = state.begin(path, self.command, self.headers,
                                         self.client_address[1])
        try:
            self._serve_plan(path, plan, head)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            self.close_connection = True

    def _serve_plan(self, path, plan, head):
        if plan.get("delay") and self._wait(plan["delay"]):
            self.close_connection = True
            return
        realm = plan.get("auth_realm", "openbits-test")
        if plan.get("proxy_auth"):
            challenge = A.basic(self.headers.get("Proxy-Authorization"), plan["proxy_auth"], realm)
            if challenge:
                return self._reply(407, [("Proxy-Authenticate", challenge)],
                                   b"proxy authentication required\n", plan)
        if plan.get("basic_auth"):
            challenge = A.basic(self.headers.get("Authorization"), plan["basic_auth"], realm)
        elif plan.get("digest_auth"):
            challenge = A.digest(self.headers.get("Authorization"), plan["digest_auth"], realm,
                                 self.command, self.server.digest_nonce)
        else:
            challenge = None
        if challenge:
            return self._reply(401, [("WWW-Authenticate", challenge)],
                               b"authentication required\n", plan)
        status = plan.get("status")
        if status not in B.NORMAL:
            return self._reply(status, self._retry_after(plan), self._body(plan), plan)
        if plan.get("redirect") is not None:
            location = plan["redirect"].replace("{base}", self.server.base_url)
            return self._reply(plan.get("redirect_status", 302), [("Location", location)],
                               b"", plan)
        content = self.server.state.resolve(path)
        if content is None:
            return self._reply(404, [], b"not found\n", plan)
        self._send_content(plan, content, head)

    @staticmethod
    def _body(plan):
        if plan.get("body_b64") is not None:
            return base64.b64decode(plan["body_b64"])
        return (plan.get("body") or "").encode()

    @staticmethod
    def _retry_after(plan):
        if plan.get("retry_after") is not None:
            return [("Retry-After", plan["retry_after"])]
        if plan.get("retry_after_date") is not None:
            when = time.time() + plan["retry_after_date"]
            return [("Retry-After", email.utils.formatdate(when, usegmt=True))]
        return []

    def _send_content(self, plan, content, head):
        data, size = content.data, len(content.data)
        etag = content.etag(plan.get("etag", "strong"))
        last_modified = content.last_modified if plan.get("last_modified", True) else None
        headers = [("Content-Type", plan.get("content_type", "application/octet-stream"))]
        if etag is not None:
            headers.append(("ETag", etag))
        if last_modified is not None:
            headers.append(("Last-Modified", last_modified))
        if plan.get("accept_ranges", not plan.get("ignore_range")):
            headers.append(("Accept-Ranges", "bytes"))

        rng, range_header = None, self.headers.get("Range")
        if range_header is not None and not plan.get("ignore_range"):
            rng = B.parse_range(range_header, size)
            if_range = self.headers.get("If-Range")
            if (rng is not None and if_range is not None and not plan.get("ignore_if_range")
                    and not B.if_range_matches(if_range, etag, last_modified)):
                rng = None  # RFC 9110 13.1.5: the representation changed, send it all
        if rng == B.UNSATISFIABLE:
            return self._reply(416, headers + [("Content-Range", "bytes */%d" % size)], b"", plan)

        status, body = 200, memoryview(data)
        if rng is not None:
            first, last = rng
            body = body[first:last + 1]
            if not plan.get("range_as_200"):
                status = 206
                shown = max(0, first + plan.get("wrong_content_range", 0))
                headers.append(("Content-Range", "bytes %d-%d/%d" % (shown, last, size)))

        chunked = plan.get("chunked", False) and self.request_version == "HTTP/1.1" \
            and not plan.get("http10")
        declared = None
        if not (plan.get("no_content_length") or plan.get("chunked")):
            declared = plan.get("content_length", len(body) + plan.get("content_length_delta", 0))
            headers.append(("Content-Length", str(max(0, declared))))
        if chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        elif declared is None or declared != len(body):
            self.close_connection = True  # close-delimited, or framing is a lie
        if any(plan.get(k) is not None for k in ("truncate_after", "reset_after")):
            self.close_connection = True
        self._start(plan, status, headers)
        self.end_headers()
        if not head:
            self._write_body(plan, body, chunked)

    def _write_body(self, plan, body, chunked):
        """Writes `body` with the path's faults: stall, rate, truncate, reset."""
        limit = len(body)
        for key in ("truncate_after", "reset_after"):
            if plan.get(key) is not None:
                limit = min(limit, plan[key])
        stall_at = plan.get("stall_after")
        rate = plan.get("rate")
        piece = max(1, min(PIECE, int(rate / 20))) if rate else PIECE
        started, sent = time.monotonic(), 0
        while True:
            if stall_at is not None and sent >= stall_at:
                stall_at = None
                if self._stall(plan.get("stall", 30.0)):
                    self.close_connection = True
                    return
            if sent >= limit:
                break
            n = min(piece, limit - sent)
            if stall_at is not None:
                n = min(n, stall_at - sent)
            chunk = body[sent:sent + n]
            if chunked:
                self.wfile.write(b"%x\r\n" % n)
            self._write_counted(chunk)
            if chunked:
                self.wfile.write(b"\r\n")
            sent += n
            if rate:
                ahead = started + sent / rate - time.monotonic()
                if ahead > 0 and self._wait(ahead):
                    self.close_connection = True
                    return
        if plan.get("reset_after") is not None:
            return self._abort()
        if chunked and sent == len(body) and plan.get("truncate_after") is None:
            self.wfile.write(b"0\r\n\r\n")

    def _stall(self, seconds):
        """Waits `seconds`, less if the client goes away or the server stops.
        True when the response should be abandoned."""
        deadline = time.monotonic() + seconds
        peek = socket.fromfd(self.connection.fileno(), self.connection.family, socket.SOCK_STREAM)
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                if self.server.stopping.is_set():
                    return True
                readable, _, _ = select.select([peek], [], [], min(left, 0.1))
                if readable:
                    try:
                        if peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                            return True  # client closed
                    except BlockingIOError:
                        pass
                    except OSError:
                        return True
                    self._wait(min(left, 0.1))  # data (pipelined request): keep waiting
        finally:
            peek.close()

    def _abort(self):
        """Resets the connection once what was written has left: RST, not FIN."""
        self.close_connection = True
        self._reset = True
        fd = self.connection.fileno()
        deadline = time.monotonic() + 2.0
        try:
            while time.monotonic() < deadline:
                queued = struct.unpack("i", fcntl.ioctl(fd, termios.TIOCOUTQ, b"\0" * 4))[0]
                if queued <= 0 or self._wait(0.005):
                    break
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """Threaded HTTP(S) server on a loopback address, stopping by itself
    after `max_requests` requests (0: no limit) or `lifetime` seconds
    (None: no limit)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host="127.0.0.1", port=0, *, root=None, state=None,
                 max_requests=10000, lifetime=600.0, tls_context=None,
                 idle_timeout=120.0, control=True, verbose=False):
        if not is_loopback(host):
            raise ValueError("the test server binds to loopback addresses only, not %r" % host)
        host = host.strip("[]")
        if host == "localhost":
            host = "127.0.0.1"
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.state = state if state is not None else B.State(root)
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.tls_context = tls_context
        self.idle_timeout = idle_timeout
        self.control = control
        self.verbose = verbose
        self.handled = 0
        self.digest_nonce = os.urandom(12).hex()
        self.stopping = threading.Event()
        self.exit_reason = None
        self._lock = threading.Lock()
        self._conns = set()
        self._timer = None
        super().__init__((host, port), Handler)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # no getfqdn(): no DNS here
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def port(self):
        return self.server_address[1]

    @property
    def root(self):
        """The served directory (resolved), or None."""
        return self.state.root

    @property
    def base_url(self):
        host = self.server_address[0]
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d" % ("https" if self.tls_context else "http", host, self.port)

    # -- bounds -----------------------------------------------------------

    def start_lifetime(self):
        if self.lifetime is not None and self._timer is None:
            self._timer = threading.Timer(self.lifetime, self.request_stop, ("lifetime",))
            self._timer.daemon = True
            self._timer.start()

    def admit(self):
        with self._lock:
            if self.stopping.is_set() or (self.max_requests and self.handled >= self.max_requests):
                return False
            self.handled += 1
            return True

    def budget_used(self):
        return bool(self.max_requests) and self.handled >= self.max_requests

    def request_stop(self, reason):
        """Stops serving (from any thread, a signal handler included)."""
        with self._lock:
            if self.stopping.is_set():
                return
            self.exit_reason = reason
            self.stopping.set()
        if self._timer is not None:
            self._timer.cancel()
        threading.Thread(target=self._stop_now, daemon=True).start()

    def _stop_now(self):
        self.shutdown()
        with self._lock:
            conns = list(self._conns)
        for c in conns:  # wake threads blocked reading idle keep-alive connections
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- connections ------------------------------------------------------

    def finish_request(self, request, client_address):
        if self.tls_context is not None:
            request.settimeout(10)
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (OSError, ValueError):
                return
        with self._lock:
            self._conns.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._lock:
                self._conns.discard(request)
            if self.tls_context is not None:
                self.shutdown_request(request)

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            super().handle_error(request, client_address)


def tls_context(cert, key):
    """A server-side SSLContext for a PEM certificate (chain) and key."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx
