"""Periodic payment reconciliation (every 15 minutes, by the task workers)."""

from __future__ import annotations

import datetime as dt

from tinhso.jobs.engine import durable_task, periodic_register


@durable_task(max_attempts=3)
def payments_reconcile_task() -> int:
    """Ask the gateway about payments still pending; idempotent (settled ones are skipped)."""
    from tinhso.payments.services import payments_reconcile

    return sum(1 for line in payments_reconcile() if line.after != line.before)


periodic_register(payments_reconcile_task, every=dt.timedelta(minutes=15))
