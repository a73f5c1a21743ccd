"""Progress against targets, trends and the province dashboard (cached)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tinhso.monitoring import rollup
from tinhso.monitoring.models import (
    IndexResult,
    Indicator,
    Methodology,
    Pillar,
    ReportedValue,
    Target,
)
from tinhso.monitoring.selectors import common
from tinhso.monitoring.selectors.common import HUNDRED, S, logger
from tinhso.monitoring.selectors.index import index_results
from tinhso.monitoring.selectors.values import (
    IndicatorValue,
    indicator_list,
    indicator_values,
    targets_by_indicator,
    targets_final,
)
from tinhso.orgs.models import OrgUnit

# --- progress against targets -------------------------------------------------------------------


@dataclass
class Progress:
    indicator: Indicator
    value: IndicatorValue
    target: Target | None
    progress: Decimal | None  # % of the target reached
    light: str  # "green" | "amber" | "red" | "none" (no data) | "no_target" (data, no target)
    final: Target | None = None  # the 2030 target

    @property
    def light_label(self) -> str:
        return str(
            {
                "green": _("Đạt"),
                "amber": _("Gần đạt"),
                "red": _("Chưa đạt"),
                "none": _("Chưa có số liệu"),
                "no_target": _("Chưa giao chỉ tiêu"),
            }[self.light]
        )


def progress_compute(
    *, indicator: Indicator, value: Decimal | None, target: Target | None
) -> tuple[Decimal | None, str]:
    """(progress % of the target, traffic light). Green: target met; amber: ≥ 80 % of the
    way; red: below; "none": no value yet; "no_target": a value but no target to judge it by
    (two different gaps: one is the reporting's, the other the plan's)."""
    if value is None:
        return None, "none"
    if target is None:
        return None, "no_target"
    t = target.value
    lower = indicator.direction == Indicator.Direction.LOWER or target.comparator in ("<", "<=")
    if lower:
        progress = HUNDRED if value <= 0 else (t / value * HUNDRED)
        met = value < t if target.comparator == "<" else value <= t
    else:
        progress = HUNDRED if t <= 0 else (value / t * HUNDRED)
        met = value > t if target.comparator == ">" else value >= t
    progress = progress.quantize(Decimal("0.1"))
    if met:
        return progress, "green"
    return progress, ("amber" if progress >= 80 else "red")


@dataclass
class PillarBlock:
    pillar: str
    label: str
    rows: list[Progress] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        c = {"green": 0, "amber": 0, "red": 0, "none": 0, "no_target": 0}
        for r in self.rows:
            c[r.light] += 1
        return c


def overview(*, unit: OrgUnit, year: int, on: dt.date | None = None) -> list[PillarBlock]:
    """Each indicator of the unit with value, target, progress and light, by pillar."""
    indicators = list(indicator_list())
    values = indicator_values(indicators=indicators, unit=unit, year=year, on=on)
    targets = targets_by_indicator(unit=unit, year=year)
    finals = targets_final(unit=unit)
    blocks = {p: PillarBlock(p, str(label)) for p, label in Pillar.choices}
    for ind in indicators:
        v = values.get(ind.pk) or IndicatorValue(None)
        t = targets.get(ind.pk)
        prog, light = progress_compute(indicator=ind, value=v.value, target=t)
        blocks[ind.pillar].rows.append(Progress(ind, v, t, prog, light, finals.get(ind.pk)))
    return [b for b in blocks.values() if b.rows]


def data_years(*, unit: OrgUnit | None = None) -> list[int]:
    years = set(
        ReportedValue.objects.filter(status=S.ACCEPTED).values_list("year", flat=True).distinct()
    )
    years |= {
        int(p)
        for p in IndexResult.objects.values_list("period", flat=True).distinct()
        if p.isdigit()
    }
    years.add(common.today().year)
    return sorted(years)


def default_year() -> int:
    """The year the dashboards open on: now (Asia/Ho_Chi_Minh), even before its first
    accepted value; earlier years are one choice away."""
    return common.today().year


# --- trends ------------------------------------------------------------------------------------

TREND_METRICS = ("online_submission", "on_time", "online_fees", "satisfaction")


def trends(
    *, unit: OrgUnit, start: dt.date, end: dt.date, on: dt.date | None = None
) -> dict[str, Any]:
    months = rollup.service_counters_monthly(unit=unit, start=start, end=end, on=on)
    labels = [f"{m.month:02d}/{m.year}" for m, _ in months]
    series = {}
    for key in TREND_METRICS:
        series[key] = {
            "label": str(rollup.METRIC_NAMES[key]),  # cached per language
            "values": [
                float(v) if (v := rollup.metric_ratio(key, c).value) is not None else None
                for _, c in months
            ],
        }
    received = [c["received_total"] for _, c in months]
    return {"labels": labels, "series": series, "received": received}


# --- the province dashboard, cached -------------------------------------------------------------

# The dashboard's figures come from the monitoring tables and the services aggregates; both
# change one dossier or one report at a time, so a dashboard up to a minute old is as good as a
# live one. Every monitoring write bumps FIGURES_VERSION_KEY after it commits (services.
# figures_changed), so an accepted report or a new target shows at once where the cache is
# shared (Redis in production); with a per-process cache other workers catch up within the TTL.
FIGURES_TTL = 60


FIGURES_VERSION_KEY = "monitoring:figures:version"


def figures_version() -> int:
    try:
        return int(cache.get(FIGURES_VERSION_KEY) or 0)
    except Exception:  # the cache is an optimisation; without it nothing is cached
        return -1


@dataclass
class DashboardFigures:
    blocks: list[PillarBlock]
    trend: dict[str, Any]
    trend_rows: list[tuple[Any, ...]]
    trend_names: list[str]
    dti: Methodology | None
    district_rows: list[IndexResult]
    recent: list[ReportedValue]


def dashboard_figures(
    *, unit: OrgUnit, year: int, on: dt.date | None = None, use_cache: bool = True
) -> DashboardFigures:
    """Everything the province dashboard shows for ``unit`` and ``year`` (hierarchy as on
    ``on``): indicator blocks, the two-year monthly trend, the district DTI scores and the
    latest accepted values. Cached per language for FIGURES_TTL seconds."""
    version = figures_version() if use_cache else -1
    key = (
        f"monitoring:dashboard:v1:{translation.get_language() or ''}:{unit.pk}:{year}:"
        f"{on.isoformat() if on else '-'}:{version}"
    )
    if version >= 0:
        try:
            hit = cache.get(key)
        except Exception:
            logger.warning("dashboard cache unavailable", exc_info=True)
            hit = None
        if hit is not None:
            return hit
    figures = _dashboard_compute(unit=unit, year=year, on=on)
    if version >= 0:
        try:
            cache.set(key, figures, FIGURES_TTL)
        except Exception:  # an answer without the cache is still the answer
            logger.warning("dashboard cache unavailable", exc_info=True)
    return figures


def _dashboard_compute(*, unit: OrgUnit, year: int, on: dt.date | None) -> DashboardFigures:
    from tinhso.monitoring.methodologies import DTI922

    blocks = overview(unit=unit, year=year, on=on)
    trend_end = dt.date(year, 12, 31)
    trend = trends(unit=unit, start=dt.date(year - 1, 1, 1), end=trend_end, on=on or trend_end)
    dti = Methodology.objects.filter(code=DTI922).first()
    district_rows = (
        list(index_results(methodology=dti, period=str(year), group="district")) if dti else []
    )
    recent = list(
        ReportedValue.objects.filter(status=S.ACCEPTED, subject__path__startswith=unit.path)
        .exclude(accepted_at=None)
        .select_related("indicator", "org_unit")
        .order_by("-accepted_at")[:8]
    )
    return DashboardFigures(
        blocks=blocks,
        trend=trend,
        trend_rows=list(
            zip(
                trend["labels"],
                *(trend["series"][k]["values"] for k in TREND_METRICS),
                strict=True,
            )
        ),
        trend_names=[str(trend["series"][k]["label"]) for k in TREND_METRICS],
        dti=dti,
        district_rows=district_rows,
        recent=recent,
    )
