"""JSON API of the services app (mounted by tinhso.api at /api/v1)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer
from ninja.responses import Status as HttpStatus
from ninja.security import django_auth
from pydantic import Field

from tinhso.accounts.models import User
from tinhso.accounts.usertypes import AnyUser
from tinhso.apierrors import ApiError, Id, Offset
from tinhso.http import client_address
from tinhso.orgs.models import OrgUnit
from tinhso.services.applying import procedure_applicant_kinds
from tinhso.services.models import Dossier, Procedure, Status
from tinhso.services.procedure_page import legal_basis_documents
from tinhso.services.selectors import (
    dossier_by_idempotency_key,
    dossier_deadline,
    dossier_fee_info,
    dossier_get_for_user,
    dossier_list_for_applicant,
    dossier_queue,
    dossier_track,
    dossier_track_throttled,
    procedure_agency_units,
    procedure_get,
    procedure_get_for_submission,
    procedure_search,
)
from tinhso.services.services import (
    RATINGS,
    RESULT_PURPOSE,
    DossierConflict,
    dossier_act,
    dossier_create_and_submit,
    dossier_fee_pay_start,
    dossier_rate,
    dossier_result_download,
)
from tinhso.services.workflow import actions_available

router = Router(tags=["services"])
# The renderer of the root NinjaAPI (tinhso.api keeps ninja's default): the tracking answer
# is rendered with it directly, so this router needs nothing from the API it is mounted on.
_RENDERER = JSONRenderer()


class ChannelOut(Schema):
    channel: int
    channel_label: str
    time_value: float | None
    time_unit: str
    fee_amount: int | None
    fee_currency: str
    fee_is_free: bool
    fee_per_copy: bool
    time_label: str


class PartOut(Schema):
    id: int
    name: str
    required: bool
    copies: int | None
    accepted_types: list[str]


class FieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str]


class AgencyOut(Schema):
    id: int
    code: str
    name: str


class ProcedureOut(Schema):
    code: str
    name: str
    field: str | None
    levels: list[str]
    service_class: str


class LegalDocumentOut(Schema):
    name: str
    code: str


class ProcedureDetailOut(ProcedureOut):
    applicants: str
    applicant_kinds: list[str]
    result: str
    legal_basis: str
    legal_documents: list[LegalDocumentOut]
    channels: list[ChannelOut]
    parts: list[PartOut]
    form: list[FieldOut]
    agencies: list[AgencyOut]


class ProcedurePage(Schema):
    count: int
    items: list[ProcedureOut]


class TrackStepOut(Schema):
    at: dt.datetime
    action: str
    status: str


class TrackOut(Schema):
    number: str
    procedure_code: str
    procedure_name: str
    agency: str
    status: int
    status_label: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    deadline: str
    steps: list[TrackStepOut]
    applicant_name: str | None = None


class DossierOut(Schema):
    id: int
    number: str | None
    # the applicant's own dossiers only: the secret for public tracking with personal details
    tracking_code: str | None = None
    procedure_code: str
    procedure_name: str
    agency: str
    status: int
    status_label: str
    step: str
    channel: int
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    deadline: str
    deadline_flag: str
    version: int
    actions: list[str] = []


class ActionIn(Schema):
    action: str
    version: int
    comment: str = ""


def _procedure_out(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field.name if p.field else None,
        "levels": p.level_list,
        "service_class": p.service_class,
    }


def _dossier_out(
    d: Dossier, user: AnyUser | None = None, with_actions: bool = False
) -> dict[str, Any]:
    info = dossier_deadline(dossier=d)
    return {
        "id": d.pk,
        "number": d.number,
        "tracking_code": d.tracking_code or None
        if user is not None and d.applicant_id == getattr(user, "pk", None)
        else None,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "agency": d.org_unit.agency_name,
        "status": d.status,
        "status_label": str(Status(d.status).label),
        "step": d.step.name,
        "channel": d.channel,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "deadline": info.label,
        "deadline_flag": info.css,
        "version": d.version,
        "actions": [a.code for a in actions_available(user=user, dossier=d)]
        if with_actions
        else [],
    }


def _errors(exc: ValidationError) -> ApiError:
    details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return ApiError("invalid", "; ".join(exc.messages), status=422, details=details)


@router.get("/procedures", response=ProcedurePage, summary="Tìm thủ tục hành chính")
def procedures(
    request: HttpRequest,
    q: str = "",
    field_id: Id | None = None,
    level: str = "",
    org_unit_id: Id | None = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    qs = procedure_search(q=q, field_id=field_id, level=level, org_unit_id=org_unit_id)
    return {
        "count": qs.count(),
        "items": [_procedure_out(p) for p in qs[offset : offset + limit]],
    }


@router.get("/procedures/{code}", response=ProcedureDetailOut, summary="Chi tiết thủ tục")
def procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    from tinhso.services.eform import eform_fields

    try:
        p = procedure_get(code=code)
    except Procedure.DoesNotExist as exc:
        raise ApiError("procedure_not_found", "Không tìm thấy thủ tục.", status=404) from exc
    return {
        **_procedure_out(p),
        "applicants": p.applicants,
        "applicant_kinds": sorted(procedure_applicant_kinds(procedure=p)),
        "result": p.result_name,
        "legal_basis": p.legal_basis,
        "legal_documents": [
            {"name": d.name, "code": d.code} for d in legal_basis_documents(p.legal_basis)
        ],
        "channels": [
            {
                "channel": c.channel,
                "channel_label": c.get_channel_display(),
                "time_value": float(c.time_value) if c.time_value is not None else None,
                "time_unit": c.time_unit,
                "fee_amount": c.fee_amount,
                "fee_currency": c.fee_currency,
                "fee_is_free": c.fee_is_free,
                "fee_per_copy": c.fee_per_copy,
                "time_label": c.time_label,
            }
            for c in p.channels.all()
        ],
        "parts": [
            {
                "id": x.pk,
                "name": x.name,
                "required": x.required,
                "copies": x.copies,
                "accepted_types": x.type_list,
            }
            for x in p.parts.all()
        ],
        "form": [
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "required": f.required,
                "choices": f.choices,
            }
            for f in eform_fields(procedure=p)
        ],
        "agencies": [
            {"id": u.pk, "code": u.code, "name": u.agency_name}
            for u in procedure_agency_units(procedure=p)
        ],
    }


@router.get("/dossiers/track/{number}", response=TrackOut, summary="Tra cứu hồ sơ công khai")
def track(request: HttpRequest, number: str, code: str = "") -> Any:
    if dossier_track_throttled(client=client_address(request), number=number, code=code):
        raise ApiError(
            "too_many_requests", gettext("Tra cứu quá nhiều lần, vui lòng thử lại sau."), status=429
        )
    result = dossier_track(number=number, code=code)
    if result is None:
        raise ApiError("dossier_not_found", "Không tìm thấy hồ sơ với số này.", status=404)
    # A hot public endpoint: the answer is rendered here, as ``TrackOut`` would render it
    # (same fields, order and JSON encoder; tests/test_tracking.py compares the two),
    # without validating it again through the schema, which stays the documented one.
    body = {
        "number": result.number,
        "procedure_code": result.procedure_code,
        "procedure_name": result.procedure_name,
        "agency": result.agency,
        "status": result.status,
        "status_label": result.status_label,
        "submitted_at": result.submitted_at,
        "received_at": result.received_at,
        "due_at": result.due_at,
        "finished_at": result.finished_at,
        "deadline": result.deadline,
        "steps": [{"at": s.at, "action": s.action, "status": s.status} for s in result.steps],
        "applicant_name": result.applicant_name,
    }
    return HttpResponse(
        _RENDERER.render(request, body, response_status=200),
        content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}",
    )


@router.get("/dossiers/mine", response=list[DossierOut], auth=django_auth, summary="Hồ sơ của tôi")
def my_dossiers(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        _dossier_out(d) for d in dossier_list_for_applicant(user=cast(User, request.user))[:200]
    ]


@router.post(
    "/dossiers", response={200: DossierOut, 201: DossierOut}, auth=django_auth, summary="Nộp hồ sơ"
)
def submit(
    request: HttpRequest,
    procedure_code: Form[str],
    org_unit_id: Form[int],
    form_json: Form[str] = "{}",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    part_ids: Form[str] = "",
) -> HttpStatus[dict[str, Any]]:
    """Multipart: ``form_json`` holds the e-form values; ``files[i]`` belongs to the part
    ``part_ids`` (comma-separated, same order). Creates and sends the dossier in one
    transaction: on any error nothing is stored (no draft, no file).

    Header ``Idempotency-Key`` (up to 80 characters, recommended): a retry with the same key
    answers 200 with the dossier the first request created, instead of a second dossier."""
    import json

    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key is not None and (len(key) > 80 or not key.isprintable()):
        raise ApiError("invalid_idempotency_key", "Idempotency-Key không hợp lệ.", status=422)
    if key is not None:
        first = dossier_by_idempotency_key(user=request.user, key=key)
        if first is not None:
            return HttpStatus(200, _dossier_out(first, request.user))

    try:
        p = procedure_get_for_submission(code=procedure_code)
    except Procedure.DoesNotExist as exc:
        raise ApiError("procedure_not_found", "Không tìm thấy thủ tục.", status=404) from exc
    unit = OrgUnit.objects.filter(pk=org_unit_id).first()
    if unit is None:
        raise ApiError("agency_not_found", "Không tìm thấy cơ quan tiếp nhận.", status=404)
    try:
        data = json.loads(form_json or "{}")
        if not isinstance(data, dict):
            raise ValueError
    except ValueError as exc:
        raise ApiError("invalid_form", "form_json phải là đối tượng JSON.", status=422) from exc
    ids = [int(x) for x in part_ids.split(",") if x.strip().isdigit()]
    uploads = list(files or [])
    if len(ids) != len(uploads):
        raise ApiError("invalid_files", "Số tệp và số part_ids không khớp.", status=422)
    by_part: dict[int, list[Any]] = {}
    for pid, f in zip(ids, uploads, strict=True):
        by_part.setdefault(pid, []).append(f)
    try:
        dossier = dossier_create_and_submit(
            user=request.user,
            procedure=p,
            org_unit=unit,
            form_data=data,
            files=by_part,
            idempotency_key=key,
        )
    except IntegrityError:
        # the same key raced in from a concurrent retry: answer with the one that committed
        first = dossier_by_idempotency_key(user=request.user, key=key) if key else None
        if first is None:
            raise
        return HttpStatus(200, _dossier_out(first, request.user))
    except ValidationError as exc:
        raise _errors(exc) from exc
    except PermissionDenied as exc:
        raise ApiError("forbidden", str(exc), status=403) from exc
    return HttpStatus(201, _dossier_out(dossier, request.user))


@router.get(
    "/dossiers/queue", response=list[DossierOut], auth=django_auth, summary="Hàng đợi xử lý"
)
def queue(
    request: HttpRequest,
    status: Annotated[int, Field(ge=0, le=100)] | None = None,
    q: str = "",
    sort: str = "due",
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    qs = dossier_queue(user=request.user, status=status, q=q, sort=sort)
    return [_dossier_out(d) for d in qs[:limit]]


@router.get("/dossiers/{dossier_id}", response=DossierOut, auth=django_auth, summary="Một hồ sơ")
def dossier(request: HttpRequest, dossier_id: Id) -> dict[str, Any]:
    d = dossier_get_for_user(user=request.user, pk=dossier_id)
    if d is None:
        raise ApiError("dossier_not_found", "Không tìm thấy hồ sơ.", status=404)
    return _dossier_out(d, request.user, with_actions=True)


@router.post(
    "/dossiers/{dossier_id}/actions", response=DossierOut, auth=django_auth, summary="Thao tác"
)
def act(request: HttpRequest, dossier_id: Id, payload: ActionIn) -> dict[str, Any]:
    try:
        d = dossier_act(
            user=request.user,
            dossier_id=dossier_id,
            action_code=payload.action,
            version=payload.version,
            comment=payload.comment,
        )
    except DossierConflict as exc:
        raise ApiError("conflict", exc.message, status=409) from exc
    except PermissionDenied as exc:
        if dossier_get_for_user(user=request.user, pk=dossier_id) is None:
            raise ApiError("dossier_not_found", "Không tìm thấy hồ sơ.", status=404) from exc
        raise ApiError("forbidden", str(exc), status=403) from exc
    except ValidationError as exc:
        raise _errors(exc) from exc
    return _dossier_out(d, request.user, with_actions=True)


# ---------------------------------------------------------------------------------------
# Fees, results, verification, ratings
# ---------------------------------------------------------------------------------------


class PaymentBrief(Schema):
    txn_ref: str
    status: str
    status_label: str
    gateway: str
    amount: int
    paid_at: dt.datetime | None
    receipt_number: str | None


class FeeOut(Schema):
    dossier_id: int
    number: str | None
    fee_amount: int | None
    currency: str = "VND"
    fee_timing: str
    owed: bool
    paid: bool
    paid_at: dt.datetime | None
    paid_online: bool
    payment: PaymentBrief | None
    pay_url: str | None
    receipt_url: str | None


class PayStartOut(Schema):
    txn_ref: str
    amount: int
    pay_url: str


class RatingIn(Schema):
    rating: str
    comment: str = ""


class RatingOut(Schema):
    dossier_id: int
    rating: str
    rated_at: dt.datetime


class ResultVerifyOut(Schema):
    ok: bool
    reason: str
    signer_name: str
    unit_name: str
    signing_time: dt.datetime | None
    matches_issued_document: bool
    dossier_number: str | None
    procedure_name: str | None


def _visible_or_404(request: HttpRequest, dossier_id: Id) -> Dossier:
    d = dossier_get_for_user(user=request.user, pk=dossier_id)
    if d is None:
        raise ApiError("dossier_not_found", "Không tìm thấy hồ sơ.", status=404)
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
    is_applicant = d.applicant_id == request.user.pk
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
        raise ApiError("dossier_not_found", "Không tìm thấy hồ sơ.", status=404) from exc
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
        raise ApiError("dossier_not_found", "Không tìm thấy hồ sơ.", status=404) from exc
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
        raise ApiError("too_large", "Tệp quá lớn (tối đa 10 MB).", status=413)
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise ApiError("not_pdf", "Tệp không phải là tài liệu PDF.", status=422)
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
            raise ApiError("dossier_not_found", "Không tìm thấy hồ sơ.", status=404) from exc
        raise ApiError("forbidden", str(exc), status=403) from exc
    except ValidationError as exc:
        raise _errors(exc) from exc
    return {"dossier_id": d.pk, "rating": d.rating, "rated_at": d.rated_at}
