"""Computed indicators: reads of the services app's running aggregates, rolled up over the
org-unit hierarchy valid on a chosen date.

The aggregates are stored per *receiving* unit. ``on`` chooses the boundaries: every
receiving unit is mapped to a unit valid on ``on`` and the counters are summed up its path.

- a unit valid on ``on`` stands for itself;
- a unit closed before ``on`` goes to its successor(s) (``Succession``), a unit opened after
  ``on`` to its predecessor(s); a unit without such links goes the way its parent goes
  (e.g. a district abolished in 2025 counts under its province's successor);
- when that leads to several units (a ward split in two), the data goes to their lowest
  common ancestor, so nothing is counted twice and nothing is guessed.

The cost is one GROUP BY over the monthly aggregates (rows = units × months, independent of
the number of dossiers) plus, when the range starts or ends inside a month, one over the
daily rows of those partial months; never a scan of dossiers; plus a fixed number of small
queries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tinhso.orgs.models import OrgUnit, Population, Succession
from tinhso.services.models import (
    STAT_COUNTERS,
    ServiceApplicantScopeYear,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
)

Counters = dict[str, int]


def counters_empty() -> Counters:
    return dict.fromkeys(STAT_COUNTERS, 0)


def counters_add(a: Counters, b: dict[str, Any]) -> None:
    for k in STAT_COUNTERS:
        a[k] += int(b.get(k) or 0)


@dataclass(frozen=True)
class Metric:
    """``(sum(numerator) − sum(minus)) / sum(denominator) × factor``; with ``complement``,
    ``factor`` minus that (a "100% − late and dislike" criterion)."""

    key: str
    name: str | Promise  # translated when shown
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    factor: int = 100
    minus: tuple[str, ...] = ()
    complement: bool = False


# Metrics over the daily counters (percentages).
METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "online_submission",
            _("Tỷ lệ hồ sơ nộp trực tuyến"),
            ("received_online",),
            ("received_total",),
        ),
        Metric("online_fees", _("Tỷ lệ thanh toán trực tuyến"), ("fees_online",), ("fees_total",)),
        Metric(
            "on_time",
            _("Tỷ lệ hồ sơ giải quyết đúng hạn"),
            ("finished_early", "finished_on_time"),
            ("finished_total",),
        ),
        Metric(
            "satisfaction",
            _("Tỷ lệ hài lòng"),
            ("ratings_satisfied",),
            ("ratings_total",),
        ),
        Metric(
            "unsatisfied",
            _("Tỷ lệ không hài lòng"),
            ("ratings_unsatisfied",),
            ("ratings_total",),
        ),
        Metric(
            "rated",
            _("Tỷ lệ hồ sơ được đánh giá"),
            ("ratings_total",),
            ("finished_total",),
        ),
        Metric(
            "digitised_received",
            _("Tỷ lệ hồ sơ số hóa khi tiếp nhận"),
            ("received_digitised",),
            ("received_total",),
        ),
        Metric(
            "digital_results",
            _("Tỷ lệ kết quả điện tử"),
            ("results_digital",),
            ("finished_total",),
        ),
        # Decision 766 digitisation group: dossiers whose submitted parts and result are
        # both electronic (parts submitted online or scanned at the counter, signed result)
        Metric(
            "digitised_766",
            _("Tỷ lệ hồ sơ được số hóa (thành phần hồ sơ và kết quả)"),
            ("finished_digitised",),
            ("finished_total",),
        ),
        # document parts taken from the applicant's store of already-digitised documents
        Metric(
            "reuse_766",
            _("Tỷ lệ thành phần hồ sơ sử dụng lại dữ liệu đã số hóa"),
            ("parts_reused",),
            ("parts_received",),
        ),
        Metric("withdrawn", _("Tỷ lệ hồ sơ rút"), ("withdrawn",), ("received_total",)),
        # Decision 766 as the national portal computes it: supplement time is excluded (the
        # deadlines already stop the clock) and more than one supplement request is late
        Metric(
            "on_time_766",
            _("Tỷ lệ hồ sơ giải quyết đúng hạn (QĐ 766: bổ sung quá 1 lần tính trễ hạn)"),
            ("finished_early", "finished_on_time"),
            ("finished_total",),
            minus=("finished_resupplied",),
        ),
        # 100% − (late rate + share of dossiers rated "not satisfied"); complaints come with
        # the feedback channel
        Metric(
            "satisfaction_766",
            _("Mức độ hài lòng về thủ tục (100% − tỷ lệ trễ hạn − tỷ lệ không hài lòng)"),
            ("finished_late", "finished_resupplied", "ratings_unsatisfied"),
            ("finished_total",),
            complement=True,
        ),
        Metric(
            "refused",
            _("Tỷ lệ hồ sơ bị từ chối tiếp nhận"),
            ("refused",),
            ("received_total", "refused"),
        ),
    ]
}
# Metrics that do not come from the daily counters.
FULL_PROCESS = "full_process"
ADULTS_ONLINE = "adults_online"
# A criterion the platform cannot measure yet ("unmeasured:<what>"): never scored
UNMEASURED = "unmeasured"
# Feedback and petitions (Decision 766, satisfaction group), from the feedback app's counters
FEEDBACK_ON_TIME = "feedback_on_time"
FEEDBACK_SATISFACTION = "feedback_satisfaction"
# Criteria that do not apply to a unit with nothing to measure (no feedback handled or rated
# in the period): not scored for that unit, rather than scored zero
NOT_APPLICABLE_WHEN_EMPTY = frozenset({FEEDBACK_ON_TIME, FEEDBACK_SATISFACTION})


def feedback_counts_by_path(*, start: dt.date, end: dt.date) -> dict[str, dict[str, int]]:
    """The feedback counters of every unit holding feedback in the period, by unit path."""
    from tinhso.feedback.selectors import feedback_figures

    by_unit = feedback_figures(start=start, end=end).by_unit
    paths = dict(OrgUnit.objects.filter(pk__in=list(by_unit)).values_list("pk", "path"))
    return {paths[u]: counts for u, counts in by_unit.items() if u in paths}


def feedback_ratio(key: str, counts: dict[str, int]) -> Ratio:
    if key == FEEDBACK_ON_TIME:
        return Ratio(Decimal(counts.get("handled_on_time", 0)), Decimal(counts.get("handled", 0)))
    rated = counts.get("satisfied", 0) + counts.get("unsatisfied", 0)
    return Ratio(Decimal(counts.get("satisfied", 0)), Decimal(rated))


METRIC_NAMES = {
    **{k: m.name for k, m in METRICS.items()},
    FULL_PROCESS: _("Tỷ lệ thủ tục cung cấp trực tuyến toàn trình"),
    ADULTS_ONLINE: _("Tỷ lệ người trưởng thành sử dụng dịch vụ công trực tuyến"),
}


@dataclass(frozen=True)
class Ratio:
    numerator: Decimal
    denominator: Decimal
    factor: int = 100
    complement: bool = False

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        share = self.numerator / self.denominator * self.factor
        if self.complement:
            share = max(Decimal(0), self.factor - share)
        return share.quantize(Decimal("0.01"))


def metric_ratio(key: str, counters: Counters) -> Ratio:
    m = METRICS[key]
    return Ratio(
        Decimal(
            sum(counters.get(f, 0) for f in m.numerator) - sum(counters.get(f, 0) for f in m.minus)
        ),
        Decimal(sum(counters.get(f, 0) for f in m.denominator)),
        m.factor,
        m.complement,
    )


# --- boundaries -----------------------------------------------------------------------------


@dataclass
class _U:
    id: int
    path: str
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


_FIELDS = ("id", "path", "parent_id", "valid_from", "valid_to")


class Resolver:
    """Maps any org unit to the path of the unit that stands for it on ``on``."""

    def __init__(self, *, on: dt.date) -> None:
        self.on = on
        self._units: dict[int, _U] = {}
        self._succ: dict[int, list[int]] | None = None
        self._pred: dict[int, list[int]] | None = None
        self._cache: dict[int, str | None] = {}

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        for r in rows:
            self._units[r["id"]] = _U(*(r[f] for f in _FIELDS))

    def _load(self, ids: Iterable[int]) -> None:
        missing = [i for i in set(ids) if i not in self._units]
        if missing:
            self.add(OrgUnit.objects.filter(pk__in=missing).values(*_FIELDS))

    def _links(self) -> None:
        if self._succ is None:
            self._succ, self._pred = defaultdict(list), defaultdict(list)
            for p, s in Succession.objects.values_list("predecessor_id", "successor_id"):
                self._succ[p].append(s)
                self._pred[s].append(p)
            linked = set(self._succ) | set(self._pred)
            linked |= {x for v in self._succ.values() for x in v}
            self._load(linked)

    def _valid_targets(self, uid: int, seen: set[int]) -> list[_U]:
        if uid in seen:
            return []
        seen.add(uid)
        self._load([uid])
        u = self._units.get(uid)
        if u is None:
            return []
        if u.valid_on(self.on):
            return [u]
        self._links()
        assert self._succ is not None and self._pred is not None
        after = u.valid_to is not None and u.valid_to <= self.on
        nxt = self._succ[uid] if after else self._pred[uid]
        if not nxt and u.parent_id:
            nxt = [u.parent_id]
        found: list[_U] = []
        for n in nxt:
            found.extend(self._valid_targets(n, seen))
        return found

    def path(self, uid: int) -> str | None:
        if uid not in self._cache:
            targets = self._valid_targets(uid, set())
            if not targets:
                self._cache[uid] = None
            else:
                paths = sorted({t.path for t in targets})
                self._cache[uid] = _common_path(paths)
        return self._cache[uid]


def _common_path(paths: Sequence[str]) -> str | None:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for seg in zip(*parts, strict=False):
        if all(s == seg[0] for s in seg):
            common.append(seg[0])
        else:
            break
    return "/" + "/".join(common) + "/" if common else None


def _boundary_changes_touch(
    paths: Sequence[str], start: dt.date, end: dt.date, on: dt.date
) -> bool:
    """Could data of other subtrees map into these paths (or these paths' data map out)?"""
    lo, hi = min(start, on), max(end, on)
    cond = Q(pk__in=[])
    for p in paths:
        cond |= Q(successor__path__startswith=p) | Q(predecessor__path__startswith=p)
    return Succession.objects.filter(cond, effective__gt=lo, effective__lte=hi).exists()


# --- the roll-up ------------------------------------------------------------------------------


def _month_split(
    start: dt.date, end: dt.date
) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """Split [start, end] into whole calendar months (first days of the first and the last
    whole month, or None) and the partial months at either end (day ranges)."""
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end)  # first day of the month after ``end``'s month
    last = after if end == after - dt.timedelta(days=1) else end.replace(day=1)
    # whole months are [first, last): ``last`` is the first day after them
    if first >= last:
        return None, [(start, end)]
    parts = []
    if start < first:
        parts.append((start, first - dt.timedelta(days=1)))
    if last <= end:
        parts.append((last, end))
    return (first, _prev_month(last)), parts


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _prev_month(first_day: dt.date) -> dt.date:
    return (first_day - dt.timedelta(days=1)).replace(day=1)


