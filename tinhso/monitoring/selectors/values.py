"""Indicators, targets and values: computed (from the services aggregates) and reported."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from tinhso.monitoring import rollup
from tinhso.monitoring.models import (
    Indicator,
    ReportedValue,
    Target,
)
from tinhso.monitoring.selectors import common
from tinhso.monitoring.selectors.common import S
from tinhso.orgs.models import OrgUnit

# --- indicators and targets ----------------------------------------------------------------


def indicator_list(*, active: bool = True) -> QuerySet[Indicator]:
    qs = Indicator.objects.all()
    return qs.filter(is_active=True) if active else qs


def target_get(*, indicator: Indicator, unit: OrgUnit, year: int) -> Target | None:
    return Target.objects.filter(indicator=indicator, org_unit=unit, year=year).first()


def targets_by_indicator(*, unit: OrgUnit, year: int) -> dict[int, Target]:
    """The target of ``year`` for each indicator, or else its next target year (a 2025 or
    2030 milestone); baselines are not targets."""
    out: dict[int, Target] = {}
    qs = (
        Target.objects.filter(org_unit=unit, year__gte=year)
        .exclude(kind=Target.Kind.BASELINE)
        .order_by("-year")
    )
    for t in qs:
        out[t.indicator_id] = t  # the earliest year wins
    return out


def targets_final(*, unit: OrgUnit, year: int = 2030) -> dict[int, Target]:
    return {
        t.indicator_id: t
        for t in Target.objects.filter(org_unit=unit, year=year).exclude(kind=Target.Kind.BASELINE)
    }


def target_path(*, indicator: Indicator, unit: OrgUnit) -> list[Target]:
    return list(Target.objects.filter(indicator=indicator, org_unit=unit).order_by("year"))


# --- values ------------------------------------------------------------------------------------


@dataclass
class IndicatorValue:
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    period: str = ""
    source: str = ""  # "computed" | "reported" | "aggregated"
    count: int = 0  # reporting units aggregated
    value_obj: ReportedValue | None = None


def _year_range(year: int, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    end = dt.date(year, 12, 31)
    t = common.today()
    if t.year == year:
        end = t
    return dt.date(year, 1, 1), end


def computed_values(
    *, indicators: Sequence[Indicator], unit: OrgUnit, year: int, on: dt.date | None = None
) -> dict[int, IndicatorValue]:
    """Every computed indicator for one unit's subtree over a year (bounded query count)."""
    start, end = _year_range(year)
    on = on or end
    out: dict[int, IndicatorValue] = {}
    counters = None
    for ind in indicators:
        key = ind.computation
        ratio: rollup.Ratio | None
        if key in rollup.METRICS:
            if counters is None:
                counters = rollup.service_counters(units=[unit], start=start, end=end, on=on)[
                    unit.pk
                ]
            ratio = rollup.metric_ratio(key, counters)
        elif key == rollup.FULL_PROCESS:
            ratio = rollup.full_process_share(units=[unit], on=on)[unit.pk]
        elif key == rollup.ADULTS_ONLINE:
            ratio = rollup.adults_online_share(unit=unit, year=year, on=on)
        else:
            ratio = None
        if ratio is None or ratio.value is None:
            out[ind.pk] = IndicatorValue(None, source="computed")
        else:
            out[ind.pk] = IndicatorValue(
                ratio.value, ratio.numerator, ratio.denominator, str(year), "computed"
            )
    return out


def _latest_accepted(qs: QuerySet[ReportedValue]) -> dict[tuple[int, int, int], ReportedValue]:
    """The latest period's accepted value per (indicator, reporting unit, subject)."""
    latest: dict[tuple[int, int, int], ReportedValue] = {}
    for v in qs.filter(status=S.ACCEPTED).order_by("period"):
        latest[(v.indicator_id, v.org_unit_id, v.subject_id)] = v
    return latest


def _aggregate(ind: Indicator, values: list[ReportedValue]) -> IndicatorValue:
    if not values:
        return IndicatorValue(None, source="reported")
    if len(values) == 1:
        v = values[0]
        return IndicatorValue(v.value, v.numerator, v.denominator, v.period, "reported", 1, v)
    if all(v.numerator is not None and v.denominator for v in values):
        num = sum((v.numerator for v in values if v.numerator is not None), Decimal(0))
        den = sum((v.denominator for v in values if v.denominator is not None), Decimal(0))
        val = (num / den * ind.factor).quantize(Decimal("0.01")) if den else None
        period = max(v.period for v in values)
        return IndicatorValue(val, num, den, period, "aggregated", len(values))
    vals = [v.value for v in values]
    if ind.unit in (Indicator.Unit.COUNT, Indicator.Unit.VND):
        val = sum(vals, Decimal(0))
    else:
        val = (sum(vals, Decimal(0)) / len(vals)).quantize(Decimal("0.01"))
    return IndicatorValue(val, None, None, max(v.period for v in values), "aggregated", len(values))


def reported_values(
    *, indicators: Sequence[Indicator], unit: OrgUnit, year: int
) -> dict[int, IndicatorValue]:
    """Accepted values of the year for ``unit``: its own value, or for a unit-scope indicator
    reported by units below it, their aggregate (ratio of sums, else mean or sum)."""
    ids = [i.pk for i in indicators]
    qs = ReportedValue.objects.filter(
        indicator_id__in=ids, year=year, subject__path__startswith=unit.path
    )
    latest = _latest_accepted(qs)
    grouped: dict[int, list[ReportedValue]] = defaultdict(list)
    for (ind_id, _unit_id, _subject_id), v in latest.items():
        grouped[ind_id].append(v)
    out: dict[int, IndicatorValue] = {}
    for ind in indicators:
        rows = grouped.get(ind.pk, [])
        own = [v for v in rows if v.subject_id == unit.pk]
        out[ind.pk] = _aggregate(ind, own or rows)
    return out


def indicator_values(
    *, indicators: Sequence[Indicator], unit: OrgUnit, year: int, on: dt.date | None = None
) -> dict[int, IndicatorValue]:
    comp = [i for i in indicators if i.method == Indicator.Method.COMPUTED]
    rep = [i for i in indicators if i.method != Indicator.Method.COMPUTED]
    out = computed_values(indicators=comp, unit=unit, year=year, on=on) if comp else {}
    if rep:
        out.update(reported_values(indicators=rep, unit=unit, year=year))
    return out
