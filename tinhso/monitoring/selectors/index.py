"""The index: subjects and groups, inputs, results and ranks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.monitoring import rollup
from tinhso.monitoring.models import (
    Component,
    IndexResult,
    Indicator,
    Methodology,
    ReportedValue,
)
from tinhso.monitoring.selectors.common import S
from tinhso.monitoring.stored import (
    DETAIL_FEEDBACK,
    DETAIL_NO_DOSSIERS,
    DETAIL_NO_FEEDBACK,
    DETAIL_NO_POPULATION,
    DETAIL_NO_PROCEDURES,
    DETAIL_NOT_REPORTED,
    DETAIL_PEOPLE,
    DETAIL_PERIOD,
    DETAIL_PROCEDURES,
    DETAIL_RATIO,
    DETAIL_UNKNOWN,
    DETAIL_UNMEASURED,
    DETAIL_YEAR_SUM,
    stored_text,
)
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_list

# --- index -------------------------------------------------------------------------------------


def unit_group(unit: OrgUnit) -> str:
    if unit.parent_id is None:
        return "province"
    if unit.kind in (OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.SERVICE_CENTRE):
        return "department"
    if unit.category == OrgUnit.Category.ADMINISTRATIVE and unit.level == 2:
        return "district"
    if unit.category == OrgUnit.Category.ADMINISTRATIVE and unit.level == 3:
        return "commune"
    return "other"


GROUP_LABELS = {
    "province": _("Toàn tỉnh"),
    "department": _("Sở, ban, ngành"),
    "district": _("Cấp huyện"),
    "commune": _("Cấp xã"),
    "other": _("Khác"),
}


def index_subjects(
    *, methodology: Methodology, year: int, on: dt.date
) -> list[tuple[OrgUnit, str]]:
    if methodology.subjects == Methodology.Subjects.SERVICE_UNITS:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        by_path = rollup.service_counters_by_unit(start=start, end=end, on=on)
        paths = [p for p, c in by_path.items() if c["received_total"] or c["finished_total"]]
        units = list(OrgUnit.objects.filter(path__in=paths))
        roots = {int(p.strip("/").split("/")[0]) for p in paths}
        units += [u for u in OrgUnit.objects.filter(pk__in=roots) if u.path not in paths]
    else:
        units = list(
            orgunit_list(on=on).filter(
                Q(kind=OrgUnit.Kind.DEPARTMENT)
                | Q(category=OrgUnit.Category.ADMINISTRATIVE, level=2)
            )
        )
    return [(u, unit_group(u)) for u in sorted(units, key=lambda u: u.path)]


_ADDITIVE = (Indicator.Unit.COUNT, Indicator.Unit.VND)


def _ratio(r: rollup.Ratio) -> dict[str, str]:
    return {"numerator": f"{r.numerator:.0f}", "denominator": f"{r.denominator:.0f}"}


def index_values(
    *, components: Sequence[Component], units: Sequence[OrgUnit], year: int, on: dt.date
) -> dict[tuple[int, int], tuple[Decimal | None, str, ReportedValue | None]]:
    """Raw value of every component for every unit (percentages as 0–100)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[tuple[int, int], tuple[Decimal | None, str, ReportedValue | None]] = {}
    own_only = bool(components) and (
        components[0].main.methodology.subjects == Methodology.Subjects.SERVICE_UNITS
    )
    keys = {c.metric or (c.indicator.computation if c.indicator else "") for c in components}
    by_path: dict[str, rollup.Counters] = {}
    if keys & set(rollup.METRICS):
        by_path = rollup.service_counters_by_unit(start=start, end=end, on=on)
    full = rollup.full_process_share(units=units, on=on) if rollup.FULL_PROCESS in keys else {}

    def counters_of(u: OrgUnit) -> rollup.Counters:
        if own_only and u.parent_id is not None:
            return by_path.get(u.path) or rollup.counters_empty()
        total = rollup.counters_empty()
        for p, c in by_path.items():
            if p.startswith(u.path):
                rollup.counters_add(total, c)
        return total

    counters = {u.pk: counters_of(u) for u in units} if by_path else {}
    feedback_keys = {rollup.FEEDBACK_ON_TIME, rollup.FEEDBACK_SATISFACTION, "satisfaction_766"}
    fb_by_path = (
        rollup.feedback_counts_by_path(start=start, end=end) if keys & feedback_keys else {}
    )

    def feedback_of(u: OrgUnit) -> dict[str, int]:
        total: dict[str, int] = defaultdict(int)
        for p, c in fb_by_path.items():
            if p == u.path or (not (own_only and u.parent_id is not None) and p.startswith(u.path)):
                for k, v in c.items():
                    total[k] += v
        return total

    rep_ids = [
        c.indicator_id
        for c in components
        if c.indicator is not None and c.indicator.method != Indicator.Method.COMPUTED
    ]
    latest: dict[tuple[int, int], ReportedValue] = {}
    sums: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    if rep_ids:
        for rv in ReportedValue.objects.filter(
            indicator_id__in=rep_ids, year=year, status=S.ACCEPTED, subject__in=list(units)
        ).order_by("period"):
            latest[(rv.indicator_id, rv.subject_id)] = rv
            sums[(rv.indicator_id, rv.subject_id)] += rv.value
    r: rollup.Ratio | None
    for c in components:
        key = c.metric or (c.indicator.computation if c.indicator else "")
        for u in units:
            if key.startswith(rollup.UNMEASURED):
                out[(c.pk, u.pk)] = (None, stored_text(DETAIL_UNMEASURED), None)
            elif key in (rollup.FEEDBACK_ON_TIME, rollup.FEEDBACK_SATISFACTION):
                r = rollup.feedback_ratio(key, feedback_of(u))
                out[(c.pk, u.pk)] = (
                    (r.value, stored_text(DETAIL_FEEDBACK, **_ratio(r)), None)
                    if r.denominator
                    else (None, stored_text(DETAIL_NO_FEEDBACK), None)
                )
            elif key in rollup.METRICS:
                got = counters.get(u.pk) or rollup.counters_empty()
                if key == "satisfaction_766":  # dossiers with a complaint count as disliked
                    got = {
                        **got,
                        "ratings_unsatisfied": got["ratings_unsatisfied"]
                        + feedback_of(u).get("dossiers_complained", 0),
                    }
                r = rollup.metric_ratio(key, got)
                detail = (
                    stored_text(DETAIL_RATIO, **_ratio(r))
                    if r.denominator
                    else stored_text(DETAIL_NO_DOSSIERS)
                )
                out[(c.pk, u.pk)] = (r.value, detail, None)
            elif key == rollup.FULL_PROCESS:
                r = full.get(u.pk)
                out[(c.pk, u.pk)] = (
                    (r.value, stored_text(DETAIL_PROCEDURES, **_ratio(r)), None)
                    if r and r.value is not None
                    else (None, stored_text(DETAIL_NO_PROCEDURES), None)
                )
            elif key == rollup.ADULTS_ONLINE:
                r = rollup.adults_online_share(unit=u, year=year, on=on)
                out[(c.pk, u.pk)] = (
                    (r.value, stored_text(DETAIL_PEOPLE, **_ratio(r)), None)
                    if r and r.value is not None
                    else (None, stored_text(DETAIL_NO_POPULATION), None)
                )
            elif c.indicator is not None:
                v = latest.get((c.indicator.pk, u.pk))
                if v is None:
                    out[(c.pk, u.pk)] = (None, stored_text(DETAIL_NOT_REPORTED), None)
                elif c.indicator.unit in _ADDITIVE and c.indicator.period_type != "year":
                    # counts reported per quarter or month add up over the year
                    out[(c.pk, u.pk)] = (
                        sums[(c.indicator.pk, u.pk)],
                        stored_text(DETAIL_YEAR_SUM, year=year),
                        v,
                    )
                else:
                    out[(c.pk, u.pk)] = (v.value, stored_text(DETAIL_PERIOD, period=v.period), v)
            else:
                out[(c.pk, u.pk)] = (None, stored_text(DETAIL_UNKNOWN), None)
    return out


def methodology_list() -> QuerySet[Methodology]:
    return Methodology.objects.all()


def index_results(
    *, methodology: Methodology, period: str, group: str | None = None
) -> QuerySet[IndexResult]:
    qs = IndexResult.objects.filter(methodology=methodology, period=period).select_related(
        "org_unit"
    )
    if group:
        qs = qs.filter(group=group)
    return qs.order_by("group", "rank", "org_unit__name")


def index_latest_period(*, methodology: Methodology) -> str | None:
    return (
        IndexResult.objects.filter(methodology=methodology)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def unit_rank(*, unit: OrgUnit, period: str) -> list[IndexResult]:
    return list(
        IndexResult.objects.filter(org_unit=unit, period=period).select_related("methodology")
    )
