#!/usr/bin/python3
"""Loopback HTTP server for the openbits tests (C tests and pytest).

Serves the files of a directory with strong ETags and Last-Modified,
single byte ranges and If-Range, and misbehaves on request, per path, as
configured through a small control API:

  POST /_control/config  {"path": "/a.bin", <behaviour keys>}   add/replace
  POST /_control/reset   {}                                      forget all
  GET  /_control/stats                                           JSON counters

Behaviour keys (all optional):
  statuses: [503, ...]     answer these statuses first, one per request
  retry_after: N           Retry-After seconds sent with those statuses
  ignore_range: true       always answer 200 with the whole file
  wrong_content_range: true  a 206 whose range starts 1 byte late
  truncate_after: N        declare the full length, close after N bytes
  times: N                 apply truncate_after to the first N requests only
  no_content_length: true  no Content-Length; close-delimited body
  redirect: URL            answer redirect_status (302) with Location: URL
  basic_auth: [user, pw]   require Basic credentials (401 otherwise)
  delay: S                 wait S seconds before answering
  stall_after: N           send N body bytes, then stall for stall (s)
  rate: B                  at most B body bytes per second

Stats: {"requests": {path: count}, "log": [{"path", "method", "range",
"if_range", "headers"}...]} (the last 200 requests).

Started as a program: --port 0 --port-file F --root DIR [--lifetime S]
[--max-requests N] [--bind ADDR]; it exits by itself after the lifetime or
the request budget, and on SIGTERM/SIGINT. Loopback only.
"""

import argparse
import base64
import email.utils
import hashlib
import http.server
import json
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time


