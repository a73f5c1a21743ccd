"""Submitting feedback and adding information to it."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_can
from tinhso.audit.services import audit_record
from tinhso.feedback import events as ev
from tinhso.feedback import permissions as perms
from tinhso.feedback.models import (
    Category,
    Feedback,
)
from tinhso.feedback.selectors import (
    feedback_can,
    feedback_due_at,
    feedback_office,
    tracking_hash,
)
from tinhso.feedback.services.common import (
    SUBJECT_MAX,
    TEXT_MAX,
    FeedbackThrottled,
    _clean_text,
    _event,
    _lock,
    _notify,
    _save,
    feedback_number_next,
    logger,
)
from tinhso.feedback.services.counters import _first_complaint, feedback_stats_bump
from tinhso.feedback.services.files import _check_files, _store_files
from tinhso.files import atomic_with_files
from tinhso.orgs.models import OrgUnit
from tinhso.services import deadlines
from tinhso.services.models import Dossier, Procedure

# ---------------------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackInput:
    category: str
    subject: str
    text: str
    name: str = ""
    email: str = ""
    phone: str = ""
    publish_consent: bool = False
    procedure: Procedure | None = None
    org_unit: OrgUnit | None = None  # the unit it is about
    dossier: Dossier | None = None


def _throttle(client_key: str, *, authenticated: bool) -> None:
    """At most N submissions per client per hour (anonymous clients fewer), counted in
    the cache; a submission that fails validation still counts (a flood is a flood)."""
    if authenticated:
        limit = int(getattr(settings, "TINHSO_FEEDBACK_USER_LIMIT", 20))
    else:
        limit = int(getattr(settings, "TINHSO_FEEDBACK_ANON_LIMIT", 5))
    key = f"feedback:throttle:{client_key}"
    try:
        cache.add(key, 0, 3600)
        count = cache.incr(key)
    except Exception:  # the cache is shared infrastructure: without it, do not refuse people
        logger.warning("feedback throttle cache unavailable", exc_info=True)
        return
    if count > limit:
        raise FeedbackThrottled()


def _validate_input(user: User | None, data: FeedbackInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data.category not in Category.values:
        errors["category"] = [_("Vui lòng chọn loại phản ánh.")]
    values: dict[str, Any] = {}
    for fname, label, limit, value in (
        ("subject", _("tiêu đề"), SUBJECT_MAX, data.subject),
        ("text", _("nội dung"), TEXT_MAX, data.text),
    ):
        try:
            values[fname] = _clean_text(value, field=fname, label=label, limit=limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    logged_in = user is not None and getattr(user, "is_authenticated", False)
    email = (data.email or (user.email if logged_in and user else "") or "").strip()
    phone = (data.phone or (getattr(user, "phone", "") if logged_in else "") or "").strip()
    name = (data.name or (getattr(user, "display_name", "") if logged_in else "") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    if phone and not re.fullmatch(r"\+?[0-9 .-]{8,20}", phone):
        errors["phone"] = [_("Số điện thoại không hợp lệ.")]
    if not logged_in:
        if not name:
            errors["name"] = [_("Vui lòng nhập họ tên.")]
        if not email and not phone:
            errors["email"] = [_("Vui lòng để lại thư điện tử hoặc số điện thoại để nhận trả lời.")]
    if data.dossier is not None and not user_can(
        user=user if logged_in else None, action="services.act.applicant", obj=data.dossier
    ):
        errors["dossier"] = [_("Chỉ phản ánh được về hồ sơ của chính bạn.")]
    if errors:
        raise ValidationError(errors)
    values.update(name=name[:255] or _("Người gửi"), email=email, phone=phone[:20])
    return values


def feedback_submit(
    *,
    user: User | None,
    data: FeedbackInput,
    files: Sequence[UploadedFile] = (),
    client_key: str,
    now: dt.datetime | None = None,
) -> tuple[Feedback, str]:
    """Receive a feedback or petition. Returns it and its secret tracking code (shown to
    the sender once and sent by e-mail; only its hash is stored). On any error nothing is
    stored: no row, no file."""
    logged_in = user is not None and getattr(user, "is_authenticated", False)
    _throttle(
        f"user:{user.pk}" if logged_in and user else f"ip:{client_key}", authenticated=logged_in
    )
    values = _validate_input(user, data)
    checked = _check_files(files)
    now = now or timezone.now()
    office = feedback_office()
    code = secrets.token_urlsafe(12)
    procedure = data.procedure or (data.dossier.procedure if data.dossier else None)
    with atomic_with_files() as stored:
        fb = Feedback.objects.create(
            number=feedback_number_next(at=now),
            tracking_hash=tracking_hash(code),
            category=data.category,
            subject=values["subject"],
            text=values["text"],
            sender=user if logged_in else None,
            sender_name=values["name"],
            sender_email=values["email"],
            sender_phone=values["phone"],
            publish_consent=data.publish_consent,
            procedure=procedure,
            dossier=data.dossier,
            about_unit=data.org_unit or (data.dossier.org_unit if data.dossier else None),
            org_unit=office,
            received_at=now,
            due_at=feedback_due_at(received_at=now),
        )
        event = _event(
            feedback=fb,
            actor=user if logged_in else None,
            action="submit",
            action_name=ev.RECEIVED,
            at=now,
        )
        _store_files(feedback=fb, event=event, checked=checked, stored=stored)
        feedback_stats_bump(org_unit_id=office.pk, moment=now, received=1)
        if _first_complaint(fb) and fb.dossier is not None:
            feedback_stats_bump(
                org_unit_id=fb.dossier.org_unit_id, moment=now, dossiers_complained=1
            )
        audit_record(
            actor=user if logged_in else None,
            action="feedback.submit",
            obj=fb,
            org_unit=office,
            after={"category": fb.category, "files": len(checked), "dossier": fb.dossier_id},
        )
        _notify(
            fb,
            subject=_("[Tỉnh Số] Đã tiếp nhận phản ánh %s") % fb.number,
            body=_(
                "Phản ánh, kiến nghị của bạn đã được tiếp nhận với số %(number)s.\n"
                "Mã tra cứu: %(code)s\nHạn xử lý: %(due)s.\n"
                "Tra cứu: /phan-anh/tra-cuu/?so=%(number)s"
            )
            % {
                "number": fb.number,
                "code": code,
                "due": timezone.localtime(fb.due_at, deadlines.TZ).strftime("%d/%m/%Y"),
            },
        )
    return fb, code


def feedback_add_info(
    *,
    feedback_id: int,
    user: User | None,
    code: str = "",
    text: str,
    files: Sequence[UploadedFile] = (),
) -> Feedback:
    """The sender adds information (text, files) while the feedback is open. The sender
    is recognised by login or by the tracking code."""
    text = _clean_text(text, field="text", label=_("nội dung bổ sung"), limit=TEXT_MAX)
    checked = _check_files(files)
    with atomic_with_files() as stored:
        fb = _lock(feedback_id, None)
        _check_sender(fb, user, code)
        if not fb.is_open:
            raise ValidationError(_("Phản ánh đã được xử lý xong, không bổ sung được nữa."))
        event = _event(
            feedback=fb,
            actor=user,
            action="add_info",
            action_name=ev.SENDER_ADDED,
            comment=text,
            public=False,
        )
        _store_files(feedback=fb, event=event, checked=checked, stored=stored)
        _save(fb, [])
        audit_record(
            actor=user,
            action="feedback.add_info",
            obj=fb,
            org_unit=fb.org_unit,
            after={"files": len(checked)},
        )
    return fb


def _check_sender(fb: Feedback, user: User | None, code: str) -> None:
    """The sender's steps: the logged-in sender (``feedback.sender``, asked of the permission
    layer) or whoever holds the tracking code (compared in constant time)."""
    if feedback_can(user=user, action=perms.SENDER, feedback=fb):
        return
    if code and hmac.compare_digest(fb.tracking_hash, tracking_hash(code)):
        return
    raise PermissionDenied(_("Chỉ người gửi phản ánh mới thực hiện được thao tác này."))
