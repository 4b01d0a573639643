"""The Python vector parser refuses what the C one refuses, and reads every
vector file (the C side: tests/vectors/vector_parse_check.c)."""

import os

import pytest

import vector_format as vf


def _malformed():
    with open(os.path.join(vf.VECTOR_DIR, "malformed.txt"), "rb") as f:
        return [line for line in f.read().split(b"\n") if line and not line.startswith(b"#")]


@pytest.mark.parametrize("line", _malformed())
def test_malformed_line_is_refused(line):
    with pytest.raises(vf.VectorSyntaxError, match=r"^line 1: "):
        vf.parse_vectors(line)


@pytest.mark.parametrize("name", vf.vector_files())
def test_vector_file_parses(name):
    steps = vf.load_vectors(name)
    sigs, releases = vf.load_signatures()
    assert steps and all(s.call in sigs or s.call in vf.DIRECTIVES for s in steps)
    assert set(releases) == set(vf.HANDLE_TYPES)


def test_repetition_and_escapes():
    (step,) = vf.parse_vectors(b'f "a\\x41\\"\\\\"*2 0x10 NULL $h => BITS_S_OK &x * 7 "s"\r')
    assert step.args == [vf.Token(vf.STR, b'aA"\\aA"\\'), vf.Token(vf.INT, 16),
                         vf.Token(vf.NULL, "NULL"), vf.Token(vf.REF, "h")]
    assert step.ret == vf.Token(vf.NAME, "BITS_S_OK")
    assert [t.kind for t in step.outs] == [vf.BIND, vf.ANY, vf.INT, vf.STR]
