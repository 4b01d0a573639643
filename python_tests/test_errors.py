"""Failures raise the exception class of their code."""

import pytest

import openbits
from openbits import _openbits as c
from openbits import errors


def table():
    i = 0
    while True:
        hr, code = c.bits_hresult_at(i)
        if hr != c.BITS_S_OK:
            return
        yield code & 0xFFFFFFFF
        i += 1


def test_every_failure_code_has_a_class():
    codes = [code for code in table() if code & 0x80000000]
    assert len(codes) > 90
    names = set()
    for code in codes:
        cls = openbits.class_for(code)
        assert issubclass(cls, openbits.BitsError)
        assert cls is not openbits.BitsError
        exc = cls(code)
        assert exc.hresult == code
        assert exc.name == c.bits_hresult_name(code - (1 << 32))
        assert exc.message.endswith(".")
        names.add(cls.__name__)
    assert len(names) == len(codes)


def test_named_classes_and_builtins():
    assert openbits.InvalidStateError.hresult == 0x80200002
    assert openbits.EmptyJobError is openbits.EmptyError
    assert issubclass(openbits.InvalidArgError, ValueError)
    assert issubclass(openbits.StringTooLongError, ValueError)
    assert issubclass(openbits.NotImplError, NotImplementedError)
    assert issubclass(openbits.AccessDeniedError, PermissionError)
    assert issubclass(openbits.PathNotFoundError, FileNotFoundError)
    assert issubclass(openbits.BitsFileNotFoundError, FileNotFoundError)
    assert openbits.BgFileNotFoundError.hresult == 0x80200029
    assert "FileNotFoundError" not in vars(openbits)  # built-ins are not shadowed
    assert issubclass(openbits.NotFoundError, KeyError)
    assert openbits.class_for(0x80190194) is openbits.HttpError
    assert openbits.HttpError(0x80190194).status == 404
    assert errors.raise_for(0x00200017) == 0x00200017


def test_misuse_raises(manager, dest):
    job = manager.create_job("x")
    with pytest.raises(openbits.EmptyJobError) as info:
        job.resume()
    assert info.value.hresult == 0x80200003
    assert job.state == openbits.JobState.SUSPENDED
    with pytest.raises(ValueError):
        manager.create_job("n" * 257)
    with pytest.raises(openbits.StringTooLongError):
        job.display_name = "n" * 257
    with pytest.raises(NotImplementedError):
        job.priority = 9
    with pytest.raises(openbits.InvalidArgError):
        job.add_file("ftp://example.org/x", str(dest / "x"))
    with pytest.raises(openbits.PathNotFoundError):
        job.add_file("http://127.0.0.1:9/x", str(dest / "missing" / "x"))
    job.cancel()
    with pytest.raises(openbits.InvalidStateError):
        job.description = "too late"
    with pytest.raises(KeyError):
        manager.get_job(job.id)
