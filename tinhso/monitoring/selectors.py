"""Reads of the monitoring app: indicator values against targets, dashboards, reports due
and late, tasks, index inputs and results. Computed indicators come from
``tinhso.monitoring.rollup`` (the services aggregates), never from dossiers."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.permissions import scope_paths, scope_q
from tinhso.accounts.usertypes import AnyUser
from tinhso.monitoring import rollup
from tinhso.monitoring.models import (
    Component,
    IndexResult,
    Indicator,
    Methodology,
    Pillar,
    PlanTask,
    ReportedValue,
    Target,
)
from tinhso.monitoring.periods import Period, periods_of_year
from tinhso.orgs.models import OrgUnit, Population
from tinhso.orgs.selectors import orgunit_list, valid_on_q

S = ReportedValue.Status
logger = logging.getLogger(__name__)
HUNDRED = Decimal(100)


def today() -> dt.date:
    return timezone.localdate()


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
    t = today()
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


# --- progress against targets -------------------------------------------------------------------


@dataclass
class Progress:
    indicator: Indicator
    value: IndicatorValue
    target: Target | None
    progress: Decimal | None  # % of the target reached
    light: str  # "green" | "amber" | "red" | "none"
    final: Target | None = None  # the 2030 target

    @property
    def light_label(self) -> str:
        return str(
            {
                "green": _("Đạt"),
                "amber": _("Gần đạt"),
                "red": _("Chưa đạt"),
                "none": _("Chưa có số liệu"),
            }[self.light]
        )


def progress_compute(
    *, indicator: Indicator, value: Decimal | None, target: Target | None
) -> tuple[Decimal | None, str]:
    """(progress % of the target, traffic light). Green: target met; amber: ≥ 80 % of the
    way; red: below."""
    if value is None:
        return None, "none"
    if target is None:
        return None, "none"
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
        c = {"green": 0, "amber": 0, "red": 0, "none": 0}
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
    years.add(today().year)
    return sorted(years)


def default_year() -> int:
    """The latest year with accepted values or index results (else this year)."""
    latest = (
        ReportedValue.objects.filter(status=S.ACCEPTED)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or today().year


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
            "label": rollup.METRIC_NAMES[key],
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
        return (today() - self.due).days

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
    on = on or today()
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
    on = on or today()

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
    return Q(deadline__lt=on or today()) & ~Q(
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
    return task.deadline < (on or today()) and task.status not in (
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
                out[(c.pk, u.pk)] = (None, "chưa đo được trên nền tảng", None)
            elif key in (rollup.FEEDBACK_ON_TIME, rollup.FEEDBACK_SATISFACTION):
                r = rollup.feedback_ratio(key, feedback_of(u))
                out[(c.pk, u.pk)] = (
                    (r.value, f"{r.numerator:.0f}/{r.denominator:.0f} phản ánh", None)
                    if r.denominator
                    else (None, "không có phản ánh trong kỳ: không áp dụng", None)
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
                    f"{r.numerator:.0f}/{r.denominator:.0f}" if r.denominator else "không có hồ sơ"
                )
                out[(c.pk, u.pk)] = (r.value, detail, None)
            elif key == rollup.FULL_PROCESS:
                r = full.get(u.pk)
                out[(c.pk, u.pk)] = (
                    (r.value, f"{r.numerator:.0f}/{r.denominator:.0f} thủ tục", None)
                    if r and r.value is not None
                    else (None, "chưa có số liệu thủ tục", None)
                )
            elif key == rollup.ADULTS_ONLINE:
                r = rollup.adults_online_share(unit=u, year=year, on=on)
                out[(c.pk, u.pk)] = (
                    (r.value, f"{r.numerator:.0f}/{r.denominator:.0f} người", None)
                    if r and r.value is not None
                    else (None, "chưa có số liệu dân số", None)
                )
            elif c.indicator is not None:
                v = latest.get((c.indicator.pk, u.pk))
                if v is None:
                    out[(c.pk, u.pk)] = (None, "chưa báo cáo", None)
                elif c.indicator.unit in _ADDITIVE and c.indicator.period_type != "year":
                    # counts reported per quarter or month add up over the year
                    out[(c.pk, u.pk)] = (sums[(c.indicator.pk, u.pk)], f"cộng các kỳ năm {year}", v)
                else:
                    out[(c.pk, u.pk)] = (v.value, f"báo cáo kỳ {v.period}", v)
            else:
                out[(c.pk, u.pk)] = (None, "không xác định", None)
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


def period_choices(*, indicator: Indicator, years: Iterable[int]) -> list[Period]:
    return [p for y in years for p in periods_of_year(year=y, kind=indicator.period_type)]


def units_valid(*, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(valid_on_q(on or today()))


# --- management pages: targets, tasks, population ------------------------------------------


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
    day = today()
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
    on = min(today(), dt.date(year, 12, 31))
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
