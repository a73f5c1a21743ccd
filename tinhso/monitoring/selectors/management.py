"""The management pages: units and heads one manages, targets, population, periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tinhso.accounts.models import Membership, Role
from tinhso.accounts.permissions import scope_paths, scope_q
from tinhso.accounts.usertypes import AnyUser
from tinhso.monitoring.models import (
    Indicator,
    Target,
)
from tinhso.monitoring.periods import Period, periods_of_year
from tinhso.monitoring.selectors import common
from tinhso.monitoring.selectors.values import target_path
from tinhso.orgs.models import OrgUnit, Population
from tinhso.orgs.selectors import valid_on_q


def period_choices(*, indicator: Indicator, years: Iterable[int]) -> list[Period]:
    return [p for y in years for p in periods_of_year(year=y, kind=indicator.period_type)]


def units_valid(*, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(valid_on_q(on or common.today()))


# --- management pages: targets, tasks, population ------------------------------------------


def reporting_units(*, province: OrgUnit | None) -> list[OrgUnit]:
    """The province's current departments and districts: who reports the indicators that
    every unit reports, and who gets the province's cascaded targets."""
    if province is None:
        return []
    return list(
        OrgUnit.objects.filter(parent=province, valid_to__isnull=True)
        .filter(kind__in=["department"])
        .order_by("code")
    ) + list(
        OrgUnit.objects.filter(
            parent=province, valid_to__isnull=True, category="admin", level=2
        ).order_by("code")
    )


def units_managed(*, user: AnyUser, action: str, on: dt.date | None = None) -> list[OrgUnit]:
    """Units a user may manage for ``action``: the top of each scope and its direct children,
    valid on the date (the province, its departments and districts for the DX office; a
    head's own unit and the units right below it)."""
    paths = scope_paths(user, action)
    qs = units_valid(on=on)
    tops = list(qs.filter(parent__isnull=True) if paths is None else qs.filter(path__in=paths))
    if not tops:
        return []
    cond = Q(pk__in=[u.pk for u in tops]) | Q(parent__in=tops)
    return list(qs.filter(cond).order_by("depth", "code"))


def heads_managed(*, user: AnyUser, action: str) -> list[tuple[Any, OrgUnit]]:
    """Heads (user, their unit) a task may be assigned to, within the user's scope."""
    day = common.today()
    qs = (
        Membership.objects.filter(role=Role.HEAD, user__is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .filter(scope_q(user, action))
        .select_related("user", "org_unit")
        .order_by("org_unit__code", "user__username")
    )
    seen: set[int] = set()
    out: list[tuple[Any, OrgUnit]] = []
    for m in qs:
        if m.user_id not in seen:
            seen.add(m.user_id)
            out.append((m.user, m.org_unit))
    return out


@dataclass
class TargetSummary:
    indicator: Indicator
    baseline: Target | None = None
    y2025: Target | None = None
    y2030: Target | None = None
    years: int = 0


def targets_summary(*, unit: OrgUnit, indicators: Sequence[Indicator]) -> list[TargetSummary]:
    """Per indicator: latest baseline, the 2025 and 2030 targets, how many years are set."""
    rows = {i.pk: TargetSummary(i) for i in indicators}
    for t in Target.objects.filter(org_unit=unit, indicator_id__in=list(rows)).order_by("year"):
        row = rows[t.indicator_id]
        row.years += 1
        if t.kind == Target.Kind.BASELINE:
            row.baseline = t
        elif t.year == 2025:
            row.y2025 = t
        elif t.year == 2030:
            row.y2030 = t
    return list(rows.values())


def target_path_years(*, indicator: Indicator, unit: OrgUnit) -> list[tuple[int, Target | None]]:
    """Every year from the first known point (or 2022) to 2030 (or the last), with its target."""
    path = {t.year: t for t in target_path(indicator=indicator, unit=unit)}
    first = min([*path, 2022])
    last = max([*path, 2030])
    return [(y, path.get(y)) for y in range(first, last + 1)]


def population_units(*, user: AnyUser, year: int) -> list[tuple[OrgUnit, Population | None]]:
    """The administrative units (province, districts) a user may enter population for, with
    the figures of ``year``; boundaries as they were at the end of that year (or today)."""
    on = min(common.today(), dt.date(year, 12, 31))
    paths = scope_paths(user, "monitoring.population_manage")
    qs = units_valid(on=on).filter(category=OrgUnit.Category.ADMINISTRATIVE)
    tops = list(qs.filter(parent__isnull=True) if paths is None else qs.filter(path__in=paths))
    if not tops:
        return []
    units = list(
        qs.filter(Q(pk__in=[u.pk for u in tops]) | Q(parent__in=tops)).order_by("depth", "code")
    )
    pops = {p.org_unit_id: p for p in Population.objects.filter(org_unit__in=units, year=year)}
    return [(u, pops.get(u.pk)) for u in units]
