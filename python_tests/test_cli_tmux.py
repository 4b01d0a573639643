"""The progress display in a real terminal: `openbits transfer` inside a
detached tmux session of a given size, its screen read back with
capture-pane -J (which joins wrapped lines, so a line that wrapped shows
longer than the width). Skipped when tmux cannot start. Each test is
bounded in time and kills its tmux server."""

import itertools
import os
import re
import shlex
import shutil
import socket
import subprocess
import time

import pytest

from conftest import make_file
from test_cli import CLI, run  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(not CLI, reason="OPENBITS_CLI not set")

_sessions = itertools.count()
LONG_NAME = "a-file-with-a-rather-long-name-to-see-how-the-bar-fits.iso"


class Tmux:
    """One tmux server (its own socket) with one session of one pane."""

    def __init__(self, width, height=24):
        if not shutil.which("tmux"):
            pytest.skip("tmux is not installed (Debian package tmux)")
        self.width, self.height = width, height
        self.socket = "openbits-test-%d-%d" % (os.getpid(), next(_sessions))

    def tmux(self, *args, check=True):
        # tmux is not instrumented: no sanitizer runtime preloaded into it
        # (an instrumented openbits loads its own).
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=10, check=check, env=env)

    def start(self, argv):
        """Runs argv in the pane, then prints EXIT=<status> and stays."""
        command = "%s; echo EXIT=$?; sleep 600" % " ".join(shlex.quote(a) for a in argv)
        last = None
        for _ in range(3):  # a server of the same name may still be going away
            p = self.tmux("new-session", "-d", "-x", str(self.width), "-y", str(self.height),
                          "-s", "t", command, check=False)
            if p.returncode == 0:
                return
            last = p.stderr.strip()
            time.sleep(0.3)
        pytest.skip("tmux cannot start here: %s" % last)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-J", "-t", "t").stdout

    def lines(self):
        return [x.rstrip() for x in self.screen().splitlines() if x.strip()]

    def wait_for(self, pattern, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.screen()
            if re.search(pattern, text):
                return text
            time.sleep(0.1)
        raise AssertionError("%r not on the screen in %s s:\n%s" % (pattern, timeout,
                                                                    self.screen()))

    def resize(self, width):
        self.width = width
        self.tmux("resize-window", "-t", "t", "-x", str(width))

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def kill(self):
        self.tmux("kill-server", check=False)


@pytest.fixture
def tmux():
    made = []

    def make(width, height=24):
        t = Tmux(width, height)
        made.append(t)
        return t
    yield make
    for t in made:
        t.kill()


def assert_fits(t, text=None):
    """No line of the screen is longer than the terminal is wide."""
    for line in (text.splitlines() if text is not None else t.lines()):
        assert len(line.rstrip()) <= t.width, "wider than %d: %r" % (t.width, line)


def progress_lines(text):
    return [x for x in text.splitlines() if "/s" in x and "%" in x]


def percent(line):
    return int(re.search(r"(\d+)%", line).group(1))


@pytest.mark.parametrize("width", [80, 200])
def test_the_bar_fits_and_is_redrawn_in_place(run, tmux, server, www, dest, width):
    data = make_file(www, LONG_NAME, 1_000_000)
    server.configure("/" + LONG_NAME, rate=200_000)
    t = tmux(width)
    t.start([CLI, "--store", run.store, "transfer", server.url("/" + LONG_NAME),
             str(dest / LONG_NAME)])
    first = t.wait_for(r"\d+%.*/s")
    time.sleep(1.5)
    second = t.screen()
    for screen in (first, second):
        assert_fits(t, screen)
        assert len(progress_lines(screen)) == 1, screen  # one line, redrawn: no stream
    assert percent(progress_lines(second)[0]) > percent(progress_lines(first)[0])
    assert len(t.lines()) <= 3  # "job {...}" and the bar, whatever the time
    bar = progress_lines(second)[0]
    if width >= 120:  # room for everything: the whole name, a bar, the bytes and the ETA
        assert re.search(re.escape(LONG_NAME) + r" \[#+ *\] +\d+%  [\d.]+ KiB/976\.6 KiB  "
                         r"[\d.]+ KiB/s  ETA \d+s$", bar), bar
    else:  # the name is cut (marked ~) to keep a bar and the figures
        assert re.search(r"^a-file-with-[a-z-]+~ \[#* *\] +\d+%  [\d.]+ KiB/976\.6 KiB  "
                         r"[\d.]+ KiB/s  ETA \d+s$", bar), bar
    end = t.wait_for(r"EXIT=\d+", timeout=30)
    assert "EXIT=0" in end, end
    assert_fits(t, end)
    assert re.search(r"^saved /.*\(976\.6 KiB in [\d.]+s, [\d.]+ KiB/s\)$", end, re.M), end
    assert (dest / LONG_NAME).read_bytes() == data


def test_a_resize_redraws_at_the_new_width(run, tmux, server, www, dest):
    make_file(www, "resize.bin", 1_400_000)
    server.configure("/resize.bin", rate=200_000)
    t = tmux(200)
    t.start([CLI, "--store", run.store, "transfer", server.url("/resize.bin"),
             str(dest / "resize.bin")])
    t.wait_for(r"resize\.bin \[#* *\] +\d+%")
    for width in (60, 40, 120):
        t.resize(width)
        time.sleep(0.8)  # SIGWINCH, then the next redraw (every 0.2 s)
        screen = t.screen()
        assert_fits(t, screen)
        assert len(progress_lines(screen)) == 1, (width, screen)  # no leftovers of the old
    assert "EXIT=0" in t.wait_for(r"EXIT=\d+", timeout=30)


def test_a_dead_port_shows_each_retry_and_gives_up(run, tmux):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = tmux(80)
    start = time.monotonic()
    t.start([CLI, "--store", run.store, "transfer", "http://127.0.0.1:%d/a.iso" % port])
    screen = t.wait_for(r"a\.iso: retrying in \ds \[attempt 2 of 4\]: BG_E_CONNECT_FAILURE",
                        timeout=10)
    assert_fits(t, screen)
    # The countdown moves: the screen is never frozen.
    counts = {re.search(r"retrying in (\d)s", t.screen()).group(1)
              for _ in range(8) if not time.sleep(0.35)} - {None}
    assert len(counts) >= 2, counts
    end = t.wait_for(r"EXIT=\d+", timeout=40)
    assert time.monotonic() - start < 40
    assert "EXIT=1" in end and "gave up after 4 attempts (--retries 3)" in end, end
    assert "the job was cancelled" in end
    assert_fits(t, "\n".join(x for x in end.splitlines() if not x.startswith("openbits: ")
                             and not x.startswith("  file ")))


def test_ctrl_c_suspends_and_prints_the_resume_command(run, tmux, server, www, dest):
    data = make_file(www, "int.bin", 1_000_000)
    server.configure("/int.bin", rate=150_000)
    t = tmux(80)
    t.start([CLI, "--store", run.store, "transfer", server.url("/int.bin"),
             str(dest / "int.bin")])
    t.wait_for(r"int\.bin \[#* *\] +\d+%")
    t.keys("C-c")
    end = t.wait_for(r"EXIT=\d+", timeout=20)
    assert "EXIT=4" in end and "interrupted; the job is SUSPENDED" in end, end
    command = re.search(r"^  (openbits .* resume \{[0-9a-f-]+\} --wait)$", end, re.M).group(1)
    assert run("getstate", command.split()[-2], check=0).stdout.strip() == "SUSPENDED"
    words = shlex.split(command)
    p = subprocess.run([CLI] + words[1:], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (dest / "int.bin").read_bytes() == data
