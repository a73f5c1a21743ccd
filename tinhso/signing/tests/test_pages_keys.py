from __future__ import annotations

import io
import logging
import os
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tinhso.signing.models import UnitCertificate

from .test_sign_verify import flip_byte_in_signed_range

pytestmark = pytest.mark.django_db
PAGE = "/ky-so/xac-minh/"


def upload(client, data: bytes, name: str = "ket-qua.pdf", url: str = PAGE):
    return client.post(url, {"file": SimpleUploadedFile(name, data, "application/pdf")})


def test_page_renders_accessible_form(client, pki) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xác minh văn bản ký số" in html
    assert '<label for="id_file">' in html
    assert 'enctype="multipart/form-data"' in html
    assert "<script>" not in html and 'style="' not in html and " onclick" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_page_valid_document(client, signed) -> None:
    response = upload(client, signed.read_bytes())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chữ ký hợp lệ" in html
    assert "Trần Thị Bình" in html and "UBND thành phố Dĩ An" in html
    assert "Tệp trùng khớp với kết quả do nền tảng cấp" in html


def test_page_tampered_document(client, signed) -> None:
    response = upload(client, flip_byte_in_signed_range(signed.read_bytes()))
    html = response.content.decode()
    assert "Không xác minh được" in html
    assert "Nội dung tài liệu đã bị thay đổi sau khi ký" in html
    assert "Tệp không trùng với kết quả nào" in html


def test_page_rejects_non_pdf_by_content(client, pki) -> None:
    response = upload(client, b"MZ\x90\x00 not a pdf at all", name="virus.pdf")
    assert response.status_code == 400
    assert "Tệp không phải là tài liệu PDF." in response.content.decode()
    assert client.post(PAGE, {}).status_code == 400


def test_page_rejects_large_file(client, settings, pki) -> None:
    settings.TINHSO_MAX_UPLOAD_BYTES = 1000
    response = upload(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()


def test_api_verify(client, signed, settings) -> None:
    body = client.post(
        "/api/v1/signing/verify",
        {"file": SimpleUploadedFile("a.pdf", signed.read_bytes(), "application/pdf")},
    ).json()
    assert body["ok"] is True and body["trusted_province_ca"] is True
    assert body["unit_code"] == "724" and body["matches_issued_document"] is True
    assert body["signer_name"] == "Trần Thị Bình"
    bad = client.post(
        "/api/v1/signing/verify",
        {"file": SimpleUploadedFile("a.pdf", flip_byte_in_signed_range(signed.read_bytes()))},
    ).json()
    assert bad["ok"] is False and bad["intact"] is False and "thay đổi" in bad["reason"]
    not_pdf = client.post("/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", b"hello")})
    assert not_pdf.status_code == 422 and not_pdf.json()["code"] == "not_pdf"
    settings.TINHSO_MAX_UPLOAD_BYTES = 10
    big = client.post(
        "/api/v1/signing/verify", {"file": SimpleUploadedFile("a.pdf", signed.read_bytes())}
    )
    assert big.status_code == 413


def test_ca_certificate_is_public_but_keys_are_not(client, pki) -> None:
    response = client.get("/ky-so/ca-tinh.pem")
    assert response.status_code == 200
    assert b"BEGIN CERTIFICATE" in response.content
    assert b"PRIVATE KEY" not in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/static/pki/province-ca.key.pem",
        "/static/../var/pki/province-ca.key.pem",
        "/static/%2e%2e/pki/province-ca.key.pem",
        "/static/units/724.p12",
        "/ky-so/province-ca.key.pem",
        "/ky-so/units/724.p12",
        "/ky-so/../pki/tsa.p12",
        "/ky-so/xac-minh/../../var/pki/province-ca.key.pem",
        "/media/signing/",
        "/var/pki/province-ca.key.pem",
    ],
)
def test_private_keys_never_served(client, pki, path) -> None:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code in (301, 302, 404)
    assert b"PRIVATE KEY" not in body and b"ENCRYPTED" not in body
    key = (pki / "province-ca.key.pem").read_bytes()
    assert key[40:100] not in body


def test_key_material_protected_on_disk(pki, settings) -> None:
    assert stat.S_IMODE(os.stat(pki).st_mode) == 0o700
    for path in [pki / "province-ca.key.pem", pki / "tsa.p12", *(pki / "units").glob("*.p12")]:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    # keys are encrypted at rest
    assert b"ENCRYPTED PRIVATE KEY" in (pki / "province-ca.key.pem").read_bytes()
    # the PKI lives outside the static and media roots
    for root in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        assert not str(pki).startswith(str(root))


def test_demo_command_idempotent_and_silent_about_keys(settings, tmp_path, demo_users, caplog):
    settings.SIGNING_DIR = tmp_path / "pki"
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command("signing_demo_pki", stdout=out)
    codes = set(UnitCertificate.objects.values_list("org_unit__code", flat=True))
    assert {"74", "74.STTTT", "724", "725"} <= codes
    first = set(UnitCertificate.objects.values_list("fingerprint_sha256", flat=True))
    from tinhso.signing.demo import demo_load

    demo_load()  # same keys, no new certificates
    assert set(UnitCertificate.objects.values_list("fingerprint_sha256", flat=True)) == first
    logged = out.getvalue() + caplog.text
    assert "PRIVATE KEY" not in logged and "BEGIN" not in logged
    passphrase_hint = (tmp_path / "pki" / "province-ca.key.pem").read_text()[40:80]
    assert passphrase_hint not in logged


def test_demo_command_refused_outside_demo(settings, tmp_path, demo_users) -> None:
    from django.core.management.base import CommandError

    settings.SIGNING_DEMO_PKI = False
    settings.SIGNING_DIR = tmp_path / "pki"
    with pytest.raises(CommandError):
        call_command("signing_demo_pki", stdout=io.StringIO())
    assert not (tmp_path / "pki").exists()
