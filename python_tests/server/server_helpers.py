"""Ways to run the test server from Python tests.

TestServer        in-process, in a thread; behaviour set by direct calls.
SubprocessServer  /usr/bin/python3 openbits_test_server.py, as the C tests
                  run it; behaviour set over HTTP (it is a ControlClient).
ControlClient     the control API over HTTP, for any running server.
make_tls_files    a throw-away CA and server certificate made with openssl.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

try:
    from . import server_behaviour as B, server_handler as H
except ImportError:  # imported from the directory itself
    import server_behaviour as B
    import server_handler as H

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openbits_test_server.py")
PYTHON = "/usr/bin/python3"


def _content_spec(data=None, text=None, size=None, seed=None, generator=None):
    spec = {}
    if data is not None:
        spec["content_b64"] = base64.b64encode(bytes(data)).decode()
    for k, v in (("text", text), ("size", size), ("seed", seed), ("generator", generator)):
        if v is not None:
            spec[k] = v
    return spec


class ControlError(RuntimeError):
    """A control call answered with an error status."""

    def __init__(self, status, body):
        super().__init__("control API: HTTP %d: %s" % (status, body))
        self.status = status
        self.body = body


class ControlClient:
    """The control API of a running server at `base_url`."""

    def __init__(self, base_url=None, ssl_context=None, timeout=10.0):
        self.base_url = base_url
        self.ssl_context = ssl_context
        self.timeout = timeout

    def url(self, path):
        return self.base_url + path

    def call(self, method, route, body=None):
        """`method` /_control/`route` with a JSON body; the decoded answer."""
        u = urllib.parse.urlsplit(self.base_url)
        if u.scheme == "https":
            ctx = self.ssl_context or ssl._create_unverified_context()
            conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=self.timeout,
                                               context=ctx)
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=self.timeout)
        try:
            data = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, "/_control/" + route, body=data, headers=headers)
            resp = conn.getresponse()
            text = resp.read()
        finally:
            conn.close()
        if resp.status != 200:
            raise ControlError(resp.status, text.decode(errors="replace"))
        return json.loads(text)

    def configure(self, path, merge=False, **keys):
        """Sets (merge: updates) the behaviour of `path`; the config echoed."""
        body = dict(keys, path=path)
        if merge:
            body["merge"] = True
        return self.call("POST", "config", body)["config"]

    def set_content(self, path, data=None, *, text=None, size=None, seed=None,
                    generator=None):
        """Registers in-memory content (bytes, text, or size+seed)."""
        body = dict(_content_spec(data, text, size, seed, generator), path=path)
        return self.call("POST", "content", body)["content"]

    def change(self, path, data=None, *, text=None, size=None, seed=None, generator=None):
        """New content for `path` (default: same size, other bytes)."""
        body = dict(_content_spec(data, text, size, seed, generator), path=path)
        return self.call("POST", "change", body)["content"]

    def remove_content(self, path):
        return self.call("POST", "content", {"path": path, "delete": True})["removed"]

    def reset(self, path=None):
        self.call("POST", "reset", {} if path is None else {"path": path})

    @property
    def stats(self):
        return self.call("GET", "stats")

    def path_stats(self, path):
        return self.call("GET", "stats?path=" + urllib.parse.quote(path))

    def requests(self, path):
        return self.path_stats(path)["requests"]

    def ping(self):
        return self.call("GET", "ping")

    def shutdown(self):
        self.call("POST", "shutdown", {})


class TestServer:
    """In-process server in a daemon thread, for pytest.

        with TestServer(root) as s:
            s.configure("/a.bin", statuses=[503, 200], retry_after=1)
            urllib.request.urlopen(s.url("/a.bin"))
            assert s.stats["requests"]["/a.bin"] == 1
    """

    __test__ = False  # not a pytest test class

    def __init__(self, root=None, *, host="127.0.0.1", port=0, max_requests=10000,
                 lifetime=600.0, tls_cert=None, tls_key=None, idle_timeout=120.0,
                 verbose=False):
        ctx = H.tls_context(tls_cert, tls_key) if tls_cert else None
        self.server = H.Server(host, port, root=root, max_requests=max_requests,
                               lifetime=lifetime, tls_context=ctx,
                               idle_timeout=idle_timeout, verbose=verbose)
        self.state = self.server.state
        self._thread = None

    # -- life -------------------------------------------------------------

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self.server.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name="openbits-test-server", daemon=True)
            self._thread.start()
            self.server.start_lifetime()
        return self

    def stop(self, timeout=5.0):
        """Stops serving and closes the listening socket."""
        if self._thread is not None:
            self.server.request_stop("stopped")
            self._thread.join(timeout)
        self.server.server_close()

    def wait_stopped(self, timeout=None):
        """True once the server has stopped by itself (budget, lifetime...)."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def exit_reason(self):
        """None while running; "max-requests", "lifetime", "control",
        "signal" or "stopped" afterwards."""
        return self.server.exit_reason

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- addresses --------------------------------------------------------

    @property
    def port(self):
        return self.server.port

    @property
    def base_url(self):
        return self.server.base_url

    def url(self, path):
        return self.base_url + path

    # -- behaviour, content, counters --------------------------------------

    def configure(self, path, merge=False, **keys):
        """Sets (merge: updates) the behaviour of `path`; content keys
        (content_b64, text, size, seed, generator) register content too."""
        spec = {k: keys.pop(k) for k in B.CONTENT_KEYS if k in keys}
        B.validate(keys)
        content = B.content_from_spec(spec)
        if content is not None:
            self.state.set_content(path, content)
        return self.state.configure(path, keys, merge)

    def set_content(self, path, data=None, *, text=None, size=None, seed=None,
                    generator=None):
        """Registers in-memory content (bytes, text, or size+seed)."""
        if data is None:
            data = B.content_from_spec(_content_spec(None, text, size, seed, generator))
            if data is None:
                raise ValueError("set_content needs data, text or size")
        return self.state.set_content(path, data)

    def change(self, path, data=None, *, text=None, size=None, seed=None, generator=None):
        """New content for `path` (default: same size, other bytes)."""
        if data is None:
            data = B.content_from_spec(_content_spec(None, text, size, seed, generator))
        return self.state.change(path, data)

    def remove_content(self, path):
        return self.state.remove_content(path)

    def content(self, path):
        """The bytes `path` serves now, or None."""
        c = self.state.resolve(path)
        return None if c is None else c.data

    def reset(self, path=None):
        self.state.reset(path)

    @property
    def stats(self):
        return self.state.stats()

    def path_stats(self, path):
        return self.state.stats(path)

    def requests(self, path):
        return self.state.stats(path)["requests"]


