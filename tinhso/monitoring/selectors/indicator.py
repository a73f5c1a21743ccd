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


def _target(*, indicator: Indicator, unit: OrgUnit, year: int) -> Target | None:
    """The target that judges ``year``: that year's, else the next milestone's."""
    return (
        Target.objects.filter(indicator=indicator, org_unit=unit, year__gte=year)
        .exclude(kind=Target.Kind.BASELINE)
        .order_by("year")
        .first()
    )


def _progress(
    indicator: Indicator,
    unit: OrgUnit,
    year: int,
    value: IndicatorValue | None,
    fallback: OrgUnit | None = None,
) -> Progress:
    v = value or IndicatorValue(None)
    t = _target(indicator=indicator, unit=unit, year=year)
    if t is None and fallback is not None and indicator.is_percent:
        # a rate the province must reach applies to each of its units; a count does not
        t = _target(indicator=indicator, unit=fallback, year=year)
    prog, light = progress_compute(indicator=indicator, value=v.value, target=t)
    return Progress(indicator, v, t, prog, light)


def indicator_years(*, first: int = FIRST_YEAR) -> list[int]:
    return list(range(first, common.today().year + 1))


def indicator_history(*, indicator: Indicator, unit: OrgUnit, years: list[int]) -> list[YearRow]:
    """The unit's value of every year, with the target that applies and the light."""
    rows = []
    for year in years:
        value = indicator_values(indicators=[indicator], unit=unit, year=year).get(indicator.pk)
        rows.append(YearRow(year, _progress(indicator, unit, year, value)))
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


def _reported_by(*, indicator: Indicator, unit: OrgUnit, year: int) -> IndicatorValue:
    """The latest accepted value ``unit`` reported for the year."""
    v = (
        ReportedValue.objects.filter(
            indicator=indicator, org_unit=unit, year=year, status=S.ACCEPTED
        )
        .order_by("-period", "-pk")
        .first()
    )
    if v is None:
        return IndicatorValue(None, source="reported")
    return IndicatorValue(v.value, v.numerator, v.denominator, v.period, "reported", 1, v)


def indicator_by_unit(
    *, indicator: Indicator, units: list[OrgUnit], year: int, province: OrgUnit
) -> list[UnitRow]:
    """Each unit's value of the year against its own target (for a rate, else the
    province's)."""
    rows = []
    for unit in units:
        if indicator.method == Indicator.Method.COMPUTED:
            value = indicator_values(indicators=[indicator], unit=unit, year=year).get(indicator.pk)
        else:
            value = _reported_by(indicator=indicator, unit=unit, year=year)
        rows.append(UnitRow(unit, _progress(indicator, unit, year, value, fallback=province)))
    return rows
