"""Receipts and results that print right (issue 15, item 7): long labels wrap instead of
overprinting, the receipt lists only what the applicant handed in, dates read dd/mm/yyyy,
and a generated result says whose identity number it prints."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from tinhso.services.models import DossierFile, FormField
from tinhso.services.receipt import receipt_pdf
from tinhso.services.services import dossier_act, dossier_result_prepare
from tinhso.testing import cannot_run

pytestmark = pytest.mark.django_db

LONG_PART = (
    "Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp; trường hợp không có Giấy chứng sinh "
    "thì nộp văn bản của người làm chứng xác nhận về việc sinh; nếu không có người làm chứng "
    "thì phải có giấy cam đoan về việc sinh theo mẫu ban hành kèm theo Thông tư số "
    "04/2020/TT-BTP, kèm bản chụp giấy tờ tùy thân của người đi đăng ký "
    "Mã-tài-liệu-rất-dài-không-có-khoảng-trắng-để-ngắt-dòng-KQ.G15.000031-2026"
)
LONG_LABEL = (
    "Họ, chữ đệm và tên của trẻ được đăng ký khai sinh (ghi đúng như trong Giấy chứng sinh, "
    "viết in hoa có dấu)"
)


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def _words(pdf: bytes, tmp_path) -> list[Word]:
    """Every word of the PDF with its box (poppler's ``pdftotext -bbox``)."""
    if not shutil.which("pdftotext"):
        cannot_run("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words: list[Word] = []
    for page, body in enumerate(re.split(r"<page ", out)[1:], start=1):
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            body,
        ):
            x0, y0, x1, y1 = (float(m[i]) for i in range(1, 5))
            words.append(Word(page, x0, y0, x1, y1, html.unescape(m[5])))
    return words


def _overlaps(words: list[Word]) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap (text printed over text); poppler's boxes of
    adjacent lines may touch, so a sliver under 1 pt does not count."""
    bad = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if a.page != b.page:
                continue
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > 1 and dy > 1:
                bad.append((a.text, b.text))
    return bad


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


@pytest.fixture
def long_birth(birth):
    """The birth registration with a very long document name and form label."""
    part = birth.parts.filter(required=True).first()
    part.name = LONG_PART
    part.save(update_fields=["name"])
    FormField.objects.filter(procedure=birth, name="ho_ten_tre").update(label=LONG_LABEL)
    return birth


def test_receipt_wraps_long_labels_and_lists_only_received_documents(
    long_birth, submit_birth, user_named, tmp_path
):
    d = submit_birth()
    d = dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    # a draft result exists: it is not something the applicant handed in
    draft = dossier_result_prepare(user=user_named("canbo.dian"), dossier_id=d.pk, generate=True)
    assert draft.kind == DossierFile.Kind.RESULT
    d.refresh_from_db()
    words = _words(receipt_pdf(dossier=d, tracking_url="http://testserver/tra-cuu/?so=1"), tmp_path)
    assert _overlaps(words) == []
    text = _text(words)
    # the long name and label are printed whole, wrapped (nothing cut off)
    squeezed = text.replace(" ", "")
    assert LONG_PART.replace(" ", "") in squeezed
    assert LONG_LABEL.replace(" ", "") in squeezed
    assert "giay-chung-sinh.pdf" in text
    assert draft.original_name not in text and "ket-qua" not in text
    # form dates as people write them
    assert "05/01/2026" in text and "2026-01-05" not in text


def test_receipt_of_a_paper_dossier_says_so(birth, submit_birth, user_named, tmp_path):
    d = submit_birth()
    d.files.all().delete()
    words = _words(receipt_pdf(dossier=d, tracking_url="http://testserver/x"), tmp_path)
    assert "Hồ sơ giấy (tiếp nhận trực tiếp)." in _text(words)
    assert _overlaps(words) == []


def test_the_overlap_check_catches_overprinting(tmp_path):
    """The checker itself fails on text drawn over text (so the tests above can fail)."""
    import io

    from reportlab.pdfgen import canvas

    from tinhso.pdf import pdf_fonts_register

    regular, _bold = pdf_fonts_register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(regular, 10)
    c.drawString(50, 700, "Họ, chữ đệm và tên của trẻ được đăng ký khai sinh:")
    c.drawString(150, 700, "Nguyễn Minh Khang")
    c.save()
    assert _overlaps(_words(buf.getvalue(), tmp_path))


def test_generated_result_never_prints_the_parents_id_as_the_childs(
    birth, submit_birth, user_named, tmp_path
):
    """A birth certificate drafted from the template: the child's data first; the parent's
    ID number only on a line saying it is the applicant's."""
    d = submit_birth()
    d = dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    assert d.applicant_id_number  # the parent's (congdan's) ID number
    draft = dossier_result_prepare(user=user_named("canbo.dian"), dossier_id=d.pk, generate=True)
    if not shutil.which("pdftotext"):
        cannot_run("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "ket-qua.pdf"
    with draft.file.open("rb") as fh:
        path.write_bytes(fh.read())
    lines = [
        line.strip()
        for line in subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        if line.strip()
    ]
    with_id = [line for line in lines if d.applicant_id_number in line]
    assert with_id and all("người nộp" in line for line in with_id), with_id
    child = next(i for i, line in enumerate(lines) if "Nguyễn Minh Khang" in line)
    parent = next(i for i, line in enumerate(lines) if d.applicant_id_number in line)
    assert parent > child  # the subject first, the applicant after
    assert "05/01/2026" in "\n".join(lines)  # the child's birth date as people write it