class Behaviours:
    """Per-path behaviour and counters, shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.config = {}
            self.requests = {}
            self.log = []

    def set(self, path, keys):
        with self.lock:
            self.config[path] = dict(keys)

    def take(self, path, method, headers):
        """Counts a request and returns its behaviour (consuming statuses)."""
        with self.lock:
            n = self.requests.get(path, 0)
            self.requests[path] = n + 1
            self.log.append({
                "path": path, "method": method,
                "range": headers.get("Range"), "if_range": headers.get("If-Range"),
                "headers": dict(headers.items()),
            })
            del self.log[:-200]
            cfg = self.config.get(path, {})
            result = dict(cfg)
            statuses = cfg.get("statuses") or []
            result["status"] = statuses[0] if statuses else None
            if statuses:
                cfg["statuses"] = statuses[1:]
            times = cfg.get("times")
            if times is not None:
                if times <= 0:
                    result.pop("truncate_after", None)
                cfg["times"] = times - 1
            return result

    def stats(self):
        with self.lock:
            return {"requests": dict(self.requests), "log": list(self.log)}


def parse_range(value, size):
    """One byte range of a Range header -> (first, last), or None when the
    header is unusable, or "unsatisfiable"."""
    if not value or not value.startswith("bytes=") or "," in value:
        return None
    spec = value[6:].strip()
    first, _, last = spec.partition("-")
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return "unsatisfiable"
            return (max(0, size - n), size - 1)
        a = int(first)
        b = int(last) if last else size - 1
    except ValueError:
        return None
    if a >= size:
        return "unsatisfiable"
    return (a, min(b, size - 1))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openbits-test"

    def log_message(self, fmt, *args):  # quiet
        pass

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        if self.path.startswith("/_control/"):
            return self.control_get()
        self.serve(head=False)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b"{}"
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return self.reply_json(400, {"error": "bad json"})
        if self.path == "/_control/config":
            self.server.behaviours.set(data.pop("path"), data)
            return self.reply_json(200, {"ok": True})
        if self.path == "/_control/reset":
            self.server.behaviours.reset()
            return self.reply_json(200, {"ok": True})
        return self.reply_json(404, {"error": "unknown control"})

    def control_get(self):
        if self.path == "/_control/stats":
            return self.reply_json(200, self.server.behaviours.stats())
        return self.reply_json(404, {"error": "unknown control"})

    def reply_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply_status(self, status, extra=(), body=b""):
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def serve(self, head):
        path = self.path.split("?", 1)[0]
        b = self.server.behaviours.take(path, self.command, self.headers)
        if b.get("delay"):
            time.sleep(float(b["delay"]))
        if b.get("basic_auth"):
            user, pw = b["basic_auth"]
            want = "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.reply_status(401, [("WWW-Authenticate", 'Basic realm="test"')])
        if b.get("status"):
            extra = []
            if b.get("retry_after") is not None:
                extra.append(("Retry-After", str(b["retry_after"])))
            return self.reply_status(int(b["status"]), extra)
        if b.get("redirect"):
            return self.reply_status(int(b.get("redirect_status", 302)),
                                     [("Location", b["redirect"])])
        local = os.path.join(self.server.root, path.lstrip("/"))
        if ".." in path.split("/") or not os.path.isfile(local):
            return self.reply_status(404)
        with open(local, "rb") as f:
            data = f.read()
        st = os.stat(local)
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:20]
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        self.send_body(b, data, etag, last_modified, head)

    def send_body(self, b, data, etag, last_modified, head):
        size = len(data)
        status, first, last = 200, 0, size - 1
        rng = None if b.get("ignore_range") else parse_range(self.headers.get("Range"), size)
        if_range = self.headers.get("If-Range")
        if rng is not None and if_range and if_range not in (etag, last_modified):
            rng = None  # the representation changed: whole new file
        if rng == "unsatisfiable":
            return self.reply_status(416, [("Content-Range", f"bytes */{size}")])
        headers = [("ETag", etag), ("Last-Modified", last_modified),
                   ("Accept-Ranges", "bytes")]
        if rng is not None:
            status, (first, last) = 206, rng
            shown = first + 1 if b.get("wrong_content_range") else first
            headers.append(("Content-Range", f"bytes {shown}-{last}/{size}"))
        body = data[first:last + 1] if size else b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if b.get("no_content_length"):
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        self.write_body(b, body)

    def write_body(self, b, body):
        cut = b.get("truncate_after")
        if cut is not None:
            body = body[:int(cut)]
        stall_after = b.get("stall_after")
        rate = b.get("rate")
        chunk = 16384
        sent = 0
        try:
            while sent < len(body):
                if stall_after is not None and sent >= int(stall_after):
                    time.sleep(float(b.get("stall", 30)))
                    stall_after = None
                piece = body[sent:sent + chunk]
                if stall_after is not None:
                    piece = piece[:max(1, int(stall_after) - sent)]
                self.wfile.write(piece)
                sent += len(piece)
                if rate:
                    time.sleep(len(piece) / float(rate))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if cut is not None:
            self.abort()

    def abort(self):
        """Close with RST so the client sees the body end early."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, root, max_requests):
        self.root = root
        self.behaviours = Behaviours()
        self.max_requests = max_requests
        self.handled = 0
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        # Clients that hang up mid-request are normal here (tests cancel,
        # suspend, time out); anything else is worth printing.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def process_request(self, request, client_address):
        self.handled += 1
        if self.max_requests and self.handled > self.max_requests:
            threading.Thread(target=self.shutdown, daemon=True).start()
        super().process_request(request, client_address)


class TestServer:
    """In-process server for pytest: `with TestServer(root) as s: s.url("/x")`."""

    def __init__(self, root, host="127.0.0.1", max_requests=10000):
        self.server = Server((host, 0), root, max_requests)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self.server.server_address[1]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def configure(self, path, **keys):
        self.server.behaviours.set(path, keys)

    def reset(self):
        self.server.behaviours.reset()

    @property
    def stats(self):
        return self.server.behaviours.stats()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--root", required=True)
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--max-requests", type=int, default=10000)
    args = ap.parse_args(argv)
    if args.bind not in ("127.0.0.1", "::1", "localhost"):
        ap.error("the test server binds to loopback only")
    if ":" in args.bind:
        Server.address_family = socket.AF_INET6
    server = Server((args.bind, args.port), os.path.abspath(args.root), args.max_requests)
    stop = lambda *_: threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timer = threading.Timer(args.lifetime, stop)
    timer.daemon = True
    timer.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
