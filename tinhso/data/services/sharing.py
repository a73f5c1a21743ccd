"""Sharing with other systems (LGSP): client systems, API keys, grants and access requests."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.data.models import (
    AccessLevel,
    AccessRequest,
    ApiKey,
    ClientSystem,
    Dataset,
    Grant,
    Resource,
)
from tinhso.data.services.common import _require
from tinhso.orgs.models import OrgUnit

# --- client systems and keys ----------------------------------------------------------------

KEY_PREFIX = "tsk"


def apikey_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def client_register(
    *,
    actor: Any,
    org_unit: OrgUnit,
    code: str,
    name: str,
    description: str = "",
    contact_email: str = "",
    is_demo: bool = False,
) -> ClientSystem:
    _require(actor, "data.client", org_unit)
    errors: dict[str, str] = {}
    try:
        validate_slug(code)
    except ValidationError:
        errors["code"] = _("Mã hệ thống chỉ gồm chữ không dấu, số, gạch ngang.")
    if ClientSystem.objects.filter(code=code).exists():
        errors["code"] = _("Mã hệ thống đã tồn tại.")
    if not name.strip():
        errors["name"] = _("Vui lòng nhập tên hệ thống.")
    if errors:
        raise ValidationError(errors)
    client = ClientSystem.objects.create(
        org_unit=org_unit,
        code=code,
        name=name,
        description=description,
        contact_email=contact_email,
        is_demo=is_demo,
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="data.client.register",
        obj=client,
        org_unit=org_unit,
        after={"code": code, "name": name},
    )
    return client


@transaction.atomic
def apikey_issue(
    *, actor: Any, client: ClientSystem, secret: str | None = None
) -> tuple[ApiKey, str]:
    """Issue a key; the plaintext is returned once and only its SHA-256 is stored.

    Keys are 256-bit random secrets, so a fast hash is enough (no password stretching)."""
    _require(actor, "data.client", client.org_unit)
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():  # pragma: no cover (2^-32)
        prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}_{prefix}_{secret or secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        client=client,
        prefix=prefix,
        key_hash=apikey_hash(raw),
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="data.apikey.issue",
        obj=key,
        org_unit=client.org_unit,
        after={"client": client.code, "prefix": prefix},
    )
    return key, raw


@transaction.atomic
def apikey_revoke(*, actor: Any, key: ApiKey, at: dt.datetime | None = None) -> ApiKey:
    _require(actor, "data.client", key.client.org_unit)
    key = (
        ApiKey.objects.select_for_update(of=("self",))
        .select_related("client__org_unit")
        .get(pk=key.pk)
    )
    if key.revoked_at is not None and key.revoked_at <= timezone.now():
        raise ValidationError(_("Khóa này đã bị thu hồi."))
    key.revoked_at = at or timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="data.apikey.revoke",
        obj=key,
        org_unit=key.client.org_unit,
        after={"client": key.client.code, "prefix": key.prefix, "revoked_at": key.revoked_at},
    )
    return key


@transaction.atomic
def apikey_rotate(
    *, actor: Any, client: ClientSystem, grace: dt.timedelta | None = None
) -> tuple[ApiKey, str]:
    """Issue a new key and revoke the others (after ``grace``, default immediately)."""
    _require(actor, "data.client", client.org_unit)
    new_key, raw = apikey_issue(actor=actor, client=client)
    until = timezone.now() + (grace or dt.timedelta(0))
    for old in client.keys.exclude(pk=new_key.pk).filter(revoked_at__isnull=True):
        apikey_revoke(actor=actor, key=old, at=until)
    return new_key, raw


# --- grants and access requests -------------------------------------------------------------


def _unit_entitled(dataset: Dataset, unit: OrgUnit) -> bool:
    """Is ``unit`` (or a unit above it) among the dataset's named units, or the owner?"""
    if unit.path.startswith(dataset.org_unit.path):
        return True
    return any(unit.path.startswith(u.path) for u in dataset.shared_with.all())


