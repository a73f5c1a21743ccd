"""JSON API of the feedback app (mounted by tinhso.api at /api/v1/feedback).

Submitting works with a session (the sender is the user) or anonymously (name and a
contact required), throttled per client; tracking needs the number and the secret code.
Errors have a stable ``code``: ``invalid``, ``throttled``, ``feedback_not_found``,
``procedure_not_found``, ``agency_not_found``, ``dossier_not_found``, ``forbidden``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus
from ninja.security import django_auth
from pydantic import Field

from tinhso.accounts.models import User
from tinhso.apierrors import ApiError, Id, Offset
from tinhso.feedback.models import Feedback
from tinhso.feedback.selectors import (
    feedback_events,
    feedback_for_reader,
    feedback_list_for_sender,
    feedback_published,
    feedback_sender_dossiers,
    feedback_track,
)
from tinhso.feedback.services import (
    FeedbackInput,
    FeedbackThrottled,
    feedback_add_info,
    feedback_rate,
    feedback_submit,
)
from tinhso.orgs.models import OrgUnit
from tinhso.services.models import Procedure

router = Router(tags=["feedback"])


def _anonymous(request: HttpRequest) -> str:
    return "anonymous"


SESSION_OR_ANONYMOUS = [django_auth, _anonymous]


class EventOut(Schema):
    at: dt.datetime
    action: str


class FeedbackOut(Schema):
    number: str
    category: str
    category_label: str
    subject: str
    status: str
    status_label: str
    org_unit: str
    received_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str
    close_reason: str
    rating: str
    published: bool
    events: list[EventOut]


class SubmittedOut(FeedbackOut):
    tracking_code: str


class PublishedOut(Schema):
    number: str
    category: str
    subject: str
    question: str
    answer: str
    procedure_code: str | None
    org_unit: str
    received_at: dt.datetime
    answered_at: dt.datetime | None
    published_at: dt.datetime | None


class PublishedPage(Schema):
    count: int
    items: list[PublishedOut]


class RateIn(Schema):
    code: str
    rating: str
    reason: str = ""


def _out(fb: Feedback) -> dict[str, Any]:
    return {
        "number": fb.number,
        "category": fb.category,
        "category_label": str(fb.get_category_display()),
        "subject": fb.subject,
        "status": fb.status,
        "status_label": str(fb.get_status_display()),
        "org_unit": fb.org_unit.agency_name,
        "received_at": fb.received_at,
        "due_at": fb.due_at,
        "answered_at": fb.answered_at,
        "answer": fb.answer if fb.status == "answered" else "",
        "close_reason": fb.close_reason,
        "rating": fb.rating,
        "published": fb.published_at is not None,
        "events": [{"at": e.at, "action": e.action_name} for e in feedback_events(feedback=fb)],
    }


def _errors(exc: ValidationError) -> ApiError:
    details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return ApiError("invalid", "; ".join(exc.messages), status=422, details=details)


def _user(request: HttpRequest) -> User | None:
    return request.auth if isinstance(request.auth, User) else None  # type: ignore[attr-defined]


def _not_found() -> ApiError:
    return ApiError(
        "feedback_not_found", _("Không tìm thấy phản ánh với số và mã tra cứu này."), status=404
    )


def _tracked(number: str, code: str) -> Feedback:
    fb = feedback_track(number=number, code=code)
    if fb is None:
        raise _not_found()
    return fb


@router.post(
    "",
    response={201: SubmittedOut},
    auth=SESSION_OR_ANONYMOUS,
    summary="Gửi phản ánh, kiến nghị",
)
def submit(
    request: HttpRequest,
    category: Form[str],
    subject: Form[str],
    text: Form[str],
    name: Form[str] = "",
    email: Form[str] = "",
    phone: Form[str] = "",
    publish_consent: Form[bool] = False,
    procedure_code: Form[str] = "",
    org_unit_id: Form[int | None] = None,
    dossier_number: Form[str] = "",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> HttpStatus[dict[str, Any]]:
    """Multipart. Anonymous senders give ``name`` and ``email`` or ``phone``. The answer
    holds the ``tracking_code`` (shown once; only its hash is kept). On any error nothing
    is stored (no row, no file)."""
    user = _user(request)
    procedure = None
    if procedure_code:
        procedure = Procedure.objects.filter(code=procedure_code, is_active=True).first()
        if procedure is None:
            raise ApiError("procedure_not_found", _("Không tìm thấy thủ tục."), status=404)
    unit = None
    if org_unit_id is not None:
        unit = OrgUnit.objects.filter(pk=org_unit_id).first()
        if unit is None:
            raise ApiError("agency_not_found", _("Không tìm thấy cơ quan."), status=404)
    dossier = None
    if dossier_number:
        dossier = (
            feedback_sender_dossiers(user=user).filter(number=dossier_number).first()
            if user is not None
            else None
        )
        if dossier is None:
            raise ApiError(
                "dossier_not_found",
                _("Không tìm thấy hồ sơ này trong hồ sơ của bạn."),
                status=404,
            )
    data = FeedbackInput(
        category=category,
        subject=subject,
        text=text,
        name=name,
        email=email,
        phone=phone,
        publish_consent=publish_consent,
        procedure=procedure,
        org_unit=unit,
        dossier=dossier,
    )
    try:
        fb, code = feedback_submit(
            user=user,
            data=data,
            files=list(files or []),
            client_key=request.META.get("REMOTE_ADDR") or "",
        )
    except FeedbackThrottled as exc:
        raise ApiError("throttled", exc.message, status=429) from exc
    except ValidationError as exc:
        raise _errors(exc) from exc
    return HttpStatus(201, {**_out(fb), "tracking_code": code})


@router.get("/published", response=PublishedPage, summary="Câu trả lời đã công khai")
def published(
    request: HttpRequest,
    procedure_code: str = "",
    org_unit_id: Id | None = None,
    q: str = "",
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    qs = feedback_published(procedure_code=procedure_code, org_unit_id=org_unit_id, q=q)
    return {
        "count": qs.count(),
        "items": [
            {
                "number": fb.number,
                "category": fb.category,
                "subject": fb.public_subject,
                "question": fb.public_question,
                "answer": fb.answer,
                "procedure_code": fb.procedure.code if fb.procedure else None,
                "org_unit": fb.org_unit.agency_name,
                "received_at": fb.received_at,
                "answered_at": fb.answered_at,
                "published_at": fb.published_at,
            }
            for fb in qs[offset : offset + limit]
        ],
    }


@router.get("/mine", response=list[FeedbackOut], auth=django_auth, summary="Phản ánh tôi đã gửi")
def mine(
    request: HttpRequest,
    limit: Annotated[int, Field(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The logged-in sender's own feedback, newest first (nobody else's)."""
    qs = feedback_list_for_sender(user=_user(request))
    return [_out(fb) for fb in qs[offset : offset + limit]]


