"""The openbits loopback test server (see README.md here for the control API).

    from server import TestServer, start_subprocess, generate
"""

from .server_behaviour import State, generate, parse_range, if_range_matches
from .server_handler import Server, tls_context
from .server_helpers import (ControlClient, ControlError, SubprocessServer, TestServer,
                      make_tls_files, start_subprocess, SCRIPT)

__all__ = ["State", "generate", "parse_range", "if_range_matches", "Server", "tls_context",
           "ControlClient", "ControlError", "SubprocessServer", "TestServer",
           "make_tls_files", "start_subprocess", "SCRIPT"]
