"""The outbox is pushed by a periodic task (every ``TINHSO_PORTAL_PUSH_SECONDS``): services
never imports the portal, so it cannot enqueue a push itself."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from tinhso.jobs.engine import durable_task, periodic_register


@durable_task(max_attempts=1)
def portal_push() -> dict[str, int]:
    """Idempotent: delivered messages are never sent again; the outbox keeps its own tries."""
    from tinhso.portal.services import outbox_deliver

    r = outbox_deliver()
    return {"sent": r.sent, "failed": r.failed}


periodic_register(
    portal_push,
    every=dt.timedelta(seconds=float(getattr(settings, "TINHSO_PORTAL_PUSH_SECONDS", 30))),
)
