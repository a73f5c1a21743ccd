"""Signed results: draft (uploaded, checked by content, or generated from the template),
approval with the head's signature, download (status 10 on the applicant's first), post
delivery, ratings, and who may download."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.audit.models import AuditEntry
from tinhso.services.models import Dossier, DossierEvent, ServiceDailyStat, Status
from tinhso.services.services import (
    DossierConflict,
    dossier_act,
    dossier_approve_sign,
    dossier_rate,
    dossier_result_download,
    dossier_result_post,
    dossier_result_prepare,
)
from tinhso.signing.selectors import pdf_verify
from tinhso.testing import files_on_both

from .conftest import PDF, PNG

PDFSIG = "/usr/bin/pdfsig"
pytestmark = pytest.mark.django_db


def act(user, d, code, **kw):
    return dossier_act(user=user, dossier_id=d.pk, action_code=code, version=d.version, **kw)


@pytest.fixture
def processing(pki, submit_birth, user_named):
    officer = user_named("canbo.dian")
    d = act(officer, submit_birth(), "receive")
    return act(officer, d, "assign")


@pytest.fixture
def processed(processing, user_named):
    officer, head = user_named("canbo.dian"), user_named("lanhdao.dian")
    dossier_result_prepare(user=officer, dossier_id=processing.pk, generate=True)
    d = act(officer, Dossier.objects.get(pk=processing.pk), "forward")
    return dossier_approve_sign(user=head, dossier_id=d.pk, version=d.version)


def pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(data)
    run = subprocess.run(
        [PDFSIG, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return run.stdout + run.stderr


def downloads(d) -> int:
    return AuditEntry.objects.filter(
        action="services.dossier_result_download", object_id=str(d.pk)
    ).count()


def test_generated_result_signed_on_approval(processed, user_named):
    d = processed
    assert d.status == Status.PROCESSED and d.result_digital and len(d.result_ref) == 64
    stat = ServiceDailyStat.objects.get(org_unit=d.org_unit, procedure_code=d.procedure.code)
    assert stat.results_digital == 1 and stat.finished_total == 1


@files_on_both
def test_download_verifies_with_pdfsig_and_returns_the_result(processed, user_named, tmp_path):
    d = processed
    official = dossier_result_download(user=user_named("canbo.dian"), dossier_id=d.pk)
    assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSED  # officials don't deliver
    result = dossier_result_download(user=user_named("congdan"), dossier_id=d.pk)
    assert result.content == official.content
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.returned_at and d.result_downloaded_at
    dossier_result_download(user=user_named("congdan"), dossier_id=d.pk)
    assert DossierEvent.objects.filter(dossier=d, action="deliver_online").count() == 1
    assert downloads(d) == 3
    out = pdfsig(result.content, tmp_path)
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    verified = pdf_verify(pdf_bytes=result.content)
    assert verified.ok, verified.reason
    assert verified.signer_name == "Trần Thị Bình"
    assert verified.unit_name == "UBND phường Dĩ An"
    assert verified.issued_document is not None
    assert verified.issued_document.object_ref == str(d.pk)
    # a modified copy fails both checks
    tampered = bytearray(result.content)
    index = result.content.index(b"stream", 200) + 20
    tampered[index] ^= 0x01
    assert "Signature is Valid" not in pdfsig(bytes(tampered), tmp_path)
    assert not pdf_verify(pdf_bytes=bytes(tampered)).ok


@files_on_both
def test_only_applicant_and_unit_officials_download(processed, user_named, client):
    d = processed
    for name in ("doanhnghiep", "canbo.thuanan", "lanhdao.stttt"):
        with pytest.raises(PermissionDenied):
            dossier_result_download(user=user_named(name), dossier_id=d.pk)
    client.force_login(user_named("canbo.thuanan"))
    assert client.get(f"/dich-vu-cong/ho-so/{d.pk}/ket-qua.pdf").status_code == 404
    client.force_login(user_named("congdan"))
    r = client.get(f"/dich-vu-cong/ho-so/{d.pk}/ket-qua.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Cache-Control"] == "private, no-store" and r.content.startswith(b"%PDF")
    assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED
    client.logout()
    assert client.get(f"/dich-vu-cong/ho-so/{d.pk}/ket-qua.pdf").status_code == 302


def test_no_download_before_the_result(processing, user_named):
    with pytest.raises(ValidationError):
        dossier_result_download(user=user_named("congdan"), dossier_id=processing.pk)


def test_draft_hidden_from_applicant_and_plain_approve_refused(processing, user_named, client):
    officer, head = user_named("canbo.dian"), user_named("lanhdao.dian")
    draft = dossier_result_prepare(user=officer, dossier_id=processing.pk, generate=True)
    d = act(officer, Dossier.objects.get(pk=processing.pk), "forward")
    with pytest.raises(ValidationError):
        act(head, d, "approve")
    with pytest.raises(PermissionDenied):  # officers don't sign
        dossier_approve_sign(user=officer, dossier_id=d.pk, version=d.version)
    with pytest.raises(DossierConflict):
        dossier_approve_sign(user=head, dossier_id=d.pk, version=d.version - 1)
    client.force_login(user_named("congdan"))
    page = client.get(f"/dich-vu-cong/ho-so/{d.pk}/").content.decode()
    assert draft.original_name not in page
    assert client.get(f"/dich-vu-cong/ho-so/{d.pk}/tep/{draft.pk}/").status_code == 404
    client.force_login(officer)
    assert client.get(f"/dich-vu-cong/ho-so/{d.pk}/tep/{draft.pk}/").status_code == 200


def test_uploaded_result_checked_by_content(processing, user_named, unit_pdf):
    officer = user_named("canbo.dian")
    bad = [
        SimpleUploadedFile("ket-qua.pdf", PNG, content_type="application/pdf"),
        SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf"),  # broken
        SimpleUploadedFile("ket-qua.png", PNG, content_type="image/png"),
    ]
    for upload in bad:
        with pytest.raises(ValidationError):
            dossier_result_prepare(user=officer, dossier_id=processing.pk, upload=upload)
    assert not processing.files.filter(kind="result").exists()
    good = SimpleUploadedFile("quyet-dinh.pdf", unit_pdf, content_type="application/pdf")
    draft = dossier_result_prepare(user=officer, dossier_id=processing.pk, upload=good)
    assert draft.kind == "result" and draft.original_name == "quyet-dinh.pdf"
    with pytest.raises(PermissionDenied):
        dossier_result_prepare(user=user_named("congdan"), dossier_id=processing.pk, generate=True)


@pytest.fixture
def unit_pdf(ward_dian):
    from tinhso.signing.documents import pdf_certificate_render

    return pdf_certificate_render(
        title="Quyết định", fields=[("Họ và tên", "Nguyễn Thị Hoa")], org_unit=ward_dian, number="1"
    )


def test_post_delivery(processed, user_named):
    officer = user_named("canbo.dian")
    d = processed
    with pytest.raises(ValidationError):
        act(officer, d, "send_post")  # needs a tracking reference
    with pytest.raises(ValidationError):
        dossier_result_post(user=officer, dossier_id=d.pk, version=d.version, post_ref="x")
    d = dossier_result_post(
        user=officer, dossier_id=d.pk, version=d.version, post_ref="eb123456789vn"
    )
    assert d.status == Status.RETURNED and d.result_post_ref == "EB123456789VN"
    assert "EB123456789VN" in d.events.last().comment


def test_rating_once_after_the_result(processed, user_named):
    applicant = user_named("congdan")
    d = processed
    with pytest.raises(ValidationError):
        dossier_rate(user=applicant, dossier_id=d.pk, rating="satisfied")  # not returned yet
    dossier_result_download(user=applicant, dossier_id=d.pk)
    with pytest.raises(PermissionDenied):
        dossier_rate(user=user_named("canbo.dian"), dossier_id=d.pk, rating="satisfied")
    with pytest.raises(ValidationError):
        dossier_rate(user=applicant, dossier_id=d.pk, rating="excellent")
    d = dossier_rate(user=applicant, dossier_id=d.pk, rating="normal", comment="Nhanh, gọn")
    assert d.rating == "normal" and d.rating_comment == "Nhanh, gọn"
    with pytest.raises(ValidationError):
        dossier_rate(user=applicant, dossier_id=d.pk, rating="satisfied")
    stat = ServiceDailyStat.objects.get(org_unit=d.org_unit, procedure_code=d.procedure.code)
    assert (stat.ratings_total, stat.ratings_normal, stat.ratings_satisfied) == (1, 1, 0)


def test_api_payment_result_verify_rating(processed, user_named, client):
    d = processed
    client.force_login(user_named("congdan"))
    r = client.get(f"/api/v1/dossiers/{d.pk}/payment")
    assert r.status_code == 200 and r.json()["fee_amount"] is None and not r.json()["owed"]
    r = client.get(f"/api/v1/dossiers/{d.pk}/result")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = r.content
    assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED
    upload = SimpleUploadedFile("kq.pdf", pdf, content_type="application/pdf")
    body = client.post("/api/v1/dossiers/results/verify", {"file": upload}).json()
    assert body["ok"] and body["matches_issued_document"] and body["dossier_number"] == d.number
    r = client.post(
        f"/api/v1/dossiers/{d.pk}/rating", {"rating": "satisfied"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["rating"] == "satisfied"
    r = client.post(
        f"/api/v1/dossiers/{d.pk}/rating", {"rating": "satisfied"}, content_type="application/json"
    )
    assert r.status_code == 422
    client.force_login(user_named("canbo.thuanan"))
    assert client.get(f"/api/v1/dossiers/{d.pk}/result").status_code == 404
    assert client.get(f"/api/v1/dossiers/{d.pk}/payment").status_code == 404
    client.logout()
    upload = SimpleUploadedFile("kq.pdf", io.BytesIO(PNG).read(), content_type="application/pdf")
    assert client.post("/api/v1/dossiers/results/verify", {"file": upload}).status_code == 422


def test_api_payment_of_an_owed_dossier(submit_copy, user_named, client):
    d = dossier_act(
        user=user_named("canbo.dian"),
        dossier_id=submit_copy().pk,
        action_code="receive",
        version=1,
    )
    client.force_login(user_named("congdan"))
    body = client.get(f"/api/v1/dossiers/{d.pk}/payment").json()
    assert body["owed"] and body["fee_amount"] == 8000 and body["pay_url"]
    r = client.post(f"/api/v1/dossiers/{d.pk}/payment")
    assert r.status_code == 201 and r.json()["pay_url"].endswith("/thanh-toan")
    assert client.get(f"/api/v1/dossiers/{d.pk}/payment").json()["payment"]["status"] == "pending"
    client.force_login(user_named("doanhnghiep"))
    assert client.post(f"/api/v1/dossiers/{d.pk}/payment").status_code == 404


def test_openapi_documents_fee_result_rating_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/dossiers/{dossier_id}/payment"])
    assert "application/pdf" in str(paths["/api/v1/dossiers/{dossier_id}/result"]["get"])
    assert "post" in paths["/api/v1/dossiers/results/verify"]
    assert "post" in paths["/api/v1/dossiers/{dossier_id}/rating"]