def _prefix_q(prefixes: Sequence[str] | None) -> Q:
    cond = Q()
    if prefixes:
        cond = Q(pk__in=[])
        for p in prefixes:
            cond |= Q(org_unit__path__startswith=p)
    return cond


def _aggregate_rows(
    *, start: dt.date, end: dt.date, prefixes: Sequence[str] | None, by_month: bool = False
) -> list[dict[str, Any]]:
    """Counter sums per receiving unit (and month) over [start, end]. Whole months come from
    ``ServiceMonthlyStat`` (units × months rows, whatever the number of dossiers), the
    partial months at either end from ``ServiceDailyStat``; a unit may thus appear in two
    rows, which the callers add up."""
    whole, parts = _month_split(start, end)
    keys = ["org_unit_id", *_FIELDS_PREFIXED]
    sums = {k: Sum(k) for k in STAT_COUNTERS}
    out: list[dict[str, Any]] = []
    if whole is not None:
        qs = ServiceMonthlyStat.objects.filter(_prefix_q(prefixes), month__range=whole)
        out.extend(qs.values(*keys, *(["month"] if by_month else [])).annotate(**sums).order_by())
    if parts:
        days = Q(pk__in=[])
        for a, b in parts:
            days |= Q(day__range=(a, b))
        daily = ServiceDailyStat.objects.filter(_prefix_q(prefixes), days)
        if by_month:
            daily = daily.annotate(month=TruncMonth("day"))
        out.extend(
            daily.values(*keys, *(["month"] if by_month else [])).annotate(**sums).order_by()
        )
    return out


