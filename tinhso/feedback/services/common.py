"""Shared by the feedback writes: limits, errors, numbering, locking, history events,
notifications, text checks and redaction."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.feedback.models import (
    Feedback,
    FeedbackCounter,
    FeedbackEvent,
)
from tinhso.services import deadlines
from tinhso.services.notifications import Notification, notification_send_all

logger = logging.getLogger("tinhso.feedback.services")


MAX_FILES = 3


ALLOWED_TYPES = ["pdf", "jpg", "png"]


SUBJECT_MAX = 255


TEXT_MAX = 10_000


REASON_MAX = 2_000


class FeedbackConflict(Exception):
    """The feedback changed since the user loaded it."""

    def __init__(self) -> None:
        super().__init__(
            _("Phản ánh vừa được người khác cập nhật. Vui lòng tải lại trang và kiểm tra.")
        )
        self.message = str(self.args[0])


class FeedbackThrottled(Exception):
    """Too many submissions from one client in the window."""

    def __init__(self) -> None:
        super().__init__(
            _("Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn. Vui lòng thử lại sau.")
        )
        self.message = str(self.args[0])


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _counter_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(FeedbackCounter._meta.db_table)
    fields = [cast("Field[Any, Any]", FeedbackCounter._meta.get_field(f)) for f in ("day", "last")]
    day, last = (qn(f.column) for f in fields)
    return (
        f"INSERT INTO {table} ({day}, {last}) VALUES (%s, 1) "  # noqa: S608
        f"ON CONFLICT ({day}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"
    )


def feedback_number_next(*, at: dt.datetime) -> str:
    """``PAKN-YYMMDD-NNNN`` from a daily counter (one statement, locked until commit)."""
    day = timezone.localtime(at, deadlines.TZ).date()
    with connection.cursor() as cur:
        cur.execute(_counter_sql(), [connection.ops.adapt_datefield_value(day)])
        last = cur.fetchone()[0]
    return f"PAKN-{day:%y%m%d}-{last:04d}"


def _event(
    *,
    feedback: Feedback,
    actor: User | None,
    action: str,
    action_name: str,
    comment: str = "",
    public: bool = True,
    at: dt.datetime | None = None,
) -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        feedback=feedback,
        at=at or timezone.now(),
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=(getattr(actor, "display_name", "") or "")[:255] if actor else "",
        action=action,
        action_name=action_name,
        status=feedback.status,
        comment=comment,
        public=public,
    )


def _lock(pk: int, version: int | None) -> Feedback:
    fb = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("org_unit", "dossier", "procedure")
        .filter(pk=pk)
        .first()
    )
    if fb is None:
        raise PermissionDenied(_("Không tìm thấy phản ánh."))
    if version is not None and fb.version != version:
        raise FeedbackConflict()
    return fb


def _save(fb: Feedback, fields: list[str]) -> None:
    fb.version += 1
    fb.save(update_fields=[*fields, "version"])


def _notify(fb: Feedback, *, subject: str, body: str) -> None:
    if not (fb.sender_email or fb.sender_phone):
        return
    n = Notification(
        email=fb.sender_email,
        phone=fb.sender_phone,
        subject=subject,
        body=body,
        dossier_number=fb.number,
    )
    notification_send_all(n)


def _clean_text(value: str, *, field: str, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("Vui lòng nhập %s.") % label]})
    if len(value) > limit:
        raise ValidationError(
            {
                field: [
                    _("%(label)s tối đa %(n)s ký tự.") % {"label": label.capitalize(), "n": limit}
                ]
            }
        )
    return value


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


_DIGITS = re.compile(r"(?<!\w)(\+?84|0)?[\d .-]{8,14}\d(?!\w)")


def redact(text: str, *, names: Sequence[str] = ()) -> str:
    """The text without personal data: e-mail addresses, phone and ID numbers, the
    sender's name. The unit may edit the result before publishing."""
    out = _EMAIL.sub("[…]", text)
    out = _DIGITS.sub(
        lambda m: "[…]" if sum(ch.isdigit() for ch in m.group()) >= 9 else m.group(), out
    )
    for raw_name in names:
        name = raw_name.strip()
        if len(name) >= 3:
            out = re.sub(re.escape(name), "[…]", out, flags=re.IGNORECASE)
    return out
