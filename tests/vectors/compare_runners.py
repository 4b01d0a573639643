#!/usr/bin/python3
"""Runs every vector runner on the same files and compares their traces.

    compare_runners.py MANIFEST
    compare_runners.py --self-test

MANIFEST (JSON, written by CMake, see CMakeLists.txt here) names the
signature table, the vector files and the runners:

    {"signatures": PATH, "vectors": [PATH...], "reference": "c",
     "required": [NAME...],
     "runners": [{"name": "c", "command": [...], "env": {...}}, ...]}

"required" names runners that must be there (scripts/test.sh asks for
all eight): a binding left out of the build then fails the comparison
instead of shrinking it.

Each runner is started as COMMAND SIGNATURES VECTOR... (with "env" added
to the environment) and prints one trace line per step (README.md, "The
trace"). The reference runner's lines are the truth; every other runner
must print the same lines in the same order. The one exception is a line
the language cannot express (README.md, "What a language cannot
express"): "FILE:LINE CALL => skipped (REASON)" stands for the
reference's line of the same step, and is counted.

Exit status 0 when every runner passed its own checks and agreed; 1 with
the first differing line of each disagreeing runner, e.g.

    vectors: perl disagrees with c at trace line 37 (nul.vec:14):
      c:    nul.vec:14 bits_manager_create_job => BITS_E_INVALIDARG
      perl: nul.vec:14 bits_manager_create_job => BITS_S_OK {GUID2} handle
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

TRACE_LINE = re.compile(r"^(\S+\.vec:\d+ \S+) =>(.*)$")
TIMEOUT = 300


def trace_of(text):
    """The trace lines of a runner's standard output (other lines, such
    as summaries or TAP, are not part of it)."""
    return [line for line in text.splitlines() if TRACE_LINE.match(line)]


def run(runner, signatures, vectors):
    """(trace lines, exit status, stderr, seconds) of one runner."""
    env = dict(os.environ)
    env.update(runner.get("env", {}))
    started = time.monotonic()
    try:
        proc = subprocess.run(runner["command"] + [signatures] + vectors, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT, check=False)
        status, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        status, out, err = "timeout", e.stdout or b"", (e.stderr or b"") + b"\n(killed after %d s)" % TIMEOUT
    except OSError as e:
        status, out, err = "not started", b"", str(e).encode()
    return (trace_of(out.decode("utf-8", "replace")), status,
            err.decode("utf-8", "replace"), time.monotonic() - started)


def compare(reference, lines):
    """(index of the first differing line or None, lines skipped)."""
    skipped = 0
    for i in range(max(len(reference), len(lines))):
        want = reference[i] if i < len(reference) else None
        got = lines[i] if i < len(lines) else None
        if want == got:
            continue
        if want is not None and got is not None:
            w, g = TRACE_LINE.match(want), TRACE_LINE.match(got)
            if w.group(1) == g.group(1) and g.group(2).startswith(" skipped ("):
                skipped += 1
                continue
        return i, skipped
    return None, skipped


def step_of(line):
    return line.split(" ", 1)[0] if line else "the end of the trace"


def main(manifest_path):
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    runners = manifest["runners"]
    ref_name = manifest.get("reference", runners[0]["name"])
    results = {r["name"]: run(r, manifest["signatures"], manifest["vectors"]) for r in runners}
    reference = results[ref_name][0]
    failures = []
    report = []
    names = [r["name"] for r in runners]
    missing = [n for n in manifest.get("required", []) if n not in names]
    if missing:
        failures.append("vectors: required runners are not built: " + ", ".join(missing))
    for r in runners:
        name = r["name"]
        lines, status, err, seconds = results[name]
        if status != 0:
            failures.append(f"vectors: the {name} runner failed its own checks (exit status "
                            f"{status}):\n{err.strip()[-3000:]}")
        if not lines:
            failures.append(f"vectors: the {name} runner printed no trace line")
            continue
        if name == ref_name:
            report.append(f"  {name:<7} {len(lines)} lines, the reference ({seconds:.1f} s)")
            continue
        at, skipped = compare(reference, lines)
        if at is not None:
            want = reference[at] if at < len(reference) else None
            got = lines[at] if at < len(lines) else None
            width = max(len(name), len(ref_name)) + 1
            failures.append(
                f"vectors: {name} disagrees with {ref_name} at trace line {at + 1} "
                f"({step_of(want or got)}):\n"
                f"  {(ref_name + ':'):<{width}} {want if want is not None else '(no more lines)'}\n"
                f"  {(name + ':'):<{width}} {got if got is not None else '(no more lines)'}")
            continue
        note = f", {skipped} the language cannot express" if skipped else ""
        report.append(f"  {name:<7} {len(lines)} lines agree{note} ({seconds:.1f} s)")
    print(f"vectors: {len(manifest['vectors'])} files through {len(runners)} runners: "
          + ", ".join(r["name"] for r in runners))
    print("\n".join(report))
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print("vectors: all runners agree")
    return 0


def self_test():
    """The comparison fails, naming the first differing line, for a
    runner that disagrees; accepts skips and identical traces."""
    ref = ["a.vec:2 f => BITS_S_OK 1", "a.vec:3 g => BITS_E_INVALIDARG", "a.vec:4 h => -"]
    assert compare(ref, list(ref)) == (None, 0)
    skip = [ref[0], "a.vec:3 g => skipped (a NULL out-pointer)", ref[2]]
    assert compare(ref, skip) == (None, 1)
    assert compare(ref, [ref[0], "a.vec:3 g => BITS_S_OK", ref[2]]) == (1, 0)
    assert compare(ref, ref[:2]) == (2, 0)
    assert compare(ref, ref + ["a.vec:5 i => -"]) == (3, 0)
    assert compare(ref, [ref[0], "a.vec:3 x => skipped (y)", ref[2]]) == (1, 0)
    assert trace_of("ok 1 - x\n# note\na.vec:2 f => BITS_S_OK 1\n") == [ref[0]]
    with tempfile.TemporaryDirectory() as tmp:
        def printer(lines):
            return [sys.executable, "-c", "import sys; print(%r)" % "\n".join(lines)]
        manifest = {"signatures": "sigs", "vectors": ["a.vec"], "reference": "c", "runners": [
            {"name": "c", "command": printer(ref)},
            {"name": "perl", "command": printer(skip)},
            {"name": "ruby", "command": printer([ref[0], "a.vec:3 g => BITS_S_OK", ref[2]])}]}
        path = os.path.join(tmp, "manifest.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(manifest, f)
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        assert proc.returncode == 1, proc
        assert "vectors: ruby disagrees with c at trace line 2 (a.vec:3):" in proc.stderr, proc.stderr
        assert "c:    a.vec:3 g => BITS_E_INVALIDARG" in proc.stderr, proc.stderr
        assert "ruby: a.vec:3 g => BITS_S_OK" in proc.stderr, proc.stderr
        assert "perl    3 lines agree, 1 the language cannot express" in proc.stdout, proc.stdout
        assert "perl disagrees" not in proc.stderr
        manifest["runners"] = manifest["runners"][:2]
        manifest["required"] = ["c", "perl", "java"]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(manifest, f)
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        assert proc.returncode == 1 and "required runners are not built: java" in proc.stderr, proc
    print("compare_runners: self-test passed")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        sys.exit(self_test())
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
