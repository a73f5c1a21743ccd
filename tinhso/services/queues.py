"""Officials' queues that lead: what waits for the unit head's approval and signature first,
the rest by due date with the overdue ones on top (issue 15)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from tinhso.accounts.permissions import scope_q, user_units
from tinhso.accounts.usertypes import AnyUser
from tinhso.services.models import ActorRole, Dossier, ProcessAction, Status
from tinhso.services.selectors import dossier_queue

# the queue filter's value for "awaiting the head's approval" (not a national status code)
AWAITING_APPROVAL = "cho_phe_duyet"


def _awaiting_approval_q() -> Exists:
    """The dossier's step is one a unit head acts on (approve, return, reject)."""
    return Exists(ProcessAction.objects.filter(from_step=OuterRef("step"), role=ActorRole.HEAD))


def _by_due(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Due date first (overdue ones are the earliest), dossiers without a deadline last."""
    return qs.order_by(F("due_at").asc(nulls_last=True), "submitted_at", "pk")


def dossier_awaiting_my_approval(*, user: AnyUser) -> QuerySet[Dossier]:
    """ "Chờ tôi phê duyệt, ký số": the dossiers of the units the user heads that wait at a
    head's step, by due date. Empty for anyone who heads no unit."""
    if not user_units(user, roles=["head"]):
        return Dossier.objects.none()
    qs = (
        Dossier.objects.filter(scope_q(user, "services.act.head"))
        .filter(status=Status.PROCESSING)
        .filter(_awaiting_approval_q())
        .select_related("procedure", "org_unit", "step")
    )
    return _by_due(qs)


def dossier_queue_list(
    *, user: AnyUser, status: int | str | None = None, q: str = "", sort: str = "due"
) -> QuerySet[Dossier]:
    """The queue page's list: ``dossier_queue`` with the filter "awaiting approval"
    (``AWAITING_APPROVAL``), a search that also finds the applicant's ID number or phone,
    and the due-date order putting dossiers without a deadline last on every database."""
    if status == AWAITING_APPROVAL:
        qs = dossier_queue(user=user, sort=sort).filter(_awaiting_approval_q())
        qs = qs.filter(status=Status.PROCESSING)
    else:
        qs = dossier_queue(user=user, status=status if isinstance(status, int) else None, sort=sort)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(applicant_name__icontains=q)
            | Q(applicant_id_number=q)
            | Q(applicant_phone=q)
        )
    return _by_due(qs) if sort in ("", "due") else qs
