"""Daily monitoring reminders (reporting deadlines, overdue plan tasks)."""

from __future__ import annotations

import datetime as dt

from tinhso.jobs.engine import durable_task, periodic_register


@durable_task(max_attempts=3)
def monitoring_remind_task() -> None:
    """Runs ``manage.py monitoring_remind``. One run per day (the periodic slot)."""
    from django.core.management import call_command

    call_command("monitoring_remind")


periodic_register(
    monitoring_remind_task, every=dt.timedelta(days=1), offset=dt.timedelta(hours=-17)
)  # 07:00 in Hà Nội
