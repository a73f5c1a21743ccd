"""Background tasks of the services domain (``tinhso.jobs.engine``: retries, idempotency,
periodic jobs). Callers enqueue with ``tinhso.jobs.engine.enqueue(task, ...)``."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from tinhso.jobs.engine import durable_task, effect_once, periodic_register

log = logging.getLogger(__name__)


@durable_task(max_attempts=5)
def notification_send(*, channel: str, key: str, payload: dict[str, Any]) -> bool:
    """Send one notification on one channel, once (``key`` identifies the message)."""
    from tinhso.services.notifications import Notification, sender_get

    sender = sender_get(channel)
    if sender is None:
        log.error("Notification channel %r is not registered", channel)
        return False
    with effect_once(f"notify:{channel}:{key}") as first:
        if first:
            sender(Notification(**payload))
        return first


@durable_task(max_attempts=3)
def service_stats_rebuild() -> int:
    """Recompute every statistics row from the dossiers (repairs drift; idempotent)."""
    from tinhso.services.services import stats_rebuild

    return stats_rebuild()


periodic_register(
    service_stats_rebuild, every=dt.timedelta(days=1), offset=dt.timedelta(hours=-5)
)  # 02:00 in Hà Nội
