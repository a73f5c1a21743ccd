"""Reports (mine, awaiting, due, late) and plan tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.permissions import scope_q
from tinhso.accounts.usertypes import AnyUser
from tinhso.monitoring.models import (
    Indicator,
    PlanTask,
    ReportedValue,
)
from tinhso.monitoring.periods import Period, periods_of_year
from tinhso.monitoring.selectors import common
from tinhso.monitoring.selectors.common import S
from tinhso.monitoring.selectors.values import indicator_list
from tinhso.orgs.models import OrgUnit

# --- reports: mine, due, late ---------------------------------------------------------------------


def values_visible(*, user: AnyUser) -> QuerySet[ReportedValue]:
    return ReportedValue.objects.filter(scope_q(user, "monitoring.view")).select_related(
        "indicator", "org_unit", "subject"
    )


def values_awaiting(*, user: AnyUser) -> dict[str, QuerySet[ReportedValue]]:
    """What waits for this user: drafts/returned to send, submissions to approve, approvals to
    accept."""
    base = ReportedValue.objects.filter(is_current=True).select_related(
        "indicator", "org_unit", "subject"
    )
    return {
        "enter": base.filter(scope_q(user, "monitoring.report_enter")).filter(
            status__in=[S.DRAFT, S.RETURNED]
        ),
        "approve": base.filter(scope_q(user, "monitoring.report_approve")).filter(
            status=S.SUBMITTED
        ),
        "accept": base.filter(scope_q(user, "monitoring.report_accept")).filter(status=S.APPROVED),
    }


@dataclass
class Expected:
    indicator: Indicator
    unit: OrgUnit
    period: Period
    due: dt.date
    status: str | None  # status of the current revision, None if nothing entered

    @property
    def days_late(self) -> int:
        return (common.today() - self.due).days

    @property
    def status_label(self) -> str:
        if self.status is None:
            return str(_("Chưa nhập"))
        return str(S(self.status).label)


def _expected(*, periods_for: Any, on: dt.date, done_statuses: Iterable[str]) -> list[Expected]:
    indicators = list(
        indicator_list()
        .exclude(method=Indicator.Method.COMPUTED)
        .prefetch_related("responsible_units")
    )
    wanted: list[tuple[Indicator, OrgUnit, Period]] = []
    for ind in indicators:
        for p in periods_for(ind):
            for u in ind.responsible_units.all():
                if u.is_valid_on(min(on, p.end)):
                    wanted.append((ind, u, p))
    if not wanted:
        return []
    keys = {p.key for _, _, p in wanted}
    current = {
        (v.indicator_id, v.org_unit_id, v.period): v.status
        for v in ReportedValue.objects.filter(period__in=keys, is_current=True).only(
            "indicator_id", "org_unit_id", "period", "status"
        )
    }
    done = set(done_statuses)
    out = []
    for ind, u, p in wanted:
        status = current.get((ind.pk, u.pk, p.key))
        if status in done:
            continue
        out.append(Expected(ind, u, p, p.due(ind.report_due_days), status))
    out.sort(key=lambda e: (e.due, e.unit.name, e.indicator.code))
    return out


def reports_late(*, on: dt.date | None = None, year: int | None = None) -> list[Expected]:
    """Reports whose deadline has passed and that were not sent (submitted or further)."""
    on = on or common.today()
    year = year or on.year

    def periods(ind: Indicator) -> list[Period]:
        return [
            p
            for p in periods_of_year(year=year, kind=ind.period_type)
            if p.due(ind.report_due_days) < on
        ]

    return _expected(
        periods_for=periods, on=on, done_statuses=[S.SUBMITTED, S.APPROVED, S.ACCEPTED]
    )


def reports_due_soon(*, on: dt.date | None = None, days: int = 7) -> list[Expected]:
    """Reports due within ``days`` that have not been sent yet."""
    on = on or common.today()

    def periods(ind: Indicator) -> list[Period]:
        found = []
        for year in {on.year - 1, on.year}:
            for p in periods_of_year(year=year, kind=ind.period_type):
                if on <= p.due(ind.report_due_days) <= on + dt.timedelta(days=days):
                    found.append(p)
        return found

    return _expected(
        periods_for=periods, on=on, done_statuses=[S.SUBMITTED, S.APPROVED, S.ACCEPTED]
    )


def unit_contacts(*, unit_ids: Iterable[int], roles: Iterable[str]) -> dict[int, list[Any]]:
    """Officials with these roles directly in these units (for reminders)."""
    out: dict[int, list[Any]] = defaultdict(list)
    for m in Membership.objects.filter(
        org_unit_id__in=list(unit_ids), role__in=list(roles)
    ).select_related("user"):
        if m.user.is_active and m.user.email:
            out[m.org_unit_id].append(m.user)
    return out


# --- tasks ---------------------------------------------------------------------------------------


def tasks_overdue_q(on: dt.date | None = None) -> Q:
    return Q(deadline__lt=on or common.today()) & ~Q(
        status__in=[PlanTask.Status.DONE, PlanTask.Status.CANCELLED]
    )


def task_list(
    *, year: int | None = None, unit: OrgUnit | None = None, overdue: bool = False
) -> QuerySet[PlanTask]:
    qs = PlanTask.objects.select_related("org_unit", "head").prefetch_related("indicators")
    if year:
        qs = qs.filter(year=year)
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    if overdue:
        qs = qs.filter(tasks_overdue_q())
    return qs


def task_is_overdue(task: PlanTask, on: dt.date | None = None) -> bool:
    return task.deadline < (on or common.today()) and task.status not in (
        PlanTask.Status.DONE,
        PlanTask.Status.CANCELLED,
    )


def tasks_overdue_for_head(*, user: User) -> QuerySet[PlanTask]:
    units = Membership.objects.filter(user=user, role=Role.HEAD).values_list(
        "org_unit__path", flat=True
    )
    cond = Q(head=user)
    for p in units:
        cond |= Q(org_unit__path__startswith=p)
    return task_list(overdue=True).filter(cond)
