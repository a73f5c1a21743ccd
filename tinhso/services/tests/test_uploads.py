"""The one upload policy (``tinhso.uploads``): type by content, size, names. Its bad paths,
each refused with a clear Vietnamese message (the callers store nothing then)."""

import hashlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.uploads import (
    upload_check,
    upload_kind,
    upload_limit,
    upload_name,
    upload_too_large,
)

from .conftest import EXE, PDF, PNG


def _up(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_good_file_is_described_by_its_content():
    c = upload_check(upload=_up("to-khai.PDF", PDF), allowed=["pdf"])
    assert (c.extension, c.mime, c.size) == ("pdf", "application/pdf", len(PDF))
    assert c.sha256 == hashlib.sha256(PDF).hexdigest() and c.name == "to-khai.PDF"
    assert c.file.tell() == 0  # left at its start for storing


def test_the_type_is_judged_by_content_not_by_name_or_header():
    with pytest.raises(ValidationError, match="không đúng định dạng"):
        upload_check(upload=_up("to-khai.pdf", EXE), allowed=["pdf"])  # a program named .pdf
    with pytest.raises(ValidationError, match="không đúng định dạng"):
        upload_check(upload=_up("ghi-chu.pdf", b"%PDX plain text " * 10), allowed=["pdf"])


def test_the_name_must_match_the_content():
    with pytest.raises(ValidationError, match="không khớp với nội dung"):
        upload_check(upload=_up("anh.pdf", PNG), allowed=["pdf", "png"])
    assert upload_check(upload=_up("anh.jpeg.png", PNG), allowed=["png"]).extension == "png"


def test_empty_and_oversized_files_are_refused(settings):
    with pytest.raises(ValidationError, match="rỗng"):
        upload_check(upload=_up("rong.pdf", b""), allowed=["pdf"])
    settings.TINHSO_MAX_UPLOAD_BYTES = len(PDF) - 1
    assert upload_limit() == len(PDF) - 1
    assert upload_too_large(_up("a.pdf", PDF)) and not upload_too_large(_up("a.pdf", PDF), 10**6)
    with pytest.raises(ValidationError, match="vượt quá dung lượng"):
        upload_check(upload=_up("lon.pdf", PDF), allowed=["pdf"])


def test_names_lose_their_directories_and_are_bounded():
    assert upload_name(_up("../../etc/passwd.pdf", PDF)) == "passwd.pdf"
    assert upload_name(_up("C:/Users/x/" + "a" * 300 + ".pdf", PDF)) == "a" * 200
    assert upload_name(SimpleNamespace(name=None)) == "tep"  # a file object without a name
    assert upload_check(upload=_up("/tmp/x/don.pdf", PDF), allowed=["pdf"]).name == "don.pdf"


def test_the_kind_is_read_from_the_first_bytes_only():
    f = _up("anh.png", PNG)
    f.read(3)  # wherever the caller left it
    kind = upload_kind(f)
    assert kind is not None and kind.extension == "png" and f.tell() == 0
    assert upload_kind(_up("x.pdf", b"not a known format")) is None
