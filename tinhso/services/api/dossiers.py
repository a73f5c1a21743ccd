"""Dossiers: the applicant's list and submission, the officers' queue, one dossier and its
workflow actions."""

from __future__ import annotations

from typing import Annotated, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from ninja import File, Form
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus
from ninja.security import django_auth
from pydantic import Field

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.apierrors import ApiError, Id
from tinhso.orgs.models import OrgUnit
from tinhso.services.api.base import _errors, router
from tinhso.services.api.schemas import ActionIn, DossierOut, DossierSubmittedOut
from tinhso.services.applying import dossier_duplicates_today
from tinhso.services.models import Dossier, Procedure, Status
from tinhso.services.selectors import (
    dossier_by_idempotency_key,
    dossier_deadline,
    dossier_get_for_user,
    dossier_list_for_applicant,
    dossier_queue,
    procedure_get_for_submission,
)
from tinhso.services.services import (
    DossierConflict,
    dossier_act,
    dossier_create_and_submit,
)
from tinhso.services.workflow import actions_available, stored_label


def _dossier_out(
    d: Dossier, user: AnyUser | None = None, with_actions: bool = False
) -> dict[str, Any]:
    info = dossier_deadline(dossier=d)
    return {
        "id": d.pk,
        "number": d.number,
        "tracking_code": d.tracking_code or None
        if user_can(user=user, action="services.act.applicant", obj=d)
        else None,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "agency": d.org_unit.agency_name,
        "status": d.status,
        "status_label": str(Status(d.status).label),
        "step": stored_label(d.step.name),
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


def _submitted_out(d: Dossier, user: AnyUser) -> dict[str, Any]:
    """The dossier as sent, with the non-blocking warnings the web review page shows."""
    out = _dossier_out(d, user)
    same = dossier_duplicates_today(dossier=d)
    out["warnings"] = (
        [
            {
                "code": "duplicate_same_day",
                "message": _(
                    "Hôm nay bạn đã nộp (hoặc đang soạn) hồ sơ cùng thủ tục cho cùng đối tượng: "
                    "%(numbers)s. Hồ sơ này vẫn được nộp."
                )
                % {"numbers": ", ".join(o.number or _("bản nháp") for o in same)},
                "dossiers": [
                    {"id": o.pk, "number": o.number, "status": o.status, "created_at": o.created_at}
                    for o in same
                ],
            }
        ]
        if same
        else []
    )
    return out


@router.get("/dossiers/mine", response=list[DossierOut], auth=django_auth, summary="Hồ sơ của tôi")
def my_dossiers(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        _dossier_out(d) for d in dossier_list_for_applicant(user=cast(User, request.user))[:200]
    ]


@router.post(
    "/dossiers",
    response={200: DossierSubmittedOut, 201: DossierSubmittedOut},
    auth=django_auth,
    summary="Nộp hồ sơ",
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
    answers 200 with the dossier the first request created, instead of a second dossier.

    ``warnings`` lists what did not stop the submission: ``duplicate_same_day`` when the same
    applicant already filed (or is drafting) the same procedure for the same subject today."""
    import json

    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key is not None and (len(key) > 80 or not key.isprintable()):
        raise ApiError(
            "invalid_idempotency_key", gettext("Idempotency-Key không hợp lệ."), status=422
        )
    if key is not None:
        first = dossier_by_idempotency_key(user=request.user, key=key)
        if first is not None:
            return HttpStatus(200, _submitted_out(first, request.user))

    try:
        p = procedure_get_for_submission(code=procedure_code)
    except Procedure.DoesNotExist as exc:
        raise ApiError(
            "procedure_not_found", gettext("Không tìm thấy thủ tục."), status=404
        ) from exc
    unit = OrgUnit.objects.filter(pk=org_unit_id).first()
    if unit is None:
        raise ApiError("agency_not_found", gettext("Không tìm thấy cơ quan tiếp nhận."), status=404)
    try:
        data = json.loads(form_json or "{}")
        if not isinstance(data, dict):
            raise ValueError
    except ValueError as exc:
        raise ApiError(
            "invalid_form", gettext("form_json phải là đối tượng JSON."), status=422
        ) from exc
    ids = [int(x) for x in part_ids.split(",") if x.strip().isdigit()]
    uploads = list(files or [])
    if len(ids) != len(uploads):
        raise ApiError("invalid_files", gettext("Số tệp và số part_ids không khớp."), status=422)
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
        return HttpStatus(200, _submitted_out(first, request.user))
    except ValidationError as exc:
        raise _errors(exc) from exc
    except PermissionDenied as exc:
        raise ApiError("forbidden", str(exc), status=403) from exc
    return HttpStatus(201, _submitted_out(dossier, request.user))


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
        raise ApiError("dossier_not_found", gettext("Không tìm thấy hồ sơ."), status=404)
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
            raise ApiError(
                "dossier_not_found", gettext("Không tìm thấy hồ sơ."), status=404
            ) from exc
        raise ApiError("forbidden", str(exc), status=403) from exc
    except ValidationError as exc:
        raise _errors(exc) from exc
    return _dossier_out(d, request.user, with_actions=True)