class SubprocessServer(ControlClient):
    """The server as a separate process (like the C tests start it).

        with SubprocessServer(root) as s:      # or start_subprocess(root)
            s.configure("/a.bin", ignore_range=True)   # over HTTP
    """

    def __init__(self, root=None, *, python=PYTHON, bind="127.0.0.1", port=0,
                 port_file=None, lifetime=600.0, max_requests=10000, tls_cert=None,
                 tls_key=None, ca_file=None, extra_args=(), start_timeout=10.0):
        super().__init__(None)
        self.root, self.python, self.bind, self.port_arg = root, python, bind, port
        self.port_file, self.lifetime, self.max_requests = port_file, lifetime, max_requests
        self.tls_cert, self.tls_key, self.extra_args = tls_cert, tls_key, list(extra_args)
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self._tmpdir = None
        if ca_file:
            self.ssl_context = ssl.create_default_context(cafile=ca_file)

    def command(self):
        cmd = [self.python, SCRIPT, "--bind", self.bind, "--port", str(self.port_arg),
               "--port-file", self.port_file, "--lifetime", str(self.lifetime),
               "--max-requests", str(self.max_requests)]
        if self.root:
            cmd += ["--root", str(self.root)]
        if self.tls_cert:
            cmd += ["--tls-cert", str(self.tls_cert), "--tls-key", str(self.tls_key)]
        return cmd + self.extra_args

    def start(self):
        """Starts the process and waits for its port file (once only)."""
        if self.proc is not None:
            return self
        if self.port_file is None:
            self._tmpdir = tempfile.mkdtemp(prefix="openbits-server-")
            self.port_file = os.path.join(self._tmpdir, "port")
        elif os.path.exists(self.port_file):
            os.unlink(self.port_file)  # never read a stale port
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            try:
                with open(self.port_file) as f:
                    self.port = int(f.read())
                break
            except (OSError, ValueError):
                if self.proc.poll() is not None:
                    raise RuntimeError("test server exited with %s" % self.proc.returncode)
                time.sleep(0.02)
        else:
            self.stop()
            raise RuntimeError("test server wrote no port file in %ss" % self.start_timeout)
        host = self.bind if ":" not in self.bind else "[%s]" % self.bind
        self.base_url = "%s://%s:%d" % ("https" if self.tls_cert else "http", host, self.port)
        return self

    def wait(self, timeout=None):
        """The exit status once the process has ended (None on timeout)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=5.0):
        """SIGTERM, wait (SIGKILL after `timeout`); returns the exit status."""
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            rc = self.wait(timeout)
            if rc is None:
                self.proc.kill()
                rc = self.proc.wait()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        return rc

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def start_subprocess(root=None, **kwargs):
    """A started SubprocessServer (see its arguments)."""
    return SubprocessServer(root, **kwargs).start()


def make_tls_files(directory, hosts=("127.0.0.1", "::1", "localhost")):
    """Makes a CA and a server certificate for `hosts` with openssl (EC
    P-256) in `directory`; returns {"ca_cert", "ca_key", "cert", "key"}."""
    d = str(directory)
    f = {k: os.path.join(d, n) for k, n in (("ca_cert", "ca.pem"), ("ca_key", "ca.key"),
                                             ("cert", "server.pem"), ("key", "server.key"),
                                             ("csr", "server.csr"), ("ext", "server.ext"))}
    san = ",".join(("IP:" if ":" in h or h.replace(".", "").isdigit() else "DNS:") + h
                   for h in hosts)

    def run(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", f["ca_key"], "-out", f["ca_cert"], "-days", "2",
        "-subj", "/CN=openbits test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-new", *ec, "-keyout", f["key"], "-out", f["csr"], "-subj", "/CN=127.0.0.1")
    with open(f["ext"], "w") as fh:
        fh.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                 "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
                 % san)
    run("x509", "-req", "-in", f["csr"], "-CA", f["ca_cert"], "-CAkey", f["ca_key"],
        "-CAcreateserial", "-out", f["cert"], "-days", "2", "-extfile", f["ext"])
    return {k: f[k] for k in ("ca_cert", "ca_key", "cert", "key")}
