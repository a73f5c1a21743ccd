"""Reads over the effective-dated org-unit hierarchy."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from tinhso.orgs.models import OrgUnit, Succession


def today() -> dt.date:
    return timezone.localdate()


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def orgunit_list(*, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(valid_on_q(on or today()))


def orgunit_get(*, code: str, on: dt.date | None = None) -> OrgUnit:
    """The unit with this code valid on the date (codes are reused across reorganisations)."""
    return orgunit_list(on=on).get(code=code)


def orgunit_subtree(
    *, unit: OrgUnit, on: dt.date | None = None, include_self: bool = True
) -> QuerySet[OrgUnit]:
    """Units below ``unit`` (and itself) that are valid on the date."""
    qs = orgunit_list(on=on).filter(path__startswith=unit.path)
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    return qs


def orgunit_children(*, unit: OrgUnit, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    return orgunit_list(on=on).filter(parent=unit)


def orgunit_ancestors(*, unit: OrgUnit) -> list[OrgUnit]:
    ids = [int(p) for p in unit.path.strip("/").split("/") if p][:-1]
    by_id = OrgUnit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def orgunit_roots(*, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    return orgunit_list(on=on).filter(parent__isnull=True)


def orgunit_successors(*, unit: OrgUnit, on: dt.date | None = None) -> list[OrgUnit]:
    """Follow succession links until units valid on ``on`` (default today) are reached."""
    day = on or today()
    result: list[OrgUnit] = []
    seen: set[int] = set()
    frontier = [unit]
    while frontier:
        nxt: list[OrgUnit] = []
        for u in frontier:
            if u.pk in seen:
                continue
            seen.add(u.pk)
            if u.is_valid_on(day):
                result.append(u)
                continue
            nxt.extend(
                s.successor
                for s in Succession.objects.filter(predecessor=u).select_related("successor")
            )
        frontier = nxt
    return sorted({u.pk: u for u in result}.values(), key=lambda u: u.path)


def orgunit_predecessors(*, unit: OrgUnit) -> list[OrgUnit]:
    return [
        s.predecessor
        for s in Succession.objects.filter(successor=unit).select_related("predecessor")
    ]


def orgunit_search(*, q: str, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    qs = orgunit_list(on=on)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code=q))
    return qs
