"""Reads of dossiers: visibility, the applicant's list, the officers' queue, deadlines,
history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from tinhso.accounts.models import User
from tinhso.accounts.permissions import scope_q, user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.services import deadlines
from tinhso.services import workflow as _workflow  # noqa: F401 (registers the actions)
from tinhso.services.models import (
    Dossier,
    DossierEvent,
    Status,
)

# ---------------------------------------------------------------------------------------
# Dossiers
# ---------------------------------------------------------------------------------------

_LIST_RELATED = ("procedure", "org_unit", "step", "assignee")


def dossier_visible(*, user: AnyUser | None, dossier: Dossier) -> bool:
    """The applicant sees their own dossiers; officials those of their units' subtree,
    never a draft (``services.dossier.view`` in the permission layer)."""
    return user_can(user=user, action="services.dossier.view", obj=dossier)


def dossier_get_for_user(*, user: AnyUser, pk: int) -> Dossier | None:
    dossier = (
        Dossier.objects.select_related(*_LIST_RELATED, "process", "registered_by")
        .filter(pk=pk)
        .first()
    )
    if dossier is None or not dossier_visible(user=user, dossier=dossier):
        return None
    return dossier


def dossier_list_for_applicant(*, user: User) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(applicant=user)
        .select_related(*_LIST_RELATED)
        .order_by("-created_at")
    )


QUEUE_SORTS = {
    "due": ("due_at", "submitted_at"),
    "-due": ("-due_at",),
    "submitted": ("submitted_at",),
    "-submitted": ("-submitted_at",),
    "number": ("number",),
}
OPEN_STATUSES = (
    Status.NEW,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT,
    Status.FINANCIAL,
    Status.PROCESSED,
)


def dossier_queue(
    *,
    user: AnyUser,
    status: int | None = None,
    procedure_code: str = "",
    q: str = "",
    sort: str = "due",
    include_closed: bool = False,
    org_unit_id: int | None = None,
) -> QuerySet[Dossier]:
    """The officer's work queue: dossiers of their units' subtree only."""
    qs = Dossier.objects.filter(scope_q(user, "services.queue")).exclude(status=Status.DRAFT)
    if status is not None:
        qs = qs.filter(status=status)
    elif not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if procedure_code:
        qs = qs.filter(procedure__code=procedure_code)
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    if q:
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(applicant_name__icontains=q.strip()))
    order = QUEUE_SORTS.get(sort, QUEUE_SORTS["due"])
    return qs.select_related(*_LIST_RELATED).order_by(*order, "pk")


@dataclass(frozen=True)
class DeadlineInfo:
    label: str
    css: str  # "ok" | "soon" | "overdue" | "paused" | ""
    outcome: str


def dossier_deadline(
    *, dossier: Dossier, now: dt.datetime | None = None, cal: deadlines.WorkCalendar | None = None
) -> DeadlineInfo:
    """ "Còn X ngày Y giờ" / overdue / paused for lists and detail pages."""
    if dossier.outcome:
        return DeadlineInfo(
            str(Dossier.Outcome(dossier.outcome).label),
            "overdue" if dossier.outcome == "late" else "ok",
            dossier.outcome,
        )
    if dossier.due_at is None or dossier.status in (
        Status.NOT_ACCEPTED,
        Status.WITHDRAWN,
        Status.STOPPED,
    ):
        return DeadlineInfo("", "", "")
    if dossier.paused_since is not None:
        return DeadlineInfo(gettext("Tạm dừng tính thời hạn (chờ người nộp)"), "paused", "")
    cal = cal or deadlines.calendar_load()
    now = now or timezone.now()
    left = deadlines.remaining(now=now, due=dossier.due_at, cal=cal)
    if left.overdue:
        css = "overdue"
    elif left.minutes < deadlines.DAY_MINUTES:
        css = "soon"
    else:
        css = "ok"
    return DeadlineInfo(left.label, css, "")


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor").order_by("at", "pk")


def dossier_by_idempotency_key(*, user: Any, key: str) -> Dossier | None:
    """The dossier this applicant created with this idempotency key / form token, if any."""
    if not key or not getattr(user, "pk", None):
        return None
    return (
        Dossier.objects.select_related("procedure", "org_unit", "step")
        .filter(applicant=user, idempotency_key=key)
        .first()
    )
