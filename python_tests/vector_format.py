"""The cross-language test vectors of tests/vectors/ (format in its README.md).

The Python twin of tests/vectors/vector_parse.c and vector_sig.c: it reads
the .vec files and signatures.txt for the three Python runners (SWIG,
ctypes, cffi), which must accept exactly what the C runners accept.
"""

import os
import re
from dataclasses import dataclass, field

VECTOR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vectors")
MAX_STRING = 1 << 20
MAX_TOKENS = 16  # on each side of "=>"
DIRECTIVES = ("write_file", "wait_state")  # steps the runners perform themselves
HANDLE_TYPES = ("manager", "job", "file", "job_enum", "file_enum", "error")
PLAIN_TYPES = ("void", "hresult", "u32", "u64", "cstr", "str", "guid", "ptr",
               "out_u32", "out_u64", "out_hresult", "out_str", "out_guid")

# Token kinds (vector_tok_kind in vector_parse.h).
NULL, INT, STR, REF, BIND, ANY, OUT, NAME = "NULL", "INT", "STR", "REF", "BIND", "ANY", "OUT", "NAME"


class VectorSyntaxError(ValueError):
    pass


@dataclass
class Token:
    kind: str
    value: object = None  # int for INT, bytes for STR, str for REF/BIND/NAME


@dataclass
class Step:
    line: int
    call: str
    args: list
    has_expect: bool = False
    ret: Token = None
    outs: list = field(default_factory=list)


@dataclass
class Type:
    kind: str            # "u32", "handle", "out_handle", "outv_handle", ...
    handle: str = ""     # the handle type for the handle kinds

    @property
    def is_out(self):
        return self.kind.startswith("out")


@dataclass
class Signature:
    name: str
    ret: Type
    params: list


_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", '"': b'"'}
_NUMBER = re.compile(rb"0[xX][0-9a-fA-F]+|[0-9]+")
_IDENT = re.compile(rb"[A-Za-z0-9_]+")


def _number(line, pos, lineno):
    m = _NUMBER.match(line, pos)
    if not m:
        raise VectorSyntaxError(f"line {lineno}: malformed number")
    value = int(m.group(0), 0)
    if value >= 1 << 64:
        raise VectorSyntaxError(f"line {lineno}: number too large")
    return value, m.end()


def _string(line, pos, lineno):
    out = bytearray()
    pos += 1
    while True:
        if pos >= len(line):
            raise VectorSyntaxError(f"line {lineno}: unterminated string")
        ch = line[pos:pos + 1]
        pos += 1
        if ch == b'"':
            break
        if ch == b"\\":
            e = line[pos:pos + 1].decode("latin-1")
            if e in _ESCAPES:
                out += _ESCAPES[e]
                pos += 1
            elif e == "x" and re.fullmatch(rb"[0-9a-fA-F]{2}", line[pos + 1:pos + 3]):
                out.append(int(line[pos + 1:pos + 3], 16))
                pos += 3
            else:
                raise VectorSyntaxError(f"line {lineno}: unknown escape \\{e}")
            continue
        out += ch
    times = 1
    if line[pos:pos + 1] == b"*":
        times, pos = _number(line, pos + 1, lineno)
    if times == 0 or len(out) * times > MAX_STRING:
        raise VectorSyntaxError(f"line {lineno}: string repetition out of range")
    return Token(STR, bytes(out) * times), pos