_FIELDS_PREFIXED = (
    "org_unit__path",
    "org_unit__parent_id",
    "org_unit__valid_from",
    "org_unit__valid_to",
)


def _resolver_for(rows: list[dict[str, Any]], on: dt.date) -> Resolver:
    res = Resolver(on=on)
    res.add(
        {
            "id": r["org_unit_id"],
            "path": r["org_unit__path"],
            "parent_id": r["org_unit__parent_id"],
            "valid_from": r["org_unit__valid_from"],
            "valid_to": r["org_unit__valid_to"],
        }
        for r in rows
    )
    return res


def service_counters(
    *,
    units: Sequence[OrgUnit],
    start: dt.date,
    end: dt.date,
    on: dt.date | None = None,
) -> dict[int, Counters]:
    """Counters of each unit's subtree (hierarchy valid on ``on``, default ``end``)."""
    on = on or end
    paths = [u.path for u in units]
    prefixes = None if _boundary_changes_touch(paths, start, end, on) else paths
    rows = _aggregate_rows(start=start, end=end, prefixes=prefixes)
    res = _resolver_for(rows, on)
    out = {u.pk: counters_empty() for u in units}
    for r in rows:
        target = res.path(r["org_unit_id"])
        if target is None:
            continue
        for u in units:
            if target.startswith(u.path):
                counters_add(out[u.pk], r)
    return out


