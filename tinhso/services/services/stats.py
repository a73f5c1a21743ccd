"""The running statistics (ServiceDailyStat / ServiceMonthlyStat / ServiceApplicantYear /
ServiceApplicantScopeYear), updated in the same transaction as the event, and their rebuild."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.services import deadlines, statcounters
from tinhso.services.models import (
    STAT_COUNTERS,
    Channel,
    Dossier,
    ServiceApplicantScopeYear,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
    Status,
)
from tinhso.services.statcounters import RATINGS

# ---------------------------------------------------------------------------------------
# Statistics (ServiceDailyStat / ServiceMonthlyStat / ServiceApplicantYear), same
# transaction as the event
# ---------------------------------------------------------------------------------------


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, deadlines.TZ).date()


def stats_bump(*, org_unit_id: int, procedure_code: str, day: dt.date, **inc: int) -> None:
    row, _created = ServiceDailyStat.objects.get_or_create(
        org_unit_id=org_unit_id, procedure_code=procedure_code, day=day
    )
    ServiceDailyStat.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in inc.items()})
    month, _created = ServiceMonthlyStat.objects.get_or_create(
        org_unit_id=org_unit_id, month=day.replace(day=1)
    )
    ServiceMonthlyStat.objects.filter(pk=month.pk).update(**{k: F(k) + v for k, v in inc.items()})


def stats_monthly_from_daily() -> int:
    """Recompute ``ServiceMonthlyStat`` as the sum of the daily rows of each month (one
    GROUP BY; for rebuilds and bulk loads). Call inside a transaction. Returns the rows."""
    rows = (
        ServiceDailyStat.objects.annotate(m=TruncMonth("day"))
        .values("org_unit_id", "m")
        .annotate(**{f"s_{k}": Sum(k) for k in STAT_COUNTERS})
        .order_by()
    )
    objs = []
    for r in rows.iterator(chunk_size=5000):
        month = r["m"]
        if isinstance(month, dt.datetime):
            month = month.date()
        objs.append(
            ServiceMonthlyStat(
                org_unit_id=r["org_unit_id"],
                month=month,
                **{k: r[f"s_{k}"] or 0 for k in STAT_COUNTERS},
            )
        )
    ServiceMonthlyStat.objects.all().delete()
    ServiceMonthlyStat.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def _stats_for(dossier: Dossier, moment: dt.datetime, **inc: int) -> None:
    stats_bump(
        org_unit_id=dossier.org_unit_id,
        procedure_code=dossier.procedure.code,
        day=_local_day(moment),
        **inc,
    )


def _counter_values(dossier: Dossier, **given: Any) -> dict[str, Any]:
    """The dossier's fields the counters' conditions read, with ``given`` values."""
    values = {
        f: getattr(dossier, f) for f in statcounters.FIELDS if f not in statcounters.DERIVED_SQL
    }
    values.update(statcounters.derived_values(values))
    values.update(given)
    return values


def stats_record(*, dossier: Dossier, moment: str, at: dt.datetime, **given: Any) -> None:
    """Live: add the counters of ``moment`` (a dossier field of ``statcounters.MOMENTS``)
    for ``dossier`` on the local day of ``at``, in the transaction of the event. ``given``:
    values not on the dossier yet (``supplements`` for ``finished_at``)."""
    inc = statcounters.increments(moment, _counter_values(dossier, **given))
    if inc:
        _stats_for(dossier, at, **inc)


def _supplement_requests(dossier: Dossier) -> int:
    return dossier.pauses.filter(status=Status.SUPPLEMENT).count()


def stats_record_fee_paid(*, dossier: Dossier, online: bool) -> None:
    """For the payments integration: a fee for ``dossier`` was paid (call inside the
    transaction that records the payment)."""
    stats_record(
        dossier=dossier,
        moment="fee_paid_at",
        at=dossier.fee_paid_at or timezone.now(),
        fee_paid_online=online,
    )


def stats_record_rating(*, dossier: Dossier, rating: str) -> None:
    """For the ratings integration: ``rating`` is satisfied / normal / unsatisfied."""
    if rating not in RATINGS:
        raise ValidationError(_("Mức đánh giá không hợp lệ."))
    stats_record(
        dossier=dossier, moment="rated_at", at=dossier.rated_at or timezone.now(), rating=rating
    )


def stats_rebuild() -> int:
    """Recompute every counter from the dossiers (e.g. after a data repair): the daily rows,
    the monthly rows (their sums) and the applicant-years. Returns the number of daily rows
    written."""
    rows: dict[tuple[int, str, dt.date], dict[str, int]] = {}

    def add(d: Dossier, moment: dt.datetime | None, inc: Mapping[str, int]) -> None:
        if moment is None:
            return
        key = (d.org_unit_id, d.procedure.code, _local_day(moment))
        bucket = rows.setdefault(key, {})
        for k, v in inc.items():
            bucket[k] = bucket.get(k, 0) + v

    applicants: set[tuple[int, int, int]] = set()
    qs = (
        Dossier.objects.exclude(status=Status.DRAFT)
        .select_related("procedure")
        .annotate(supplements=Count("pauses", filter=Q(pauses__status=Status.SUPPLEMENT)))
    )
    for d in qs.iterator(chunk_size=2000):
        values = _counter_values(d, supplements=d.supplements)
        for moment in statcounters.MOMENTS:
            inc = statcounters.increments(moment, values)
            if inc:
                add(d, getattr(d, moment), inc)
        if d.channel == Channel.ONLINE and d.submitted_at and d.applicant_id:
            applicants.add((d.org_unit_id, _local_day(d.submitted_at).year, d.applicant_id))
    with transaction.atomic():
        ServiceDailyStat.objects.all().delete()
        ServiceApplicantYear.objects.all().delete()
        ServiceDailyStat.objects.bulk_create(
            [
                ServiceDailyStat(org_unit_id=u, procedure_code=c, day=day, **inc)
                for (u, c, day), inc in rows.items()
            ],
            batch_size=1000,
        )
        months = stats_monthly_from_daily()
        ServiceApplicantYear.objects.bulk_create(
            [ServiceApplicantYear(org_unit_id=u, year=y, applicant_id=a) for u, y, a in applicants],
            batch_size=1000,
        )
        paths = dict(OrgUnit.objects.values_list("pk", "path"))
        scopes = _applicant_scope_counts(
            (a, y, paths.get(u, "")) for u, y, a in sorted(applicants, key=lambda r: (r[2], r[1]))
        )
        ServiceApplicantScopeYear.objects.all().delete()
        ServiceApplicantScopeYear.objects.bulk_create(
            [
                ServiceApplicantScopeYear(scope_id=s, year=y, applicants=n)
                for (s, y), n in scopes.items()
            ],
            batch_size=1000,
        )
        audit_record(
            actor=None,
            action="services.stats_rebuild",
            object_type="services.servicedailystat",
            extra={"rows": len(rows), "months": months, "applicants": len(applicants)},
        )
    return len(rows)


def _applicant_year_sql() -> tuple[str, str, str]:
    qn = connection.ops.quote_name
    ay, unit = ServiceApplicantYear._meta.db_table, OrgUnit._meta.db_table
    scopes = ServiceApplicantScopeYear._meta.db_table
    # identifiers come from the models, values are parameters
    insert = (
        f"INSERT INTO {qn(ay)} (org_unit_id, year, applicant_id) VALUES (%s, %s, %s) "  # noqa: S608
        "ON CONFLICT (org_unit_id, year, applicant_id) DO NOTHING RETURNING id"
    )
    paths = (
        f"SELECT y.org_unit_id, u.path FROM {qn(ay)} y "  # noqa: S608
        f"JOIN {qn(unit)} u ON u.id = y.org_unit_id WHERE y.applicant_id = %s AND y.year = %s"
    )
    bump = (
        f"INSERT INTO {qn(scopes)} (scope_id, year, applicants) VALUES {{values}} "  # noqa: S608
        f"ON CONFLICT (scope_id, year) DO UPDATE SET applicants = {qn(scopes)}.applicants + 1"
    )
    return insert, paths, bump


def _path_ids(path: str) -> list[int]:
    """The ids of a unit and its ancestors, from its materialised path ``/1/5/23/``."""
    return [int(p) for p in (path or "").strip("/").split("/") if p]


def _applicant_year_note(*, org_unit_id: int, applicant_id: int, at: dt.datetime) -> None:
    """The applicant submitted online to the unit this year. A no-op (one statement) when
    already noted; else the applicant also counts, once, for every unit above whose subtree
    had not seen them this year (``ServiceApplicantScopeYear``, the distinct count that the
    dashboards read in one row)."""
    year = _local_day(at).year
    insert, paths, bump = _applicant_year_sql()
    with connection.cursor() as cur:
        cur.execute(insert, [org_unit_id, year, applicant_id])
        if cur.fetchone() is None:
            return
        if connection.vendor == "postgresql":
            # one applicant-year at a time, so two first submissions to units of the same
            # district in parallel count the district once (SQLite serialises writers)
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [applicant_id * 10_000 + year])
        cur.execute(paths, [applicant_id, year])
        rows = cur.fetchall()
        mine = next((p for uid, p in rows if uid == org_unit_id), "")
        seen = {s for uid, p in rows if uid != org_unit_id for s in _path_ids(p)}
        new = [s for s in _path_ids(mine) if s not in seen]
        if new:
            cur.execute(
                bump.format(values=", ".join(["(%s, %s, 1)"] * len(new))),
                [v for s in new for v in (s, year)],
            )


def _applicant_scope_counts(rows: Iterable[tuple[int, int, str]]) -> dict[tuple[int, int], int]:
    """(applicant, year, unit path) rows ordered by applicant and year → the number of
    distinct applicants per (unit subtree, year)."""
    counts: dict[tuple[int, int], int] = {}
    for (_applicant, year), group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
        for scope in {s for _a, _y, path in group for s in _path_ids(path)}:
            counts[(scope, year)] = counts.get((scope, year), 0) + 1
    return counts