@router.get(
    "/{number}",
    response=FeedbackOut,
    auth=SESSION_OR_ANONYMOUS,
    summary="Tra cứu phản ánh (số và mã tra cứu, hoặc người gửi, cán bộ đã đăng nhập)",
)
def track(request: HttpRequest, number: str, code: str = "") -> dict[str, Any]:
    """With the secret ``code``, anyone; without it, the logged-in sender or an official
    whose units hold the feedback. Anyone else: 404 ``feedback_not_found``."""
    fb = feedback_for_reader(user=_user(request), number=number, code=code)
    if fb is None:
        raise _not_found()
    return _out(fb)


@router.post(
    "/{number}/info",
    response=FeedbackOut,
    auth=SESSION_OR_ANONYMOUS,
    summary="Bổ sung thông tin khi phản ánh đang xử lý",
)
def add_info(
    request: HttpRequest,
    number: str,
    code: Form[str],
    text: Form[str],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    fb = _tracked(number, code)
    try:
        fb = feedback_add_info(
            feedback_id=fb.pk, user=_user(request), code=code, text=text, files=list(files or [])
        )
    except ValidationError as exc:
        raise _errors(exc) from exc
    except PermissionDenied as exc:
        raise ApiError("forbidden", str(exc), status=403) from exc
    return _out(fb)


@router.post(
    "/{number}/rating",
    response=FeedbackOut,
    auth=SESSION_OR_ANONYMOUS,
    summary="Đánh giá câu trả lời",
)
def rate(request: HttpRequest, number: str, payload: RateIn) -> dict[str, Any]:
    fb = _tracked(number, payload.code)
    try:
        fb = feedback_rate(
            feedback_id=fb.pk,
            user=_user(request),
            code=payload.code,
            rating=payload.rating,
            reason=payload.reason,
        )
    except ValidationError as exc:
        raise _errors(exc) from exc
    return _out(fb)
