from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tinhso.audit.models import AuditEntry
from tinhso.orgs.models import OrgUnit
from tinhso.signing.models import SignedDocument
from tinhso.signing.selectors import pdf_verify, signed_document_for_object
from tinhso.signing.services import pdf_sign

PDFSIG = "/usr/bin/pdfsig"
pytestmark = pytest.mark.django_db


def pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    run = subprocess.run(
        [PDFSIG, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return run.stdout + run.stderr


def flip_byte_in_signed_range(data: bytes) -> bytes:
    """Change one byte of page content covered by the signature."""
    out = bytearray(data)
    index = data.index(b"stream", 200) + 20  # inside the first content stream
    out[index] ^= 0x01
    return bytes(out)


def append_incremental_change(data: bytes) -> bytes:
    """An incremental update after the signature that changes the page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    from pyhanko.pdf_utils import generic

    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_of(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_sign_registers_document(signed, unit) -> None:
    data = signed.read_bytes()
    assert signed.sha256 == hashlib.sha256(data).hexdigest()
    assert signed.org_unit == unit and signed.signer.username == "lanhdao.dian"
    assert signed.size == len(data) and signed.filename == "ket-qua.pdf"
    assert list(signed_document_for_object(purpose="test_result", object_ref="42")) == [signed]
    assert AuditEntry.objects.filter(action="signing.sign", object_id=str(signed.pk)).exists()
    sigs = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert len(sigs) == 1
    assert sigs[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_pdfsig_accepts_signed_pdf(signed, tmp_path) -> None:
    out = pdfsig(signed.read_bytes(), tmp_path)
    assert "Signature Validation: Signature is Valid." in out
    assert "ETSI.CAdES.detached" in out
    assert "Total document signed" in out
    assert "UBND thành phố Dĩ An" in out


def test_pdfsig_rejects_modified_pdf(signed, tmp_path) -> None:
    tampered = flip_byte_in_signed_range(signed.read_bytes())
    out = pdfsig(tampered, tmp_path)
    assert "Signature is Valid" not in out
    assert "Digest Mismatch" in out


def test_pdfsig_flags_content_appended_after_signing(signed, tmp_path) -> None:
    out = pdfsig(append_incremental_change(signed.read_bytes()), tmp_path)
    assert "Total document signed" not in out
    assert "The signature form field is not signed" not in out  # it is, partially
    assert "Signature Validation" in out


def test_visible_stamp_in_vietnamese(signed, tmp_path) -> None:
    text = text_of(signed.read_bytes(), tmp_path)
    assert "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN" in text
    assert "Người ký: Trần Thị Bình" in text
    assert "Đơn vị: UBND thành phố Dĩ An" in text
    assert "Thời gian ký:" in text and "(GMT+7)" in text


def test_verify_intact(signed) -> None:
    result = pdf_verify(pdf_bytes=signed.read_bytes())
    assert result.ok, result.reason
    assert result.intact and result.trusted
    assert result.signer_name == "Trần Thị Bình"
    assert result.unit_name == "UBND thành phố Dĩ An"
    assert result.org_unit is not None
    assert result.org_unit.code == "724"
    assert result.signing_time is not None
    assert result.timestamp_time is not None  # B-T from the local TSA
    assert result.issued_document == signed


def test_verify_tampered_bytes(signed) -> None:
    result = pdf_verify(pdf_bytes=flip_byte_in_signed_range(signed.read_bytes()))
    assert not result.ok and not result.intact
    assert "đã bị thay đổi" in result.reason
    assert result.issued_document is None


def test_verify_modified_after_signing(signed) -> None:
    result = pdf_verify(pdf_bytes=append_incremental_change(signed.read_bytes()))
    assert not result.ok
    assert "sửa đổi sau khi ký" in result.reason
    assert result.issued_document is None


def test_verify_foreign_ca(settings, tmp_path, unit, result_pdf, user_named) -> None:
    """A signature from another CA is intact but not trusted."""
    from tinhso.signing.pki import pki_demo_ensure

    settings.SIGNING_DIR = tmp_path / "other-province"
    foreign = pdf_sign(
        pdf_bytes=result_pdf,
        org_unit=unit,
        signer_user=user_named("lanhdao.dian"),
        reason="x",
        location="y",
    )
    settings.SIGNING_DIR = tmp_path / "province"  # the verifier trusts only its own root
    pki_demo_ensure(units=[])
    result = pdf_verify(pdf_bytes=foreign)
    assert not result.ok and result.intact and not result.trusted
    assert "không được cấp bởi CA của tỉnh" in result.reason


def test_verify_bad_inputs(pki) -> None:
    assert pdf_verify(pdf_bytes=b"hello").reason == "Tệp không phải là tài liệu PDF."
    assert not pdf_verify(pdf_bytes=b"%PDF-1.7\ngarbage").ok
    from tinhso.signing.documents import pdf_certificate_render

    unsigned = pdf_certificate_render(
        title="T", fields=[], org_unit=OrgUnit.objects.get(code="724"), number="1"
    )
    assert pdf_verify(pdf_bytes=unsigned).reason == "Tài liệu không có chữ ký số."


def test_only_unit_head_signs(pki, unit, result_pdf, user_named) -> None:
    for username in ("canbo.dian", "lanhdao.thuanan", "congdan"):
        with pytest.raises(PermissionDenied):
            pdf_sign(
                pdf_bytes=result_pdf,
                org_unit=unit,
                signer_user=user_named(username),
                reason="x",
                location="y",
            )
    with pytest.raises(ValidationError):
        pdf_sign(
            pdf_bytes=b"not a pdf",
            org_unit=unit,
            signer_user=user_named("lanhdao.dian"),
            reason="x",
            location="y",
        )
    assert not SignedDocument.objects.exists()


def test_second_signature_keeps_first_valid(signed, user_named, tmp_path) -> None:
    province = OrgUnit.objects.get(code="74")
    from tinhso.accounts.models import Membership, Role

    Membership.objects.create(user=user_named("lanhdao.stttt"), org_unit=province, role=Role.HEAD)
    twice = pdf_sign(
        pdf_bytes=signed.read_bytes(),
        org_unit=province,
        signer_user=user_named("lanhdao.stttt"),
        reason="Xác nhận",
        location="Thủ Dầu Một",
    )
    result = pdf_verify(pdf_bytes=twice)
    assert result.ok, result.reason
    assert len(result.signatures) == 2
    assert "Signature is Valid" in pdfsig(twice, tmp_path)


def test_production_pkcs12_source(settings, tmp_path, unit, result_pdf, user_named, pki) -> None:
    """A unit configured with a PKCS#12 file signs with it (no demo key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from tinhso.signing.pki import _ca_load_or_create, _issue, _name

    ca = _ca_load_or_create()
    cert, key = _issue(ca, subject=_name(common_name="UBND Dĩ An (HSM)", organisation="UBND"))
    p12 = tmp_path / "724.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"k", key, cert, [ca.cert], serialization.BestAvailableEncryption(b"s3cret")
        )
    )
    settings.SIGNING_KEYS = {"724": {"pkcs12": str(p12), "passphrase_env": "TEST_P12_PASS"}}
    import os

    os.environ["TEST_P12_PASS"] = "s3cret"
    try:
        doc_bytes = pdf_sign(
            pdf_bytes=result_pdf,
            org_unit=unit,
            signer_user=user_named("lanhdao.dian"),
            reason="x",
            location="y",
        )
    finally:
        del os.environ["TEST_P12_PASS"]
    doc = SignedDocument.objects.get(sha256=hashlib.sha256(doc_bytes).hexdigest())
    assert doc.certificate.source == "pkcs12"
    assert doc.certificate.subject.startswith("CN=UBND Dĩ An (HSM)")
    result = pdf_verify(pdf_bytes=doc_bytes)
    assert result.ok and result.org_unit == unit


def test_unit_without_certificate_outside_demo(settings, tmp_path, result_pdf, user_named, pki):
    settings.SIGNING_DEMO_PKI = False
    commune = OrgUnit.objects.filter(parent__code="724").first()
    from tinhso.accounts.models import Membership, Role

    Membership.objects.create(user=user_named("lanhdao.thuanan"), org_unit=commune, role=Role.HEAD)
    with pytest.raises(ValidationError, match="chưa được cấu hình chứng thư số"):
        pdf_sign(
            pdf_bytes=result_pdf,
            org_unit=commune,
            signer_user=user_named("lanhdao.thuanan"),
            reason="x",
            location="y",
        )
