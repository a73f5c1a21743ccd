"""JSON API of the signing app (mounted by tinhso.api at /api/v1/signing)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from tinhso.apierrors import ApiError
from tinhso.signing import conf
from tinhso.signing.selectors import pdf_verify

router = Router(tags=["signing"])


class SignatureOut(Schema):
    field_name: str
    intact: bool
    valid: bool
    trusted: bool
    modified_after: bool
    signer_name: str
    organisation: str
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    problem: str


class VerificationOut(Schema):
    ok: bool
    reason: str
    signed: bool
    intact: bool
    trusted_province_ca: bool
    signer_name: str
    unit_name: str
    unit_code: str | None
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    sha256: str
    matches_issued_document: bool
    issued_at: dt.datetime | None
    signatures: list[SignatureOut]


@router.post(
    "/verify",
    response=VerificationOut,
    summary="Xác minh chữ ký số của một tệp PDF",
    description=(
        "Gửi tệp PDF (multipart, trường `file`, tối đa 10 MB). Trả về chữ ký còn nguyên vẹn "
        "hay không (kèm lý do bằng tiếng Việt), người ký, đơn vị, thời điểm ký, có xâu chuỗi "
        "tới CA của tỉnh không và có trùng với một kết quả do nền tảng cấp không. Công khai."
    ),
)
def verify(request: HttpRequest, file: UploadedFile = File(...)) -> dict:  # noqa: B008
    if file.size is not None and file.size > conf.max_upload_bytes():
        raise ApiError(
            "too_large",
            gettext("Tệp quá lớn (tối đa %(mb)s MB).")
            % {"mb": conf.max_upload_bytes() // (1024 * 1024)},
            status=413,
        )
    data = file.read(conf.max_upload_bytes() + 1)
    if len(data) > conf.max_upload_bytes():
        raise ApiError(
            "too_large",
            gettext("Tệp quá lớn (tối đa %(mb)s MB).")
            % {"mb": conf.max_upload_bytes() // (1024 * 1024)},
            status=413,
        )
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise ApiError("not_pdf", gettext("Tệp không phải là tài liệu PDF."), status=422)
    result = pdf_verify(pdf_bytes=data)
    issued = result.issued_document
    return {
        "ok": result.ok,
        "reason": result.reason,
        "signed": result.signed,
        "intact": result.intact,
        "trusted_province_ca": result.trusted,
        "signer_name": result.signer_name,
        "unit_name": result.unit_name,
        "unit_code": result.org_unit.code if result.org_unit else None,
        "signing_time": result.signing_time,
        "timestamp_time": result.timestamp_time,
        "sha256": result.sha256,
        "matches_issued_document": issued is not None,
        "issued_at": issued.signed_at if issued else None,
        "signatures": [
            {
                "field_name": s.field_name,
                "intact": s.intact,
                "valid": s.valid,
                "trusted": s.trusted,
                "modified_after": s.modified_after,
                "signer_name": s.signer_name,
                "organisation": s.organisation,
                "signing_time": s.signing_time,
                "timestamp_time": s.timestamp_time,
                "problem": s.problem,
            }
            for s in result.signatures
        ],
    }
