"""Fees, results, verification, ratings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from ninja import File
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus
from ninja.security import django_auth

from tinhso.accounts.permissions import user_can
from tinhso.apierrors import ApiError, Id
from tinhso.http import client_address
from tinhso.services.api.base import _errors, router
from tinhso.services.api.schemas import FeeOut, PayStartOut, RatingIn, RatingOut, ResultVerifyOut
from tinhso.services.models import Dossier
from tinhso.services.selectors import (
    dossier_fee_info,
    dossier_get_for_user,
)
from tinhso.services.services import (
    RATINGS,
    RESULT_PURPOSE,
    dossier_fee_pay_start,
    dossier_rate,
    dossier_result_download,
)


def _visible_or_404(request: HttpRequest, dossier_id: Id) -> Dossier:
    d = dossier_get_for_user(user=request.user, pk=dossier_id)
    if d is None:
        raise ApiError("dossier_not_found", gettext("Không tìm thấy hồ sơ."), status=404)
    return d


@router.get(
    "/dossiers/{dossier_id}/payment",
    response=FeeOut,
    auth=django_auth,
    summary="Phí, lệ phí và trạng thái thanh toán của hồ sơ",
    description="Người nộp hoặc cán bộ của đơn vị tiếp nhận. `pay_url`: trang thanh toán "
    "(chỉ khi hồ sơ đang chờ nộp phí và người gọi là người nộp).",
)
def dossier_payment(request: HttpRequest, dossier_id: Id) -> dict[str, Any]:
    d = _visible_or_404(request, dossier_id)
    info = dossier_fee_info(dossier=d)
    p = info.payment
    is_applicant = user_can(user=request.user, action="services.act.applicant", obj=d)
    return {
        "dossier_id": d.pk,
        "number": d.number,
        "fee_amount": d.fee_amount,
        "fee_timing": info.timing,
        "owed": info.owed,
        "paid": info.paid,
        "paid_at": info.paid_at,
        "paid_online": info.online,
        "payment": {
            "txn_ref": p.txn_ref,
            "status": p.status,
            "status_label": p.get_status_display(),
            "gateway": p.gateway,
            "amount": p.amount,
            "paid_at": p.paid_at,
            "receipt_number": p.receipt_number,
        }
        if p is not None
        else None,
        "pay_url": reverse("services:pay", args=[d.pk]) if info.owed and is_applicant else None,
        "receipt_url": info.receipt_url,
    }


@router.post(
    "/dossiers/{dossier_id}/payment",
    response={201: PayStartOut},
    auth=django_auth,
    summary="Mở thanh toán trực tuyến phí, lệ phí của hồ sơ",
    description="Chỉ người nộp, khi hồ sơ đang chờ nộp phí (trạng thái 6). Trả về "
    "`pay_url`: chuyển người dùng tới đó (cổng thanh toán). Gọi lại khi đang có giao dịch "
    "chờ trả về đúng giao dịch đó.",
)
def dossier_payment_start(request: HttpRequest, dossier_id: Id) -> HttpStatus[dict[str, Any]]:
    try:
        payment = dossier_fee_pay_start(
            user=request.user, dossier_id=dossier_id, client_ip=client_address(request) or None
        )
    except PermissionDenied as exc:
        raise ApiError("dossier_not_found", gettext("Không tìm thấy hồ sơ."), status=404) from exc
    except ValidationError as exc:
        raise _errors(exc) from exc
    return HttpStatus(
        201,
        {
            "txn_ref": payment.txn_ref,
            "amount": payment.amount,
            "pay_url": reverse("payments:start", args=[payment.txn_ref]),
        },
    )


@router.get(
    "/dossiers/{dossier_id}/result",
    auth=django_auth,
    summary="Tải kết quả điện tử (PDF đã ký số)",
    description="Người nộp hoặc cán bộ của đơn vị tiếp nhận. Lần tải đầu của người nộp "
    "chuyển hồ sơ sang “Đã trả kết quả” (10); mọi lần tải đều được ghi nhật ký.",
    openapi_extra={
        "responses": {
            200: {"description": "PDF", "content": {"application/pdf": {}}},
            404: {"description": "Không tìm thấy hồ sơ"},
            409: {"description": "Chưa có kết quả điện tử"},
        }
    },
)
def dossier_result(request: HttpRequest, dossier_id: Id) -> HttpResponse:
    try:
        result = dossier_result_download(
            user=request.user, dossier_id=dossier_id, remote_ip=client_address(request) or None
        )
    except PermissionDenied as exc:
        raise ApiError("dossier_not_found", gettext("Không tìm thấy hồ sơ."), status=404) from exc
    except ValidationError as exc:
        raise ApiError("no_result", "; ".join(exc.messages), status=409) from exc
    response = HttpResponse(result.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/dossiers/results/verify",
    response=ResultVerifyOut,
    summary="Xác minh một kết quả giải quyết TTHC (PDF đã ký số)",
    description="Công khai. Như `POST /api/v1/signing/verify`, kèm số hồ sơ khi tệp trùng "
    "với một kết quả do nền tảng cấp (không trả thông tin cá nhân).",
)
def result_verify(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    from tinhso.signing import conf as signing_conf
    from tinhso.signing.selectors import pdf_verify

    limit = signing_conf.max_upload_bytes()
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(
            "too_large",
            gettext("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": limit // (1024 * 1024)},
            status=413,
        )
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise ApiError("not_pdf", gettext("Tệp không phải là tài liệu PDF."), status=422)
    res = pdf_verify(pdf_bytes=data)
    issued = res.issued_document
    dossier = None
    if issued is not None and issued.purpose == RESULT_PURPOSE and issued.object_ref.isdigit():
        dossier = (
            Dossier.objects.select_related("procedure").filter(pk=int(issued.object_ref)).first()
        )
    return {
        "ok": res.ok,
        "reason": res.reason,
        "signer_name": res.signer_name,
        "unit_name": res.unit_name,
        "signing_time": res.signing_time,
        "matches_issued_document": issued is not None,
        "dossier_number": dossier.number if dossier else None,
        "procedure_name": dossier.procedure.name if dossier else None,
    }


@router.post(
    "/dossiers/{dossier_id}/rating",
    response=RatingOut,
    auth=django_auth,
    summary="Đánh giá mức độ hài lòng (một lần, sau khi nhận kết quả)",
    description=f"`rating`: {', '.join(RATINGS)}; `comment` không bắt buộc.",
)
def dossier_rating(request: HttpRequest, dossier_id: Id, payload: RatingIn) -> dict[str, Any]:
    try:
        d = dossier_rate(
            user=request.user, dossier_id=dossier_id, rating=payload.rating, comment=payload.comment
        )
    except PermissionDenied as exc:
        if dossier_get_for_user(user=request.user, pk=dossier_id) is None:
            raise ApiError(
                "dossier_not_found", gettext("Không tìm thấy hồ sơ."), status=404
            ) from exc
        raise ApiError("forbidden", str(exc), status=403) from exc
    except ValidationError as exc:
        raise _errors(exc) from exc
    return {"dossier_id": d.pk, "rating": d.rating, "rated_at": d.rated_at}
