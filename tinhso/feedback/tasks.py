"""Background work of the feedback domain: the daily reminder of due-soon and overdue
feedback to the units that hold it (``tinhso.jobs.engine``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tinhso.jobs.engine import durable_task, periodic_register


@durable_task(max_attempts=3)
def feedback_remind_task() -> int:
    """``feedback_reminders_send`` once a day (idempotent: an item is reminded once a day)."""
    from tinhso.feedback.services import feedback_reminders_send

    return feedback_reminders_send(now=timezone.now())


periodic_register(
    feedback_remind_task, every=dt.timedelta(days=1), offset=dt.timedelta(hours=-16)
)  # 08:00 in Hà Nội