def _tokens(line, lineno):
    """Yields the tokens of one line; None stands for '=>'."""
    pos = 0
    while True:
        while pos < len(line) and line[pos:pos + 1] in (b" ", b"\t", b"\r"):
            pos += 1
        if pos >= len(line) or line[pos:pos + 1] == b"#":
            return
        ch = line[pos:pos + 1]
        if ch == b'"':
            tok, pos = _string(line, pos, lineno)
        elif line.startswith(b"=>", pos):
            tok, pos = None, pos + 2
        elif ch == b"*":
            tok, pos = Token(ANY), pos + 1
        elif ch.isdigit():
            value, pos = _number(line, pos, lineno)
            tok = Token(INT, value)
        elif ch in (b"$", b"&") or _IDENT.match(ch):
            start = pos + 1 if ch in (b"$", b"&") else pos
            m = _IDENT.match(line, start)
            if not m:
                raise VectorSyntaxError(f"line {lineno}: a name is expected after {ch!r}")
            word = m.group(0).decode()
            pos = m.end()
            if ch == b"$":
                tok = Token(REF, word)
            elif ch == b"&":
                tok = Token(BIND, word)
            else:
                tok = Token({"NULL": NULL, "out": OUT}.get(word, NAME), word)
        else:
            raise VectorSyntaxError(f"line {lineno}: unexpected character {ch!r}")
        if pos < len(line) and line[pos:pos + 1] not in (b" ", b"\t", b"\r", b"#"):
            raise VectorSyntaxError(f"line {lineno}: a blank is expected after a token")
        yield tok


def parse_vectors(data):
    """The steps of a .vec file given as bytes."""
    steps = []
    for lineno, line in enumerate(data.split(b"\n"), 1):
        if b"\0" in line:
            raise VectorSyntaxError(f"line {lineno}: NUL byte in the line")
        step = None
        for tok in _tokens(line, lineno):
            if step is None:
                if tok is None or tok.kind != NAME:
                    raise VectorSyntaxError(f"line {lineno}: a function name is expected first")
                step = Step(lineno, tok.value, [])
            elif tok is None:
                if step.has_expect:
                    raise VectorSyntaxError(f"line {lineno}: '=>' must follow the arguments")
                step.has_expect = True
            elif not step.has_expect:
                if tok.kind not in (NULL, INT, STR, REF, OUT):
                    raise VectorSyntaxError(f"line {lineno}: this token is not an argument")
                if len(step.args) == MAX_TOKENS:
                    raise VectorSyntaxError(f"line {lineno}: too many tokens")
                step.args.append(tok)
            elif step.ret is None:
                if tok.kind not in (NAME, INT, ANY):
                    raise VectorSyntaxError(f"line {lineno}: a code name, number or * is expected")
                step.ret = tok
            else:
                if tok.kind not in (NULL, INT, STR, REF, BIND, ANY):
                    raise VectorSyntaxError(f"line {lineno}: not an expected output")
                if len(step.outs) == MAX_TOKENS:
                    raise VectorSyntaxError(f"line {lineno}: too many tokens")
                step.outs.append(tok)
        if step is not None:
            if step.has_expect and step.ret is None:
                raise VectorSyntaxError(f"line {lineno}: an expected return is missing")
            steps.append(step)
    return steps


def _type(word):
    if word in PLAIN_TYPES:
        return Type(word)
    for prefix, kind in (("out_", "out_handle"), ("outv_", "outv_handle"), ("", "handle")):
        if word.startswith(prefix) and word[len(prefix):] in HANDLE_TYPES:
            return Type(kind, word[len(prefix):])
    raise VectorSyntaxError(f"unknown type {word}")


def parse_signatures(text):
    """(signatures by name, release function name by handle type)."""
    sigs, releases = {}, {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "release":
            releases[words[1]] = words[2]
            continue
        sigs[words[0]] = Signature(words[0], _type(words[1]), [_type(w) for w in words[2:]])
    return sigs, releases


def vector_files():
    return sorted(f for f in os.listdir(VECTOR_DIR) if f.endswith(".vec"))


def load_signatures():
    with open(os.path.join(VECTOR_DIR, "signatures.txt"), encoding="utf-8") as f:
        return parse_signatures(f.read())


def load_vectors(name):
    with open(os.path.join(VECTOR_DIR, name), "rb") as f:
        return parse_vectors(f.read())


def expand_tmp(value, tmpdir):
    """A STR token's bytes with every $TMP replaced by the directory."""
    return value.replace(b"$TMP", os.fsencode(tmpdir))
