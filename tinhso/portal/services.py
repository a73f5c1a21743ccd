"""Delivery of ``services.PortalOutbox`` to the national portal: per dossier in order (only
the oldest undelivered message of a dossier is ever sent), idempotently (each message has a
fixed key; a second acknowledgement changes nothing), with exponential backoff while the
portal fails, and a dead letter after ``TINHSO_PORTAL_MAX_ATTEMPTS`` tries."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from tinhso.audit.services import audit_record
from tinhso.portal import payloads
from tinhso.portal.transport import Item, PortalError, Transport, transport_default
from tinhso.services.models import PortalOutbox

log = logging.getLogger(__name__)

BACKOFF_CAP = dt.timedelta(minutes=10)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def outbox_backoff(attempts: int) -> dt.timedelta:
    base = float(getattr(settings, "TINHSO_PORTAL_BACKOFF_SECONDS", 30))
    return min(dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def outbox_items(msg: PortalOutbox) -> list[Item]:
    dossier, event = msg.dossier, msg.event
    sync = Item(
        payloads.SERVICE_SYNC, f"tinhso-{msg.pk}-sync", payloads.dossier_sync(dossier, event)
    )
    if msg.kind == PortalOutbox.Kind.CREATE:
        return [sync]
    progress = Item(
        payloads.SERVICE_PROGRESS,
        f"tinhso-{msg.pk}-progress",
        payloads.dossier_progress(dossier, event),
    )
    return [progress, sync]


def _deliver_one(msg: PortalOutbox, transport: Transport, now: dt.datetime) -> bool:
    lease = now + dt.timedelta(seconds=3 * float(getattr(settings, "TINHSO_PORTAL_TIMEOUT", 10)))
    claimed = (
        PortalOutbox.objects.filter(pk=msg.pk, delivered_at__isnull=True, dead=False)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=lease)
    )
    if not claimed:
        return False  # another worker has it
    items = outbox_items(msg)
    try:
        acked = transport.send(items)
        if not {it.key for it in items} <= set(acked):
            raise PortalError(f"not acknowledged: {sorted({it.key for it in items} - set(acked))}")
    except PortalError as e:
        attempts = msg.attempts + 1
        dead = attempts >= int(getattr(settings, "TINHSO_PORTAL_MAX_ATTEMPTS", 20))
        PortalOutbox.objects.filter(pk=msg.pk).update(
            attempts=attempts,
            next_attempt_at=now + outbox_backoff(attempts),
            last_error=str(e)[:2000],
            dead=dead,
            claimed_until=None,
        )
        (log.error if dead else log.warning)(
            "Portal message %s (dossier %s) failed, try %d: %s", msg.pk, msg.dossier_id, attempts, e
        )
        return False
    # acknowledged (once or twice: the conditional update makes it once)
    PortalOutbox.objects.filter(pk=msg.pk, delivered_at__isnull=True).update(
        delivered_at=now, attempts=F("attempts") + 1, claimed_until=None, last_error=""
    )
    return True


def outbox_deliver(
    *, now: dt.datetime | None = None, transport: Transport | None = None, limit: int = 500
) -> DeliveryReport:
    """Send what is due; a dossier whose oldest message fails waits (its order is kept)."""
    transport = transport or transport_default()
    report = DeliveryReport()
    if transport is None:
        return report
    blocked: set[int] = set()
    while report.sent + report.failed < limit:
        t = now or timezone.now()
        heads = list(
            PortalOutbox.objects.filter(delivered_at__isnull=True)
            .exclude(dossier_id__in=blocked)
            .values("dossier_id")
            .annotate(head=Min("id"))
            .order_by("head")[:100]
        )
        progressed = False
        for h in heads:
            msg = PortalOutbox.objects.select_related(
                "dossier__procedure__field", "dossier__org_unit", "event"
            ).get(pk=h["head"])
            if msg.dead or (msg.next_attempt_at and msg.next_attempt_at > t):
                blocked.add(msg.dossier_id)
                continue
            if _deliver_one(msg, transport, t):
                report.sent += 1
                progressed = True
            else:
                report.failed += 1
                blocked.add(msg.dossier_id)
        if not progressed:
            break
    return report


def dead_letters_retry(*, ids: list[Any], actor: Any) -> int:
    """Administrators: send dead messages again (their dossier's later ones follow)."""
    with transaction.atomic():
        rows = list(PortalOutbox.objects.filter(pk__in=ids, dead=True, delivered_at__isnull=True))
        for row in rows:
            audit_record(
                actor=actor,
                action="portal.dead_letter_retry",
                obj=row,
                after={"dossier": row.dossier_id, "attempts": row.attempts},
            )
        PortalOutbox.objects.filter(pk__in=[r.pk for r in rows]).update(
            dead=False, attempts=0, next_attempt_at=None, claimed_until=None
        )
    return len(rows)
