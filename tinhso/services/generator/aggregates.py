# ruff: noqa: S608  (SQL built from model table names only)
"""The running aggregates by one SQL ``GROUP BY`` per table, mirroring ``stats_rebuild``,
and their snapshot for comparisons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.services.generator.report import GeneratorError
from tinhso.services.generator.writers import _extra_columns
from tinhso.services.models import (
    Dossier,
    DossierPause,
    Procedure,
    ServiceApplicantScopeYear,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
)
from tinhso.services.statcounters import stats_sql

# ---------------------------------------------------------------------------------------
# Aggregates
# ---------------------------------------------------------------------------------------

# one branch per moment, from the counters' definitions (statcounters.stats_sql)
_STATS_SQL = """
INSERT INTO {stat} (org_unit_id, procedure_code, day, {counters})
SELECT x.u, p.code, x.day, {sums}
FROM (
{branches}
) x JOIN {procedure} p ON p.id = x.pid
GROUP BY x.u, p.code, x.day
"""

_APPLICANTS_SQL = """
INSERT INTO {table} (org_unit_id, year, applicant_id)
SELECT DISTINCT org_unit_id, extract(year FROM submitted_at AT TIME ZONE %(tz)s)::int,
       applicant_id
FROM {dossier}
WHERE status <> 0 AND channel = 2 AND submitted_at IS NOT NULL AND applicant_id IS NOT NULL
"""

# the distinct applicants of each unit's subtree per year (path = the ids from the root)
_SCOPES_SQL = """
INSERT INTO {scopes} (scope_id, year, applicants)
SELECT s.scope::bigint, y.year, count(DISTINCT y.applicant_id)
FROM {table} y
JOIN {orgunit} u ON u.id = y.org_unit_id
CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' from u.path), '/')) AS s(scope)
GROUP BY 1, 2
"""


_MONTHLY_SQL = """
INSERT INTO {monthly} (org_unit_id, month, {counters})
SELECT org_unit_id, date_trunc('month', day)::date, {sums}
FROM {stat}
GROUP BY 1, 2
"""


def stats_rebuild_sql() -> tuple[int, int]:
    """PostgreSQL: recompute ``ServiceDailyStat``, ``ServiceMonthlyStat`` (the sums of the
    daily rows per unit and month) and ``ServiceApplicantYear`` from the
    dossiers in SQL (same rules as ``services.stats_rebuild``, which iterates in Python).
    Returns (daily rows, applicant-years)."""
    from tinhso.services.models import STAT_COUNTERS

    stat = ServiceDailyStat._meta.db_table
    fmt = {
        "stat": f'"{stat}"',
        "dossier": f'"{Dossier._meta.db_table}"',
        "procedure": f'"{Procedure._meta.db_table}"',
        "pause": f'"{DossierPause._meta.db_table}"',
        "counters": ", ".join(STAT_COUNTERS),
        "sums": ", ".join(f"sum(c{i})" for i in range(len(STAT_COUNTERS))),
    }
    fmt["branches"] = stats_sql(dossier=fmt["dossier"], pause=fmt["pause"])
    extra_cols, extra_vals = _extra_columns(
        ServiceDailyStat, ["id", "org_unit_id", "procedure_code", "day", *STAT_COUNTERS]
    )
    if extra_cols:  # a column added later: set its default afterwards
        raise GeneratorError(f"Cột mới chưa được hỗ trợ: {extra_cols} {extra_vals}")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(f'DELETE FROM "{stat}"')
        cur.execute(f'DELETE FROM "{ServiceApplicantYear._meta.db_table}"')
        cur.execute(_STATS_SQL.format(**fmt), {"tz": "Asia/Ho_Chi_Minh"})
        rows = cur.rowcount
        cur.execute(f'DELETE FROM "{ServiceMonthlyStat._meta.db_table}"')
        cur.execute(
            _MONTHLY_SQL.format(
                monthly=f'"{ServiceMonthlyStat._meta.db_table}"',
                stat=fmt["stat"],
                counters=fmt["counters"],
                sums=", ".join(f"sum({c})" for c in STAT_COUNTERS),
            )
        )
        cur.execute(
            _APPLICANTS_SQL.format(
                table=f'"{ServiceApplicantYear._meta.db_table}"', dossier=fmt["dossier"]
            ),
            {"tz": "Asia/Ho_Chi_Minh"},
        )
        applicants = cur.rowcount
        cur.execute(f'DELETE FROM "{ServiceApplicantScopeYear._meta.db_table}"')
        cur.execute(
            _SCOPES_SQL.format(
                scopes=f'"{ServiceApplicantScopeYear._meta.db_table}"',
                table=f'"{ServiceApplicantYear._meta.db_table}"',
                orgunit=f'"{OrgUnit._meta.db_table}"',
            )
        )
        audit_record(
            actor=None,
            action="services.stats_rebuild",
            object_type="services.servicedailystat",
            extra={"rows": rows, "applicants": applicants, "by": "generate_province"},
        )
    return rows, applicants


def stats_snapshot() -> tuple[
    dict[tuple[int, str, dt.date], tuple[int, ...]],
    set[Any],
    dict[tuple[int, dt.date], tuple[int, ...]],
    dict[tuple[int, int], int],
]:
    """The aggregates as comparable values (tests: generator vs ``stats_rebuild``): daily
    rows, applicant-years, monthly rows, distinct applicants per unit subtree and year."""
    from tinhso.services.models import STAT_COUNTERS

    daily = {
        (r[0], r[1], r[2]): tuple(r[3:])
        for r in ServiceDailyStat.objects.values_list(
            "org_unit_id", "procedure_code", "day", *STAT_COUNTERS
        )
    }
    years = set(ServiceApplicantYear.objects.values_list("org_unit_id", "year", "applicant_id"))
    monthly = {
        (r[0], r[1]): tuple(r[2:])
        for r in ServiceMonthlyStat.objects.values_list("org_unit_id", "month", *STAT_COUNTERS)
    }
    scopes = {
        (r[0], r[1]): r[2]
        for r in ServiceApplicantScopeYear.objects.values_list("scope_id", "year", "applicants")
    }
    return daily, years, monthly, scopes
