"""What every change of a dossier shares: the conflict error, locking the row, the
history event (with the national portal's outbox row), the applicant's notification and the
invalidation of the public tracking cache."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.services.models import (
    Dossier,
    DossierEvent,
    PortalOutbox,
    Status,
)
from tinhso.services.notifications import notify_status_change
from tinhso.services.selectors import (
    track_cache_keys,
)

logger = logging.getLogger(__name__)


class DossierConflict(Exception):
    """The dossier changed since the user loaded it (another officer acted first)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or _("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và kiểm tra.")
        )
        self.message = str(self.args[0])


def _event(
    *,
    dossier: Dossier,
    actor: Any,
    action: str,
    action_name: str,
    from_status: int | None,
    from_step: str,
    comment: str = "",
    at: dt.datetime,
) -> DossierEvent:
    _track_cache_forget(dossier.number)
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(getattr(actor, "display_name", "") or "")[:255] if actor else "",
        action=action,
        action_name=action_name,
        from_status=from_status,
        to_status=dossier.status,
        from_step=from_step,
        to_step=dossier.step.name,
        comment=comment,
    )
    if dossier.status != Status.DRAFT:
        # the national portal's copy, in this transaction (delivered by tinhso.portal)
        PortalOutbox.objects.create(
            dossier=dossier,
            event=event,
            kind=PortalOutbox.Kind.CREATE
            if from_status in (None, Status.DRAFT)
            else PortalOutbox.Kind.STATUS,
            created_at=at,
        )
    return event


def _notify(dossier: Dossier, action_name: str, comment: str) -> None:
    if dossier.applicant_email or dossier.applicant_phone:
        notify_status_change(
            number=dossier.number or "",
            email=dossier.applicant_email,
            phone=dossier.applicant_phone,
            status_label=Status(dossier.status).label,  # lazy: the applicant's language
            action_name=action_name,
            comment=comment,
            user_id=dossier.applicant_id,  # the applicant's notification preferences apply
        )


def _track_cache_forget(number: str | None) -> None:
    """The dossier changes in this transaction: drop its cached public tracking answer once
    the transaction commits (before, a reader would cache the old state again)."""
    if number:
        keys = track_cache_keys(number)
        # robust: a cache outage must not turn a committed write into an error (the TTL
        # then bounds the stale answer)
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


def _lock_dossier(pk: int) -> Dossier | None:
    """Lock the dossier row, then read it with its relations. The lock query has no joins:
    on PostgreSQL a joined ``FOR UPDATE`` re-checked after a concurrent update can return
    no row at all (the re-check uses the old joined step). Every write to an existing
    dossier goes through here, so this is where its tracking cache is invalidated."""
    if not list(Dossier.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True)):
        return None
    dossier = Dossier.objects.select_related("procedure", "org_unit", "step").filter(pk=pk).first()
    if dossier is not None:
        _track_cache_forget(dossier.number)
    return dossier
