"""Reminders (scheduled by the background worker)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import unit_members
from tinhso.audit.services import audit_record
from tinhso.feedback import permissions as perms
from tinhso.feedback.models import (
    Feedback,
)
from tinhso.feedback.selectors import (
    feedback_due_for_reminder,
)
from tinhso.services import deadlines
from tinhso.services.notifications import Notification, notification_send_all

# ---------------------------------------------------------------------------------------
# Reminders (scheduled by the background worker)
# ---------------------------------------------------------------------------------------


def feedback_reminders_send(*, now: dt.datetime) -> int:
    """E-mail the officers and heads of each unit holding open feedback that is due within
    one working day or overdue; each feedback at most once a day. Returns how many
    feedback items were reminded of."""
    due = feedback_due_for_reminder(now=now)
    if not due:
        return 0
    day = timezone.localtime(now, deadlines.TZ).date()
    by_unit: dict[int, list[Feedback]] = {}
    for fb in due:
        by_unit.setdefault(fb.org_unit_id, []).append(fb)
    with transaction.atomic():
        for unit_id, items in by_unit.items():
            # the unit's own officials on that day (memberships valid then), from the layer
            members = unit_members(org_unit_id=unit_id, action=perms.VIEW, on=day)
            emails = sorted({e for e in members.values_list("email", flat=True) if e})
            lines = [
                f"{fb.number}: {fb.subject[:80]} — "
                + (_("quá hạn") if fb.due_at < now else _("sắp đến hạn"))
                + f" ({timezone.localtime(fb.due_at, deadlines.TZ):%d/%m/%Y %H:%M})"
                for fb in items
            ]
            for email in emails:
                n = Notification(
                    email=email,
                    phone="",
                    subject=_("[Tỉnh Số] %s phản ánh sắp đến hạn hoặc quá hạn") % len(items),
                    body="\n".join([*lines, "", "/phan-anh/xu-ly/"]),
                    dossier_number="",
                )
                notification_send_all(n)
            Feedback.objects.filter(pk__in=[fb.pk for fb in items]).update(reminded_on=day)
            audit_record(
                actor=None,
                action="feedback.remind",
                object_type="orgs.orgunit",
                object_id=str(unit_id),
                extra={"feedback": [fb.number for fb in items]},
            )
    return len(due)