def service_counters_by_unit(
    *, start: dt.date, end: dt.date, on: dt.date | None = None, under: OrgUnit | None = None
) -> dict[str, Counters]:
    """Counters per unit that received dossiers (after mapping to the boundaries of ``on``),
    keyed by path; the caller rolls up as it needs."""
    on = on or end
    prefixes = None
    if under is not None and not _boundary_changes_touch([under.path], start, end, on):
        prefixes = [under.path]
    rows = _aggregate_rows(start=start, end=end, prefixes=prefixes)
    res = _resolver_for(rows, on)
    out: dict[str, Counters] = defaultdict(counters_empty)
    for r in rows:
        target = res.path(r["org_unit_id"])
        if target is None or (under is not None and not target.startswith(under.path)):
            continue
        counters_add(out[target], r)
    return dict(out)


def service_counters_monthly(
    *, unit: OrgUnit, start: dt.date, end: dt.date, on: dt.date | None = None
) -> list[tuple[dt.date, Counters]]:
    """Month by month counters of the unit's subtree (one GROUP BY query)."""
    on = on or end
    prefixes = None if _boundary_changes_touch([unit.path], start, end, on) else [unit.path]
    rows = _aggregate_rows(start=start, end=end, prefixes=prefixes, by_month=True)
    res = _resolver_for(rows, on)
    months: dict[dt.date, Counters] = {}
    for r in rows:
        target = res.path(r["org_unit_id"])
        if target is None or not target.startswith(unit.path):
            continue
        month = r["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        counters_add(months.setdefault(month, counters_empty()), r)
    return sorted(months.items())


# --- metrics that are not daily counters ------------------------------------------------------


def procedure_counts(*, on: dt.date) -> dict[int, dict[str, int]] | None:
    """Procedures offered per agency and, of those, the ones full-process online as the
    procedure studio's readiness computes it from what exists (online form, valid process,
    fee payable online, electronic result); None while the services app lacks it."""
    try:
        from tinhso.services.studio import readiness

        fn = readiness.readiness_counts_by_agency
    except (ImportError, AttributeError):
        return None
    return fn(on=on)


def full_process_share(*, units: Sequence[OrgUnit], on: dt.date) -> dict[int, Ratio | None]:
    counts = procedure_counts(on=on)
    if counts is None:
        return dict.fromkeys((u.pk for u in units), None)
    res = Resolver(on=on)
    res.add(OrgUnit.objects.filter(pk__in=list(counts)).values(*_FIELDS))
    out: dict[int, Ratio | None] = {}
    totals = {u.pk: [0, 0] for u in units}
    for agency_id, c in counts.items():
        target = res.path(agency_id)
        if target is None:
            continue
        for u in units:
            if target.startswith(u.path):
                totals[u.pk][0] += int(c.get("full_process", 0))
                totals[u.pk][1] += int(c.get("total", 0))
    for uid, (num, den) in totals.items():
        out[uid] = Ratio(Decimal(num), Decimal(den)) if den else None
    return out


# Across a boundary change the distinct count reads every applicant-year row of the year (it
# grows with the number of applicants, unlike the counters): it is cached for a while, a
# yearly share of past boundaries moves slowly.
APPLICANTS_TTL = 600


def adults_online_share(*, unit: OrgUnit, year: int, on: dt.date | None = None) -> Ratio | None:
    """Distinct online applicants of the unit's subtree in the year / its adult population."""
    on = on or dt.date(year, 12, 31)
    pop = (
        Population.objects.filter(org_unit=unit, year__lte=year)
        .order_by("-year")
        .values_list("adults", flat=True)
        .first()
    )
    if not pop:
        return None
    return Ratio(Decimal(_distinct_applicants(unit=unit, year=year, on=on)), Decimal(pop))


def _distinct_applicants(*, unit: OrgUnit, year: int, on: dt.date) -> int:
    if not _boundary_changes_touch([unit.path], dt.date(year, 1, 1), dt.date(year, 12, 31), on):
        # the subtree is the one the services keep a counter for: one row, whatever the size
        return (
            ServiceApplicantScopeYear.objects.filter(scope=unit, year=year)
            .values_list("applicants", flat=True)
            .first()
            or 0
        )
    key = f"monitoring:applicants:v1:{unit.pk}:{year}:{on.isoformat()}"
    try:
        n = cache.get(key)
    except Exception:  # the cache is an optimisation
        n = None
    if n is None:
        # add the subtrees of units that map into this one under the chosen boundaries
        res = Resolver(on=on)
        ids = ServiceApplicantYear.objects.filter(year=year).values_list("org_unit_id", flat=True)
        src = [uid for uid in set(ids) if (res.path(uid) or "").startswith(unit.path)]
        qs = ServiceApplicantYear.objects.filter(year=year, org_unit_id__in=src)
        n = int(qs.aggregate(n=Count("applicant", distinct=True))["n"] or 0)
        with contextlib.suppress(Exception):
            cache.set(key, n, APPLICANTS_TTL)
    return n


def metric_value(
    *, key: str, unit: OrgUnit, start: dt.date, end: dt.date, on: dt.date | None = None
) -> Ratio | None:
    """One computed metric for one unit's subtree over a date range."""
    if key == FULL_PROCESS:
        return full_process_share(units=[unit], on=on or end)[unit.pk]
    if key == ADULTS_ONLINE:
        return adults_online_share(unit=unit, year=end.year, on=on)
    counters = service_counters(units=[unit], start=start, end=end, on=on)[unit.pk]
    return metric_ratio(key, counters)