@transaction.atomic
def grant_create(
    *,
    actor: Any,
    client: ClientSystem,
    dataset: Dataset,
    purpose: str,
    valid_from: dt.date,
    valid_until: dt.date,
    resource: Resource | None = None,
    request: AccessRequest | None = None,
) -> Grant:
    _require(actor, "data.grant", dataset.org_unit)
    errors: dict[str, str] = {}
    if not purpose.strip():
        errors["purpose"] = _("Vui lòng nêu mục đích sử dụng dữ liệu.")
    if valid_until < valid_from:
        errors["valid_until"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    if resource is not None and resource.dataset_id != dataset.pk:
        errors["resource"] = _("Tài nguyên không thuộc bộ dữ liệu này.")
    if dataset.access_level == AccessLevel.INTERNAL:
        errors["dataset"] = _(
            "Bộ dữ liệu nội bộ không được chia sẻ; hãy đổi mức truy cập thành “chia sẻ” trước."
        )
    elif dataset.access_level == AccessLevel.SHARED and not _unit_entitled(
        dataset, client.org_unit
    ):
        errors["client"] = _(
            "Cơ quan quản lý hệ thống (%(unit)s) không nằm trong danh sách đơn vị được chia sẻ "
            "bộ dữ liệu này."
        ) % {"unit": client.org_unit.name}
    if not client.is_active:
        errors["client"] = _("Hệ thống kết nối đã bị ngừng.")
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.create(
        client=client,
        dataset=dataset,
        resource=resource,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=actor if getattr(actor, "pk", None) else None,
        request=request,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="data.grant.create",
        obj=grant,
        org_unit=dataset.org_unit,
        after={
            "client": client.code,
            "dataset": dataset.name,
            "resource": str(resource.uuid) if resource else None,
            "purpose": purpose,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: Grant) -> Grant:
    _require(actor, "data.grant", grant.dataset.org_unit)
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("dataset__org_unit")
        .get(pk=grant.pk)
    )
    if grant.revoked_at is not None:
        raise ValidationError(_("Quyền truy cập này đã bị thu hồi."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if getattr(actor, "pk", None) else None
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="data.grant.revoke",
        obj=grant,
        org_unit=grant.dataset.org_unit,
        after={"revoked_at": grant.revoked_at},
    )
    return grant


@transaction.atomic
def access_request_create(
    *,
    actor: Any,
    dataset: Dataset,
    unit: OrgUnit,
    purpose: str,
    valid_from: dt.date,
    valid_until: dt.date,
    client: ClientSystem | None = None,
) -> AccessRequest:
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied(_("Vui lòng đăng nhập."))
    _require(actor, "data.request", unit)
    errors: dict[str, str] = {}
    if dataset.access_level == AccessLevel.PUBLIC:
        errors["dataset"] = _("Dữ liệu công khai: không cần xin quyền truy cập.")
    elif dataset.access_level == AccessLevel.INTERNAL:
        errors["dataset"] = _("Dữ liệu nội bộ không nhận yêu cầu truy cập.")
    if not purpose.strip():
        errors["purpose"] = _("Vui lòng nêu mục đích sử dụng dữ liệu.")
    if valid_until < valid_from:
        errors["valid_until"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    if valid_until < timezone.localdate():
        errors["valid_until"] = _("Thời hạn đã qua.")
    if client is not None and client.org_unit_id != unit.pk:
        errors["client"] = _("Hệ thống kết nối phải thuộc đơn vị gửi yêu cầu.")
    if AccessRequest.objects.filter(
        dataset=dataset, requesting_unit=unit, status=AccessRequest.Status.PENDING
    ).exists():
        errors["dataset"] = _("Đơn vị đã có một yêu cầu đang chờ duyệt cho bộ dữ liệu này.")
    if errors:
        raise ValidationError(errors)
    req = AccessRequest.objects.create(
        dataset=dataset,
        requesting_unit=unit,
        requested_by=actor,
        client=client,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="data.request.create",
        obj=req,
        org_unit=dataset.org_unit,
        after={"dataset": dataset.name, "unit": unit.code, "purpose": purpose},
    )
    return req


@transaction.atomic
def access_request_decide(
    *, actor: Any, request: AccessRequest, approve: bool, note: str = ""
) -> AccessRequest:
    """The owner unit's head approves (the unit is added to the named units and, if a client
    system was named, a grant is issued for the requested period) or rejects."""
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied(_("Vui lòng đăng nhập."))
    _require(actor, "data.grant", request.dataset.org_unit)
    req = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("dataset__org_unit", "requesting_unit", "client__org_unit")
        .get(pk=request.pk)
    )
    if req.status != AccessRequest.Status.PENDING:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Vui lòng nêu lý do từ chối.")})
    req.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.REJECTED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.save()
    if approve:
        req.dataset.shared_with.add(req.requesting_unit)
        if req.client is not None:
            grant_create(
                actor=actor,
                client=req.client,
                dataset=req.dataset,
                purpose=req.purpose,
                valid_from=req.valid_from,
                valid_until=req.valid_until,
                request=req,
            )
    audit_record(
        actor=actor,
        action="data.request.approve" if approve else "data.request.reject",
        obj=req,
        org_unit=req.dataset.org_unit,
        after={"status": req.status, "note": note},
    )
    return req
