#!/usr/bin/python3
"""Loopback HTTP(S) test server for openbits (C tests and pytest).

    /usr/bin/python3 openbits_test_server.py --port 0 --root DIR --port-file F

Importable too (python_tests/server on sys.path, or the `server` package):
TestServer, SubprocessServer, start_subprocess, ControlClient, generate.

Serves the files under --root and in-memory content with strong ETags,
Last-Modified, single byte ranges and If-Range, and misbehaves per path as
configured through the control API under /_control/ (see README.md in this
directory). With --port 0 it binds an ephemeral port and writes the number
to --port-file (atomically). It exits with status 0 on SIGTERM/SIGINT,
after --lifetime seconds, after --max-requests requests, on
POST /_control/shutdown, or when the process that started it exits (unless
--no-parent-watch); it prints nothing unless --verbose or on a bug.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time

try:
    from . import server_behaviour as behaviour, server_handler as handler
    from .server_helpers import (ControlClient, ControlError, SubprocessServer,  # noqa: F401
                                 TestServer, make_tls_files, start_subprocess)
except ImportError:  # run as a script, or imported from this directory
    import server_behaviour as behaviour
    import server_handler as handler
    from server_helpers import (ControlClient, ControlError, SubprocessServer,  # noqa: F401
                                TestServer, make_tls_files, start_subprocess)

generate = behaviour.generate
State = behaviour.State
Server = handler.Server

__all__ = ["ControlClient", "ControlError", "Server", "State", "SubprocessServer",
           "TestServer", "generate", "main", "make_tls_files", "start_subprocess"]


def write_port_file(path, port):
    """Writes `port` to `path` atomically (temporary file, then rename)."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def apply_config_file(state, path):
    """Applies a JSON list of /_control/config bodies (content keys allowed)."""
    with open(path) as f:
        items = json.load(f)
    for item in items if isinstance(items, list) else [items]:
        item = dict(item)
        p = item.pop("path")
        merge = item.pop("merge", False)
        spec = {k: item.pop(k) for k in behaviour.CONTENT_KEYS if k in item}
        content = behaviour.content_from_spec(spec)
        if content is not None:
            state.set_content(p, content)
        state.configure(p, item, merge)


def watch_parent(server, parent, interval=0.2):
    """Stops `server` once `parent` is no longer our parent (we were re-parented).

    `parent` must be read when the process starts: a starter that waits only
    for the port file may exit before this is called, and reading the parent
    then would give the reaper we were handed to, which never goes."""
    if parent <= 1:
        return
    if os.getppid() != parent:
        server.request_stop("parent-exited")
        return

    def loop():
        while not server.stopping.wait(interval):
            if os.getppid() != parent:
                server.request_stop("parent-exited")

    threading.Thread(target=loop, name="parent-watch", daemon=True).start()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", default="127.0.0.1",
                    help="loopback address: 127.0.0.1 (default), ::1 or localhost")
    ap.add_argument("--port", type=int, default=0, help="0 (default): an ephemeral port")
    ap.add_argument("--port-file", help="write the bound port number here")
    ap.add_argument("--root", help="directory whose files are served")
    ap.add_argument("--lifetime", type=float, default=600.0,
                    help="exit after this many seconds (default 600)")
    ap.add_argument("--max-requests", type=int, default=10000,
                    help="exit after this many requests, control ones included "
                         "(default 10000; 0: no limit)")
    ap.add_argument("--tls-cert", help="PEM certificate (chain): serve HTTPS")
    ap.add_argument("--tls-key", help="PEM private key for --tls-cert")
    ap.add_argument("--config", help="JSON file: a list of /_control/config bodies")
    ap.add_argument("--idle-timeout", type=float, default=120.0,
                    help="socket timeout of a connection, seconds (default 120)")
    ap.add_argument("--control", dest="control", action="store_true", default=True,
                    help="serve the control API under /_control/ (the default)")
    ap.add_argument("--no-control", dest="control", action="store_false",
                    help="no control API")
    ap.add_argument("--no-parent-watch", dest="parent_watch", action="store_false",
                    help="keep running when the process that started it exits "
                         "(by default it stops then, so a crashed test leaks no server)")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)
    if not handler.is_loopback(args.bind):
        ap.error("the test server binds to loopback addresses only")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.root and not os.path.isdir(args.root):
        ap.error("--root %s is not a directory" % args.root)
    return args


def main(argv=None):
    parent = os.getppid()
    args = parse_args(argv)
    state = behaviour.State(args.root)
    if args.config:
        apply_config_file(state, args.config)
    ctx = handler.tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    server = handler.Server(args.bind, args.port, state=state,
                            max_requests=args.max_requests, lifetime=args.lifetime,
                            tls_context=ctx, idle_timeout=args.idle_timeout,
                            control=args.control, verbose=args.verbose)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: server.request_stop("signal"))
    if args.port_file:
        write_port_file(args.port_file, server.port)
    hold = os.environ.get("OPENBITS_TEST_SERVER_HOLD_FILE")
    while hold and not os.path.exists(hold):  # selftest hook: the starter exits here
        time.sleep(0.02)
    server.start_lifetime()
    if args.parent_watch:
        watch_parent(server, parent)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    if args.verbose:
        sys.stderr.write("openbits-test-server: exit (%s)\n" % server.exit_reason)
    return 0


if __name__ == "__main__":
    sys.exit(main())
