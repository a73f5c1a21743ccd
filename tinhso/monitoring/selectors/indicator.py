"""One indicator's page: its values over the years, by unit, each against its target."""

from __future__ import annotations

from dataclasses import dataclass

from tinhso.monitoring.models import Indicator, ReportedValue, Target
from tinhso.monitoring.selectors import common
from tinhso.monitoring.selectors.common import S
from tinhso.monitoring.selectors.dashboard import Progress, progress_compute
from tinhso.monitoring.selectors.values import IndicatorValue, indicator_values
from tinhso.orgs.models import OrgUnit

FIRST_YEAR = 2022


@dataclass
class YearRow:
    year: int
    row: Progress


@dataclass
class UnitRow:
    unit: OrgUnit
    row: Progress


class _Targets:
    """The indicator's targets for the units of a page, read in one query: the target that
    judges a year is that year's, else the next milestone's (a baseline never judges)."""

    def __init__(self, *, indicator: Indicator, units: list[OrgUnit]) -> None:
        self._by_unit: dict[int, list[Target]] = {}
        for t in (
            Target.objects.filter(indicator=indicator, org_unit__in=[u.pk for u in units])
            .exclude(kind=Target.Kind.BASELINE)
            .order_by("year", "pk")
        ):
            self._by_unit.setdefault(t.org_unit_id, []).append(t)

    def get(self, *, unit: OrgUnit, year: int) -> Target | None:
        return next((t for t in self._by_unit.get(unit.pk, []) if t.year >= year), None)


def _progress(
    indicator: Indicator,
    targets: _Targets,
    unit: OrgUnit,
    year: int,
    value: IndicatorValue | None,
    *,
    fallback: OrgUnit | None = None,
) -> Progress:
    v = value or IndicatorValue(None)
    t = targets.get(unit=unit, year=year)
    if t is None and fallback is not None and indicator.is_percent:
        # a rate the province must reach applies to each of its units; a count does not
        t = targets.get(unit=fallback, year=year)
    prog, light = progress_compute(indicator=indicator, value=v.value, target=t)
    return Progress(indicator, v, t, prog, light)


def indicator_years(*, first: int = FIRST_YEAR) -> list[int]:
    return list(range(first, common.today().year + 1))


def indicator_history(*, indicator: Indicator, unit: OrgUnit, years: list[int]) -> list[YearRow]:
    """The unit's value of every year, with the target that applies and the light."""
    targets = _Targets(indicator=indicator, units=[unit])
    rows = []
    for year in years:  # one value read per year shown (bounded by the calendar)
        value = indicator_values(indicators=[indicator], unit=unit, year=year).get(indicator.pk)
        rows.append(YearRow(year, _progress(indicator, targets, unit, year, value)))
    return rows


def indicator_units(*, indicator: Indicator, province: OrgUnit) -> list[OrgUnit]:
    """The units the indicator is shown by: the units that report it, or for an indicator
    computed from the platform's data the province's districts."""
    if indicator.method != Indicator.Method.COMPUTED:
        units = list(indicator.responsible_units.all())
        if units:
            return sorted(units, key=lambda u: u.code)
    on = common.today()
    return list(
        OrgUnit.objects.filter(
            parent=province,
            category=OrgUnit.Category.ADMINISTRATIVE,
            valid_from__lte=on,
        )
        .exclude(valid_to__lt=on)
        .order_by("code")
    )


def _reported_by(
    *, indicator: Indicator, units: list[OrgUnit], year: int
) -> dict[int, IndicatorValue]:
    """The latest accepted value each unit reported for the year (one query)."""
    latest: dict[int, ReportedValue] = {}
    for v in ReportedValue.objects.filter(
        indicator=indicator, org_unit__in=[u.pk for u in units], year=year, status=S.ACCEPTED
    ).order_by("-period", "-pk"):
        latest.setdefault(v.org_unit_id, v)
    return {
        unit_id: IndicatorValue(v.value, v.numerator, v.denominator, v.period, "reported", 1, v)
        for unit_id, v in latest.items()
    }


def indicator_by_unit(
    *, indicator: Indicator, units: list[OrgUnit], year: int, province: OrgUnit
) -> list[UnitRow]:
    """Each unit's value of the year against its own target (for a rate, else the
    province's)."""
    targets = _Targets(indicator=indicator, units=[*units, province])
    computed = indicator.method == Indicator.Method.COMPUTED
    reported = {} if computed else _reported_by(indicator=indicator, units=units, year=year)
    rows = []
    for unit in units:
        if computed:  # the platform's own figures, per district
            value = indicator_values(indicators=[indicator], unit=unit, year=year).get(indicator.pk)
        else:
            value = reported.get(unit.pk) or IndicatorValue(None, source="reported")
        rows.append(
            UnitRow(unit, _progress(indicator, targets, unit, year, value, fallback=province))
        )
    return rows
