# ruff: noqa: S311, S608  (load-test data, not secrets; SQL built from model table names only)
"""Synthetic province for load tests and benchmarks (``manage.py generate_province``).

Generates applicants, dossiers over several years across the receiving units and procedures
of the catalogue, with realistic shares (channels, refusals, supplements, fees, on-time,
results, ratings), their history (``DossierEvent``, ``DossierPause``), the dossier-number
counters, and the running aggregates (``ServiceDailyStat``, ``ServiceMonthlyStat``,
``ServiceApplicantYear``) equal to what ``stats_rebuild`` computes. Optionally adds thousands
of synthetic procedures (for catalogue search at scale).

- Deterministic for a given ``seed`` and ``end`` date (every draw comes from one
  ``random.Random(seed)``; dossiers are generated day by day in submission order, so ids grow
  with time as they do in production).
- PostgreSQL: rows are streamed with ``COPY`` (psycopg 3 ``cursor.copy``) by a writer thread on
  its own connection while the main thread generates the next chunk; foreign-key triggers are
  skipped (``session_replication_role = replica``: the data are consistent by construction)
  and for large loads the secondary indexes are dropped and rebuilt afterwards. The aggregates
  are computed by one SQL ``GROUP BY`` mirroring ``stats_rebuild``.
- Other databases (SQLite): batched ``executemany`` inserts and ``stats_rebuild`` itself.

Every generated row is demo data: dossiers and procedures have ``is_demo`` set, applicants'
usernames start with ``gen.``, synthetic procedure codes with ``GEN.``.

Every due date and every early/on-time/late outcome is computed with the platform's own
deadline rules (``deadlines.due_at`` on the legal unit the procedure states, with holidays,
pauses and the administrator's calendar), exactly as the services would have stored them;
only the moments of events are drawn at random.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import queue
import random
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import TextIOBase
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import ForeignObjectRel, Max, Model
from django.utils import timezone

from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import valid_on_q
from tinhso.services import deadlines
from tinhso.services.deadlines import Duration
from tinhso.services.models import (
    Channel,
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierFile,
    DossierPause,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    ProcedureField,
    ServiceApplicantScopeYear,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
)
from tinhso.services.selectors import channel_pick
from tinhso.services.text import search_normalize
from tinhso.services.workflow import DEFAULT_ACTIONS, procedure_process, process_ensure_default

TZ_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh has no DST
DAY = 86400
GEN_USER_PREFIX = "gen."
GEN_PROCEDURE_PREFIX = "GEN."
DEFAULT_BUDGET_MINUTES = 5 * 480
BIG_LOAD = 500_000  # from this many dossiers (PostgreSQL) indexes are rebuilt after the load

# Shares (documented in the report; tuned to the national portal's published figures).
ONLINE_SHARE = {2022: 0.25, 2023: 0.35, 2024: 0.45, 2025: 0.55, 2026: 0.62, 2027: 0.66}
POST_SHARE = 0.02
REFUSED_SHARE = 0.025
WITHDRAWN_EARLY_SHARE = 0.005
SUPPLEMENT_SHARE = 0.08
SUPPLEMENT_ABANDONED = 0.10  # of supplement requests: the applicant withdraws instead
STOPPED_SHARE = 0.01
LATE_BASE = 0.06  # per unit, scaled by the unit's "quality" factor
EARLY_SHARE = 0.65
RETURNED_SHARE = 0.97
RATED_SHARE: dict[int, float] = {Channel.ONLINE: 0.40, Channel.IN_PERSON: 0.12, Channel.POST: 0.05}
RATING_SPLIT = (("satisfied", 0.86), ("normal", 0.11), ("unsatisfied", 0.03))
FEE_ONLINE_SHARE: dict[int, float] = {
    Channel.ONLINE: 0.80,
    Channel.IN_PERSON: 0.20,
    Channel.POST: 0.10,
}
DIGITISED_IN_PERSON = 0.55
DIGITAL_RESULT = {2022: 0.2, 2023: 0.3, 2024: 0.45, 2025: 0.6, 2026: 0.7, 2027: 0.75}
WEEKDAY_WEIGHT = (1.0, 1.0, 0.95, 0.95, 0.9, 0.18, 0.04)  # Monday … Sunday
YEAR_GROWTH = 1.10

FAMILY: tuple[str, ...] = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
)
FAMILY += ("Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Thu", "Đức", "Hoài", "Kim")
GIVEN: tuple[str, ...] = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
)
GIVEN += ("Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Nhung", "Phong")
GIVEN += ("Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Trung", "Tuấn", "Vy", "Yến")
COMPANY = ("Công ty TNHH", "Công ty CP", "Doanh nghiệp tư nhân", "Hợp tác xã")
TRADE = ("Thương mại", "Xây dựng", "Dịch vụ", "Sản xuất", "Vận tải", "Nông sản", "Cơ khí")

# Vocabulary for synthetic procedures (catalogue search at scale).
PROC_VERBS = (
    "Đăng ký",
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Điều chỉnh",
    "Gia hạn",
    "Thu hồi",
    "Xác nhận",
    "Công nhận",
    "Chứng thực",
    "Thẩm định",
    "Phê duyệt",
)
PROC_OBJECTS = (
    "giấy phép kinh doanh",
    "giấy chứng nhận quyền sử dụng đất",
    "giấy phép xây dựng",
    "hộ kinh doanh",
    "khai sinh",
    "kết hôn",
    "khai tử",
    "thường trú",
    "chứng chỉ hành nghề",
    "giấy phép lái xe",
    "biển hiệu quảng cáo",
    "hợp tác xã",
    "cơ sở giáo dục",
    "cơ sở khám chữa bệnh",
    "trang trại",
    "giấy phép môi trường",
    "phương án phòng cháy",
    "điểm kinh doanh dịch vụ",
    "nhà ở riêng lẻ",
    "văn bản chấp thuận đầu tư",
)
PROC_QUALIFIERS = (
    "",
    "cho cá nhân",
    "cho doanh nghiệp",
    "có yếu tố nước ngoài",
    "trong khu công nghiệp",
    "tại cấp xã",
    "tại cấp tỉnh",
    "lần đầu",
    "do bị mất, hỏng",
    "trường hợp thay đổi thông tin",
)

ACTION_NAMES = {a[0]: a[1] for a in DEFAULT_ACTIONS}
ACTION_NAMES["submit"] = "Nộp hồ sơ trực tuyến"
ACTION_NAMES["register"] = "Đăng ký hồ sơ nộp trực tiếp"
ACTION_NAMES.setdefault("request_fee", "Yêu cầu nộp phí, lệ phí")
REFUSE_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
    "Thành phần hồ sơ không đúng quy định.",
)
SUPPLEMENT_REASONS = (
    "Đề nghị bổ sung bản sao giấy tờ tùy thân còn hiệu lực.",
    "Tờ khai còn thiếu thông tin, đề nghị bổ sung.",
)
REJECT_REASON = "Không đủ điều kiện theo quy định."
REWORK = "Đề nghị thẩm định lại."


@dataclass
class GenerationReport:
    dossiers: int = 0
    events: int = 0
    pauses: int = 0
    applicants: int = 0
    procedures_added: int = 0
    agencies_added: int = 0
    stat_rows: int = 0
    applicant_years: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        t = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        return (
            f"{self.dossiers} hồ sơ, {self.events} sự kiện, {self.pauses} lần tạm dừng, "
            f"{self.applicants} người nộp, {self.procedures_added} thủ tục thêm, "
            f"{self.agencies_added} cơ quan tiếp nhận thêm, {self.stat_rows} dòng thống kê, "
            f"{self.applicant_years} người nộp-năm; {self.seconds:.1f}s ({t})"
        )


class GeneratorError(Exception):
    """The database is not in a state the generator can work on (message in Vietnamese)."""


# ---------------------------------------------------------------------------------------
# Writers: COPY on PostgreSQL (writer thread), executemany elsewhere
# ---------------------------------------------------------------------------------------


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _tsv(rows: Iterable[Sequence[Any]]) -> bytes:
    """COPY text format. The generator's strings never hold tabs, newlines or backslashes
    (fixed vocabularies), so no escaping is needed."""
    out = []
    for row in rows:
        out.append(
            "\t".join(
                "\\N" if v is None else ("t" if v else "f") if v is True or v is False else str(v)
                for v in row
            )
        )
    out.append("")
    return "\n".join(out).encode()


def _extra_columns(model: type[Model], given: Sequence[str]) -> tuple[list[str], tuple[Any, ...]]:
    """Columns the generator does not set (added by later migrations) with their defaults,
    prepared for the database, so a new NOT NULL column never breaks the load."""
    cols: list[str] = []
    vals: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.column in given or f.primary_key:
            continue
        if f.has_default() or not f.null:
            value = f.get_default() if f.has_default() else ("" if f.empty_strings_allowed else 0)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = timezone.now()
            prepped = f.get_db_prep_save(value, connection)
            if hasattr(prepped, "dumps"):  # JSON adapter
                prepped = prepped.dumps(prepped.obj)
            cols.append(f.column)
            vals.append(prepped.isoformat() if isinstance(prepped, dt.datetime) else prepped)
    return cols, tuple(vals)


class _Table:
    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        self.name = model._meta.db_table
        extra_cols, self.extra = _extra_columns(model, columns)
        self.columns = [*columns, *extra_cols]

    def copy_sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{self.name}" ({cols}) FROM STDIN'

    def insert_sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        return f'INSERT INTO "{self.name}" ({cols}) VALUES ({marks})'


class _Lane:
    """One PostgreSQL connection and the thread that runs its COPYs."""

    def __init__(self, owner: _Writer) -> None:
        import psycopg

        params = connection.get_connection_params()
        for k in ("cursor_factory", "context", "server_side_binding", "pool", "assume_role"):
            params.pop(k, None)
        self.owner = owner
        self.conn = psycopg.connect(**params)
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.replica = True
        try:
            self.conn.execute("SET session_replication_role = replica")
        except psycopg.Error:  # not a superuser: foreign keys are checked (slower)
            self.conn.rollback()
            self.replica = False
        self.conn.execute("SET synchronous_commit = off")
        self.conn.commit()
        self.q: queue.Queue[tuple[_Table, bytes] | None] = queue.Queue(maxsize=3)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.q.get()
            if item is None:
                return
            if self.owner.error is not None:
                continue
            table, data = item
            try:
                with self.conn.cursor() as cur, cur.copy(table.copy_sql()) as cp:
                    cp.write(data)
                self.conn.commit()
            except BaseException as exc:  # reported by the main thread
                self.owner.error = exc

    def close(self) -> None:
        self.q.put(None)
        self.thread.join()
        self.conn.close()


class _Writer:
    """Sends chunks of rows to the database. On PostgreSQL, threads with their own
    connections run the COPYs, so generating and loading overlap: the history (the largest
    table) has its own lane when foreign-key triggers are off (otherwise one lane keeps the
    parent-before-child order)."""

    def __init__(self) -> None:
        self.pg = _is_pg()
        self.error: BaseException | None = None
        self.lanes: list[_Lane] = []
        if self.pg:
            self.lanes.append(_Lane(self))
            if self.lanes[0].replica:
                self.lanes.append(_Lane(self))

    def write(self, table: _Table, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.error is not None:
            raise self.error
        if table.extra:
            rows = [r + table.extra for r in rows]
        if self.pg:
            lane = self.lanes[-1] if table.name == DossierEvent._meta.db_table else self.lanes[0]
            lane.q.put((table, _tsv(rows)))
        else:
            with transaction.atomic(), connection.cursor() as cur:
                for i in range(0, len(rows), 5000):
                    cur.executemany(table.insert_sql(), rows[i : i + 5000])

    def abort(self) -> None:
        for lane in self.lanes:
            lane.q.put(None)

    def close(self) -> None:
        for lane in self.lanes:
            lane.close()
        if self.error is not None:
            raise self.error


# ---------------------------------------------------------------------------------------
# Indexes off during large loads (PostgreSQL)
# ---------------------------------------------------------------------------------------


def _secondary_indexes(tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, drop statement, create statement) for non-primary indexes and constraints."""
    out: list[tuple[str, str, str]] = []
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(i.oid), c.conname,
                   pg_get_constraintdef(c.oid), c.contype
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = t.oid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary
            """,
            [list(tables)],
        )
        for table, index, indexdef, conname, condef, contype in cur.fetchall():
            if conname and contype in ("u", "x"):
                out.append(
                    (
                        table,
                        f'ALTER TABLE "{table}" DROP CONSTRAINT "{conname}"',
                        f'ALTER TABLE "{table}" ADD CONSTRAINT "{conname}" {condef}',
                    )
                )
            else:
                out.append((table, f'DROP INDEX "{index}"', indexdef))
    return out


# ---------------------------------------------------------------------------------------
# Setup: procedures, agencies, applicants
# ---------------------------------------------------------------------------------------


def procedures_add(*, count: int, rng: random.Random) -> int:
    """Add ``count`` synthetic procedures (codes ``GEN.000001`` …) for catalogue search."""
    if count <= 0:
        return 0
    fields = list(ProcedureField.objects.order_by("pk"))
    if not fields:
        fields = [
            ProcedureField.objects.create(name="Lĩnh vực tổng hợp (demo)", search_text="demo")
        ]
    start = Procedure.objects.filter(code__startswith=GEN_PROCEDURE_PREFIX).count()
    levels = (",commune,", ",district,", ",province,", ",province,district,")
    rows = []
    for i in range(start + 1, start + count + 1):
        name = " ".join(
            x
            for x in (
                rng.choice(PROC_VERBS),
                rng.choice(PROC_OBJECTS),
                rng.choice(PROC_QUALIFIERS),
                f"(mẫu {i})",
            )
            if x
        )
        fld = rng.choice(fields)
        code = f"{GEN_PROCEDURE_PREFIX}{i:06d}"
        rows.append(
            Procedure(
                code=code,
                name=name,
                search_text=search_normalize(f"{code} {name} {fld.name}"),
                field=fld,
                levels=rng.choice(levels),
                service_class=rng.choice(("full", "partial", "")),
                is_demo=True,
            )
        )
    Procedure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def agencies_widen(*, on: dt.date) -> int:
    """Every procedure received by some commune (district) is received by every commune
    (district) of the province: the dossier load spreads over the whole province."""
    by_level: dict[int, list[int]] = {}
    for uid, level in OrgUnit.objects.filter(valid_on_q(on)).values_list("pk", "level"):
        by_level.setdefault(level, []).append(uid)
    existing = set(ProcedureAgency.objects.values_list("procedure_id", "org_unit_id"))
    levels_of: dict[int, set[int]] = {}
    for pid, level in ProcedureAgency.objects.filter(valid_on_q(on)).values_list(
        "procedure_id", "org_unit__level"
    ):
        levels_of.setdefault(pid, set()).add(level)
    rows = []
    start = dt.date(on.year - 10, 1, 1)
    for pid, levels in levels_of.items():
        for level in levels:
            if level == OrgUnit.Level.PROVINCE:  # departments receive for the whole province
                continue
            for uid in by_level.get(level, []):
                if (pid, uid) not in existing:
                    rows.append(
                        ProcedureAgency(procedure_id=pid, org_unit_id=uid, valid_from=start)
                    )
    ProcedureAgency.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


@dataclass
class _Pair:
    unit_id: int
    unit_code: str
    procedure_id: int
    duration: dict[int, Duration | None]  # per channel, as ``procedure_channel`` picks it
    fee: int | None


def _pairs(*, on: dt.date, rng: random.Random) -> tuple[list[_Pair], list[float], dict[int, float]]:
    """(unit, procedure) pairs that receive dossiers, with popularity weights, and a
    per-unit lateness factor."""
    default = process_ensure_default()
    procs = {
        p.pk: p
        for p in Procedure.objects.filter(is_active=True)
        .exclude(code__startswith=GEN_PROCEDURE_PREFIX)
        .select_related("process")
        .order_by("code")
        if procedure_process(procedure=p).pk == default.pk
    }
    channels: dict[int, list[ProcedureChannel]] = {}
    for c in ProcedureChannel.objects.filter(procedure_id__in=list(procs)).order_by("pk"):
        channels.setdefault(c.procedure_id, []).append(c)
    agencies = (
        ProcedureAgency.objects.filter(valid_on_q(on), procedure_id__in=list(procs))
        .filter(valid_on_q(on, prefix="org_unit__"))
        .values_list("procedure_id", "org_unit_id", "org_unit__code", "org_unit__level")
        .order_by("procedure__code", "org_unit__code")
        .distinct()
    )
    # popularity: a few procedures carry most of the load (Zipf-like), per procedure order
    ranked = sorted(procs, key=lambda pk: procs[pk].code)
    rng.shuffle(ranked)
    pop = {pk: 1.0 / (i + 1) ** 0.9 for i, pk in enumerate(ranked)}
    unit_size: dict[int, float] = {}
    unit_quality: dict[int, float] = {}
    pairs: list[_Pair] = []
    weights: list[float] = []
    for pid, uid, ucode, level in agencies:
        if uid not in unit_size:
            unit_size[uid] = rng.lognormvariate(0, 0.6) * (3.0 if level == 2 else 1.0)
            unit_quality[uid] = rng.lognormvariate(0, 0.7)
        fee = None
        rows = channels.get(pid, [])
        for ch in rows:
            if fee is None and ch.fee_amount and ch.fee_currency == "VND":
                fee = int(ch.fee_amount)
        durations: dict[int, Duration | None] = {}
        for wanted in (Channel.ONLINE, Channel.IN_PERSON, Channel.POST):
            row = channel_pick(rows=rows, channel=wanted)
            durations[int(wanted)] = row.duration if row is not None else None
        pairs.append(_Pair(uid, ucode, pid, durations, fee))
        weights.append(pop[pid] * unit_size[uid])
    return pairs, weights, unit_quality


def _applicant_name(rng: random.Random, business: bool) -> str:
    if business:
        return f"{rng.choice(COMPANY)} {rng.choice(TRADE)} {rng.choice(GIVEN)} {rng.choice(GIVEN)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


# ---------------------------------------------------------------------------------------
# Replacing earlier generated data
# ---------------------------------------------------------------------------------------


def _referencing_models(models: Sequence[type[Model]]) -> set[type[Model]]:
    """Every other model whose rows point, directly or through another, at ``models``
    (including relations declared with ``related_name="+"``)."""
    found: set[type[Model]] = set()
    todo = list(models)
    while todo:
        m = todo.pop()
        for rel in m._meta.get_fields(include_hidden=True):
            other = rel.related_model if isinstance(rel, ForeignObjectRel) else None
            if isinstance(other, type) and other not in models and other not in found:
                found.add(other)
                todo.append(other)
    return found


def generated_delete() -> None:
    """Remove dossiers marked as demo (with their history), ``gen.`` applicants and ``GEN.``
    procedures; the aggregates are rebuilt by the next generation."""
    user_model = get_user_model()
    with transaction.atomic():
        truncated = (DossierEvent, DossierPause, DossierFile, DossierCounter, Dossier)
        # rows of other apps that point at dossiers or their history (the portal outbox,
        # feedback about a dossier, …): TRUNCATE only when none exist
        referencing = _referencing_models(truncated)
        if (
            _is_pg()
            and not Dossier.objects.filter(is_demo=False).exists()
            and not any(m._default_manager.exists() for m in referencing)
        ):
            tables = [m._meta.db_table for m in truncated] + [m._meta.db_table for m in referencing]
            with connection.cursor() as cur:
                cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
        else:
            ids = Dossier.objects.filter(is_demo=True).values("pk")
            DossierEvent.objects.filter(dossier_id__in=ids).delete()
            DossierPause.objects.filter(dossier_id__in=ids).delete()
            DossierFile.objects.filter(dossier_id__in=ids).delete()
            Dossier.objects.filter(is_demo=True).delete()
        ServiceApplicantYear.objects.filter(
            applicant__username__startswith=GEN_USER_PREFIX
        ).delete()
        user_model.objects.filter(username__startswith=GEN_USER_PREFIX).exclude(
            pk__in=Dossier.objects.exclude(applicant=None).values("applicant_id")
        ).delete()
        ProcedureAgency.objects.filter(procedure__code__startswith=GEN_PROCEDURE_PREFIX).delete()
        Procedure.objects.filter(code__startswith=GEN_PROCEDURE_PREFIX).delete()


# ---------------------------------------------------------------------------------------
# Aggregates
# ---------------------------------------------------------------------------------------

_STATS_SQL = """
INSERT INTO {stat} (org_unit_id, procedure_code, day, {counters})
SELECT x.u, p.code, x.day, {sums}
FROM (
  SELECT org_unit_id u, procedure_id pid, (received_at AT TIME ZONE %(tz)s)::date AS day,
         1 c0, (channel = 2)::int c1, (channel = 1)::int c2, (channel = 3)::int c3,
         (received_digitised AND (digitised_at IS NULL OR digitised_at <= received_at))::int c4,
         0 c5, 0 c6, 0 c7, 0 c8, 0 c9, 0 c10, 0 c11, 0 c12, 0 c13,
         0 c14, 0 c15, 0 c16, 0 c17, 0 c18, 0 c19, parts_total c20, parts_reused c21
  FROM {dossier} WHERE status <> 0 AND received_at IS NOT NULL
  UNION ALL
  SELECT org_unit_id, procedure_id, (digitised_at AT TIME ZONE %(tz)s)::date,
         0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  FROM {dossier} WHERE status <> 0 AND received_at IS NOT NULL AND received_digitised
       AND digitised_at > received_at
  UNION ALL
  SELECT org_unit_id, procedure_id, (refused_at AT TIME ZONE %(tz)s)::date,
         0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  FROM {dossier} WHERE status <> 0 AND refused_at IS NOT NULL
  UNION ALL
  SELECT org_unit_id, procedure_id, (withdrawn_at AT TIME ZONE %(tz)s)::date,
         0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  FROM {dossier} WHERE status <> 0 AND withdrawn_at IS NOT NULL
  UNION ALL
  SELECT d.org_unit_id, d.procedure_id, (d.finished_at AT TIME ZONE %(tz)s)::date,
         0, 0, 0, 0, 0, 0, 0, 1, (d.outcome = 'early')::int, (d.outcome = 'on_time')::int,
         (d.outcome = 'late')::int, d.result_digital::int, 0, 0, 0, 0, 0, 0,
         (d.outcome IN ('early', 'on_time') AND m.dossier_id IS NOT NULL)::int,
         (d.result_digital AND d.received_digitised)::int, 0, 0
  FROM {dossier} d
  LEFT JOIN (SELECT dossier_id FROM {pause} WHERE status = 5
             GROUP BY dossier_id HAVING count(*) > 1) m ON m.dossier_id = d.id
  WHERE d.status <> 0 AND d.finished_at IS NOT NULL AND d.outcome <> ''
  UNION ALL
  SELECT org_unit_id, procedure_id, (fee_paid_at AT TIME ZONE %(tz)s)::date,
         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, fee_paid_online::int, 0, 0, 0, 0, 0, 0, 0, 0
  FROM {dossier} WHERE status <> 0 AND fee_paid_at IS NOT NULL
  UNION ALL
  SELECT org_unit_id, procedure_id, (rated_at AT TIME ZONE %(tz)s)::date,
         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (rating = 'satisfied')::int,
         (rating = 'normal')::int, (rating = 'unsatisfied')::int, 0, 0, 0, 0
  FROM {dossier} WHERE status <> 0 AND rated_at IS NOT NULL
       AND rating IN ('satisfied', 'normal', 'unsatisfied')
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


# ---------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------

DOSSIER_COLUMNS = (
    "id",
    "number",
    "procedure_id",
    "process_id",
    "step_id",
    "status",
    "channel",
    "org_unit_id",
    "applicant_id",
    "applicant_name",
    "applicant_id_number",
    "applicant_email",
    "applicant_phone",
    "form_data",
    "registered_by_id",
    "assignee_id",
    "created_at",
    "submitted_at",
    "received_at",
    "refused_at",
    "withdrawn_at",
    "budget_minutes",
    "duration_value",
    "duration_unit",
    "due_at",
    "paused_since",
    "step_entered_at",
    "step_due_at",
    "finished_at",
    "outcome",
    "returned_at",
    "received_digitised",
    "fee_amount",
    "fee_paid_at",
    "fee_paid_online",
    "result_digital",
    "result_ref",
    "rating",
    "rated_at",
    "version",
    "is_demo",
)
EVENT_COLUMNS = (
    "id",
    "dossier_id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "action_name",
    "from_status",
    "to_status",
    "from_step",
    "to_step",
    "comment",
)
PAUSE_COLUMNS = ("dossier_id", "status", "started_at", "ended_at")
USER_COLUMNS = (
    "id",
    "password",
    "username",
    "kind",
    "full_name",
    "citizen_id",
    "tax_code",
    "business_name",
    "phone",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "first_name",
    "last_name",
    "date_joined",
)


def _next_id(model: type[Model]) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _setval(model: type[Model]) -> None:
    if not _is_pg():
        return
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f'(SELECT COALESCE(MAX("{pk}"), 1) FROM "{table}"))',
            [table, pk],
        )


class _Clock:
    """Integer seconds (UTC epoch) ↔ text for the database, fast (lookup tables)."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.d0 = (first - dt.date(1970, 1, 1)).days
        n = (last - first).days + 1
        self.days = [f"{first + dt.timedelta(days=i)} " for i in range(n)]
        self.times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]

    def fmt(self, t: int | None) -> str | None:
        if t is None:
            return None
        d, s = divmod(t, DAY)
        return self.days[d - self.d0] + self.times[s]


def province_generate(
    *,
    dossiers: int,
    seed: int = 1,
    years: int = 4,
    end: dt.date | None = None,
    applicants: int | None = None,
    procedures: int = 0,
    widen: bool = True,
    replace: bool = False,
    chunk: int = 20_000,
    stdout: TextIO | TextIOBase | None = None,
    progress: bool = True,
) -> GenerationReport:
    """Generate ``dossiers`` dossiers submitted from 1 January ``years - 1`` years before
    ``end`` up to the day before ``end`` (default: today); the state of each is its state at
    midnight starting ``end`` (recent dossiers are still open)."""
    from tqdm import tqdm

    report = GenerationReport()
    t_start = time.perf_counter()
    marks: dict[str, float] = {}

    def lap(name: str) -> None:
        marks[name] = time.perf_counter()
        prev = list(marks.values())
        report.timings[name] = prev[-1] - (prev[-2] if len(prev) > 1 else t_start)

    def say(msg: str) -> None:
        if stdout is not None:
            stdout.write(msg + "\n")

    rng = random.Random(seed)
    end = end or timezone.localdate()
    first = dt.date(end.year - years + 1, 1, 1)
    if first >= end:
        raise GeneratorError("Khoảng thời gian sinh dữ liệu trống.")
    if (
        Dossier.objects.filter(is_demo=True).exists()
        or Procedure.objects.filter(code__startswith=GEN_PROCEDURE_PREFIX).exists()
    ):
        if not replace:
            raise GeneratorError(
                "Cơ sở dữ liệu đã có dữ liệu sinh trước đó; dùng --replace để thay thế."
            )
        generated_delete()
    lap("cleanup")

    report.procedures_added = procedures_add(count=procedures, rng=random.Random(seed + 1))
    if widen:
        report.agencies_added = agencies_widen(on=end)
    pairs, weights, quality = _pairs(on=end, rng=rng)
    if not pairs and dossiers:
        raise GeneratorError(
            "Chưa có thủ tục nào có cơ quan tiếp nhận (chạy load_demo hoặc import_tthc trước)."
        )
    cum_weights = list(_accumulate(weights))
    process = process_ensure_default()
    steps = {s.code: s for s in process.steps.all()}
    officers = _officers()
    lap("setup")

    # applicants
    user_model = get_user_model()
    n_users = applicants if applicants is not None else max(50, dossiers // 5)
    user_table = _Table(user_model, USER_COLUMNS)
    writer = _Writer()
    pg = writer.pg
    rebuild: list[tuple[str, str, str]] = []
    big = pg and dossiers >= BIG_LOAD
    clock = _Clock(first - dt.timedelta(days=2), end + dt.timedelta(days=800))
    joined = clock.fmt(int(dt.datetime(first.year, 1, 1, tzinfo=dt.UTC).timestamp()))
    uid0 = _next_id(user_model)
    users: list[tuple[int, str, str, str]] = []  # id, name, id_number, phone
    try:
        if big:
            rebuild = _secondary_indexes(
                [Dossier._meta.db_table, DossierEvent._meta.db_table, DossierPause._meta.db_table]
            )
            with connection.cursor() as cur:
                for _table, drop, _create in rebuild:
                    cur.execute(drop)
        rows: list[tuple[Any, ...]] = []
        for i in range(n_users):
            business = rng.random() < 0.08
            name = _applicant_name(rng, business)
            uid = uid0 + i
            idn = f"{3100000000 + i:010d}" if business else f"074{i % 2}{i:08d}"
            phone = f"09{rng.randrange(10**8):08d}"
            users.append((uid, name, idn, phone))
            rows.append(
                (
                    uid,
                    "!",
                    f"{GEN_USER_PREFIX}{seed}.{i}",
                    "business" if business else "citizen",
                    "" if business else name,
                    None if business else idn,
                    idn if business else None,
                    name if business else "",
                    phone,
                    "",
                    True,
                    False,
                    False,
                    "",
                    "",
                    joined,
                )
            )
            if len(rows) >= chunk:
                writer.write(user_table, rows)
                rows = []
        writer.write(user_table, rows)
        report.applicants = n_users
        lap("applicants")

        counts = _generate_dossiers(
            rng=rng,
            n=dossiers,
            first=first,
            end=end,
            pairs=pairs,
            cum_weights=cum_weights,
            quality=quality,
            users=users,
            officers=officers,
            steps=steps,
            process_id=process.pk,
            clock=clock,
            writer=writer,
            chunk=chunk,
            bar=tqdm(
                total=dossiers,
                unit=" hồ sơ",
                disable=not progress,
                mininterval=1.0,
                desc="Sinh hồ sơ",
            ),
        )
        report.dossiers, report.events, report.pauses = counts
        writer.close()
        lap("dossiers")
    except BaseException:
        writer.abort()
        raise
    finally:
        if rebuild:
            say("Tạo lại chỉ mục…")
            with connection.cursor() as cur:
                for _table, _drop, create in rebuild:
                    cur.execute(create)
    if rebuild:
        lap("indexes")
    for model in (user_model, Dossier, DossierEvent, DossierPause):
        _setval(model)
    if pg:
        with connection.cursor() as cur:
            for model in (Dossier, DossierEvent, DossierPause, user_model):
                cur.execute(f'ANALYZE "{model._meta.db_table}"')
        report.stat_rows, report.applicant_years = stats_rebuild_sql()
        with connection.cursor() as cur:
            cur.execute(f'ANALYZE "{ServiceDailyStat._meta.db_table}"')
            cur.execute(f'ANALYZE "{ServiceMonthlyStat._meta.db_table}"')
    else:
        from tinhso.services.services import stats_rebuild

        report.stat_rows = stats_rebuild()
        report.applicant_years = ServiceApplicantYear.objects.count()
    lap("aggregates")
    with transaction.atomic():
        audit_record(
            actor=None,
            action="services.province_generate",
            object_type="services.dossier",
            extra={
                "dossiers": report.dossiers,
                "seed": seed,
                "end": end.isoformat(),
                "procedures": report.procedures_added,
            },
        )
    report.seconds = time.perf_counter() - t_start
    return report


def _accumulate(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def _officers() -> dict[int, list[tuple[int, str]]]:
    """Officers per unit (id, display name), for in-person registration and assignment."""
    from tinhso.accounts.models import Membership

    out: dict[int, list[tuple[int, str]]] = {}
    for m in Membership.objects.filter(role__in=("officer", "head")).select_related("user"):
        out.setdefault(m.org_unit_id, []).append((m.user_id, m.user.display_name[:255]))
    return out


def _day_counts(n: int, first: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    days = [first + dt.timedelta(days=i) for i in range((end - first).days)]
    w = [WEEKDAY_WEIGHT[d.weekday()] * YEAR_GROWTH ** (d.year - first.year) for d in days]
    total = sum(w)
    out: list[tuple[dt.date, int]] = []
    acc = 0.0
    given = 0
    for d, x in zip(days, w, strict=True):
        acc += x
        target = round(n * acc / total)
        out.append((d, target - given))
        given = target
    return out


class _LegalClock:
    """The platform's own deadline rules (``deadlines.due_at``) on the generator's integer
    UTC seconds; the calendar caches every day it has answered, so this stays fast."""

    def __init__(self, cal: deadlines.WorkCalendar) -> None:
        self.cal = cal
        self._recent: dict[tuple[Any, ...], int] = {}

    @staticmethod
    def _dt(sec: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(sec, dt.UTC)

    def due(self, received: int, duration: Duration, pauses: Sequence[tuple[int, int, int]]) -> int:
        # a dossier asks up to three times (at receipt, before it finishes, at ``now``),
        # mostly with the same pauses: answer repeats from the last few questions
        key = (received, duration, tuple(pauses))
        known = self._recent.get(key)
        if known is not None:
            return known
        moment = deadlines.due_at(
            received_at=self._dt(received),
            duration=duration,
            pauses=[(self._dt(a), self._dt(b)) for _s, a, b in pauses],
            cal=self.cal,
        )
        if len(self._recent) > 8:
            self._recent.clear()
        due = self._recent[key] = int(moment.timestamp())
        return due

    def due_or_none(
        self,
        received: int | None,
        duration: Duration | None,
        pauses: Sequence[tuple[int, int, int]],
    ) -> int | None:
        """No receipt or no stated time: no due moment."""
        if received is None or duration is None:
            return None
        return self.due(received, duration, pauses)

    def at_receipt(self, received: int, duration: Duration | None) -> tuple[int | None, int | None]:
        """(due moment, ``budget_minutes``) at receipt, before any pause."""
        if duration is None:
            return None, None
        due = self.due(received, duration, ())
        return due, self.budget(received, duration, due)

    def budget(self, received: int, duration: Duration, due: int) -> int:
        """``Dossier.budget_minutes`` as ``services._set_duration`` computes it."""
        if not duration.is_calendar:
            return duration.working_minutes()
        start = deadlines.clock_start(self._dt(received), self.cal)
        return deadlines.working_minutes_between(start, self._dt(due), self.cal)

    def classify(self, finish: int, due: int | None) -> str:
        """The outcome as ``services`` stores it: none without a due moment."""
        if due is None:
            return ""
        return deadlines.classify(self._dt(finish), self._dt(due))


def _generate_dossiers(
    *,
    rng: random.Random,
    n: int,
    first: dt.date,
    end: dt.date,
    pairs: list[_Pair],
    cum_weights: list[float],
    quality: dict[int, float],
    users: list[tuple[int, str, str, str]],
    officers: dict[int, list[tuple[int, str]]],
    steps: dict[str, Any],
    process_id: int,
    clock: _Clock,
    writer: _Writer,
    chunk: int,
    bar: Any,
) -> tuple[int, int, int]:
    rand = rng.random
    randrange = rng.randrange
    fmt = clock.fmt
    dossier_t = _Table(Dossier, DOSSIER_COLUMNS)
    event_t = _Table(DossierEvent, EVENT_COLUMNS)
    pause_t = _Table(DossierPause, PAUSE_COLUMNS)
    step_id = {c: s.pk for c, s in steps.items()}
    step_name = {c: s.name for c, s in steps.items()}
    step_status = {c: int(s.status) for c, s in steps.items()}
    fee_at_receipt = "payment_receipt" in steps  # the current default process
    now = int(dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC).timestamp()) - TZ_OFFSET
    did = _next_id(Dossier)
    eid = _next_id(DossierEvent)
    total_events = 0
    total_pauses = 0
    counters: dict[tuple[str, int], int] = {}
    d_rows: list[tuple[Any, ...]] = []
    e_rows: list[tuple[Any, ...]] = []
    p_rows: list[tuple[Any, ...]] = []
    n_users = len(users)
    total_w = cum_weights[-1] if cum_weights else 0.0
    epoch = dt.date(1970, 1, 1)
    ONLINE, IN_PERSON, POST = (  # noqa: N806 (constants, hoisted for the hot loop below)
        int(Channel.ONLINE),
        int(Channel.IN_PERSON),
        int(Channel.POST),
    )
    rating_cum = list(_accumulate(p for _r, p in RATING_SPLIT))
    legal = _LegalClock(deadlines.calendar_load())
    made = 0

    def flush() -> None:
        nonlocal d_rows, e_rows, p_rows
        writer.write(dossier_t, d_rows)
        writer.write(event_t, e_rows)
        writer.write(pause_t, p_rows)
        d_rows, e_rows, p_rows = [], [], []

    for day, count in _day_counts(n, first, end):
        if count <= 0:
            continue
        local_midnight = (day - epoch).days * DAY - TZ_OFFSET  # UTC seconds of 00:00 local
        weekend = day.weekday() >= 5
        online_share = ONLINE_SHARE.get(day.year, 0.6)
        digital_result = DIGITAL_RESULT.get(day.year, 0.7)
        if weekend:
            online_share = max(online_share, 0.85 if day.weekday() == 5 else 1.0)
        yymmdd = f"{day:%y%m%d}"
        day_no = local_midnight // DAY + 1
        chosen = [pairs[bisect.bisect_left(cum_weights, rand() * total_w)] for _ in range(count)]
        times = []
        for _ in range(count):
            r = rand()
            if r < online_share:
                ch = ONLINE
                # online: any hour, peaks in office hours
                sec = int(6 * 3600 + rand() * 16 * 3600) if rand() < 0.9 else randrange(DAY)
            else:
                ch = POST if rand() < POST_SHARE / (1 - online_share + 1e-9) else IN_PERSON
                sec = int(7.5 * 3600 + rand() * 9 * 3600)
            times.append((sec, ch))
        times.sort()
        for pair, (sec, ch) in zip(chosen, times, strict=True):
            t_sub = local_midnight + sec
            uid = pair.unit_id
            key = (pair.unit_code, day_no)
            seq = counters.get(key, 0) + 1
            counters[key] = seq
            number = f"{pair.unit_code}-{yymmdd}-{seq:04d}"
            dossier_id = did
            did += 1
            offs = officers.get(uid)
            officer = offs[randrange(len(offs))] if offs else (None, "")
            online = ch == ONLINE
            if online:
                u = users[randrange(n_users)]
                applicant_id, name, idn, phone = u[0], u[1], u[2], u[3]
                registered_by = None
                digitised = True
            else:
                applicant_id = None
                u = users[randrange(n_users)]
                name, idn, phone = u[1], u[2], u[3]
                registered_by = officer[0]
                digitised = rand() < DIGITISED_IN_PERSON
            # the timeline: (at, actor_id, actor_label, action, from_step, to_step, comment)
            ev: list[tuple[int, Any, str, str, str, str, str]] = []
            if online:
                ev.append((t_sub, applicant_id, name, "submit", "", "new", ""))
                t = t_sub + 900 + int(rand() * 6 * 3600)
            else:
                ev.append((t_sub, officer[0], officer[1], "register", "", "new", ""))
                t = t_sub + 30 + randrange(240)
            r = rand()
            received = refused = withdrawn = None
            due = finish = returned = fee_paid = rated = None
            outcome = ""
            pauses: list[tuple[int, int, int]] = []  # status, start, end
            fee_amount = None
            fee_online = False
            result_digital = False
            rating = ""
            duration = pair.duration[ch]
            if online and r < REFUSED_SHARE:
                ev.append(
                    (t, officer[0], officer[1], "refuse", "new", "refused", REFUSE_REASONS[0])
                )
                refused = t
            elif online and r < REFUSED_SHARE + WITHDRAWN_EARLY_SHARE:
                ev.append((t, applicant_id, name, "withdraw", "new", "withdrawn", ""))
                withdrawn = t
            else:
                received = t
                ev.append((t, officer[0], officer[1], "receive", "new", "received", ""))
                fee_amount = pair.fee
                # the legal time as the platform computes it (received, no pause yet); no
                # stated time: no deadline (the timing below uses a default span)
                due, budget = legal.at_receipt(received, duration)
                work_days = max(1, math.ceil((budget or DEFAULT_BUDGET_MINUTES) / 480))
                span = max(1800, int(work_days * 7 / 5 * DAY))
                if fee_amount and fee_at_receipt:
                    # the system asks for the fee on receipt; the clock stops until it is paid
                    t += 60
                    ev.append((t, None, "", "request_fee", "received", "payment_receipt", ""))
                    wait = 600 + int(rand() * 2 * DAY)
                    pauses.append((6, t, t + wait))
                    t += wait
                    fee_paid = t
                    fee_online = rand() < FEE_ONLINE_SHARE[ch]
                    ev.append((t, None, "", "paid", "payment_receipt", "received", ""))
                t += 600 + int(rand() * 0.1 * span)
                ev.append((t, officer[0], officer[1], "assign", "received", "processing", ""))
                abandoned = False
                if rand() < SUPPLEMENT_SHARE:
                    t += 1800 + int(rand() * 0.3 * span)
                    ev.append(
                        (
                            t,
                            officer[0],
                            officer[1],
                            "request_supplement",
                            "processing",
                            "supplement",
                            SUPPLEMENT_REASONS[randrange(2)],
                        )
                    )
                    wait = 3600 + int(rand() * 6 * DAY)
                    if rand() < SUPPLEMENT_ABANDONED:
                        t += wait + 10 * DAY
                        ev.append(
                            (t, applicant_id, name, "withdraw", "supplement", "withdrawn", "")
                        )
                        withdrawn = t
                        pauses.append((5, t - wait - 10 * DAY, t))
                        abandoned = True
                    else:
                        pauses.append((5, t, t + wait))
                        t += wait
                        ev.append(
                            (t, applicant_id, name, "supplement", "supplement", "processing", "")
                        )
                if not abandoned:
                    if fee_amount and not fee_at_receipt:
                        t += 600 + int(rand() * 0.2 * span)
                        ev.append(
                            (
                                t,
                                officer[0],
                                officer[1],
                                "request_payment",
                                "processing",
                                "payment",
                                "",
                            )
                        )
                        wait = 600 + int(rand() * 2 * DAY)
                        pauses.append((6, t, t + wait))
                        t += wait
                        fee_paid = t
                        fee_online = rand() < FEE_ONLINE_SHARE[ch]
                        ev.append((t, None, "", "paid", "payment", "processing", ""))
                    t += 600 + int(rand() * 0.2 * span)
                    ev.append((t, officer[0], officer[1], "forward", "processing", "approval", ""))
                    # the due moment with every pause so far, as the platform recomputes it
                    due = legal.due_or_none(received, duration, pauses)
                    target = due if due is not None else t + span
                    target_day = (target + TZ_OFFSET) // DAY
                    # the finishing moment, by the unit's on-time record
                    q = rand()
                    late = LATE_BASE * quality[uid]
                    if q < late:
                        finish = target + 3600 + int(rand() * 10 * DAY)
                    elif q < late + (1 - late) * (1 - EARLY_SHARE):
                        finish = target - int(rand() * 8 * 3600)
                    else:
                        finish = t + int(rand() * max(60, target_day * DAY - TZ_OFFSET - t))
                    finish = max(finish, t + 300)
                    if rand() < STOPPED_SHARE:
                        ev.append(
                            (
                                finish,
                                officer[0],
                                officer[1],
                                "reject",
                                "approval",
                                "stopped",
                                REJECT_REASON,
                            )
                        )
                    else:
                        ev.append(
                            (finish, officer[0], officer[1], "approve", "approval", "done", "")
                        )
                        result_digital = rand() < (
                            digital_result + 0.1 if online else digital_result - 0.2
                        )
                        if rand() < RETURNED_SHARE:
                            returned = finish + 600 + int(rand() * 3 * DAY)
                            ev.append(
                                (
                                    returned,
                                    officer[0],
                                    officer[1],
                                    "return_result",
                                    "done",
                                    "returned",
                                    "",
                                )
                            )
                            if rand() < RATED_SHARE[ch]:
                                rated = returned + int(rand() * 2 * DAY)
                                x = rand()
                                rating = RATING_SPLIT[
                                    bisect.bisect_left(rating_cum, x) if x < rating_cum[-1] else -1
                                ][0]
            # the state at ``now``
            kept = [e for e in ev if e[0] < now]
            if not kept:  # submitted before now by construction; guard anyway
                kept = ev[:1]
            last = kept[-1]
            step = last[5]
            if received is not None and received >= now:
                received = None
                fee_amount = None
            if refused is not None and refused >= now:
                refused = None
            if withdrawn is not None and withdrawn >= now:
                withdrawn = None
            finished_at = None
            # what the platform stores at ``now``: pauses still open do not count yet
            due = legal.due_or_none(received, duration, [p for p in pauses if p[2] < now])
            if finish is not None and step in ("done", "returned"):
                finished_at = finish
                outcome = legal.classify(finish, due)
            else:
                result_digital = False
            if returned is not None and returned >= now:
                returned = None
            if fee_paid is not None and fee_paid >= now:
                fee_paid = None
                fee_online = False
            if rated is None or rated >= now or returned is None:
                rated = None
                rating = ""
            paused_since = None
            for status, ps, pe in pauses:
                if ps >= now:
                    continue
                if pe >= now:
                    paused_since = ps
                    p_rows.append((dossier_id, status, fmt(ps), None))
                else:
                    p_rows.append((dossier_id, status, fmt(ps), fmt(pe)))
                total_pauses += 1
            prev_step = ""
            prev_status: int | None = 0 if online else None
            for at, actor, label, action, _from, to, comment in kept:
                to_status = step_status[to]
                e_rows.append(
                    (
                        eid,
                        dossier_id,
                        fmt(at),
                        actor,
                        label,
                        action,
                        ACTION_NAMES[action],
                        prev_status,
                        to_status,
                        prev_step,
                        step_name[to],
                        comment,
                    )
                )
                eid += 1
                prev_step = step_name[to]
                prev_status = to_status
            total_events += len(kept)
            status = step_status[step]
            d_rows.append(
                (
                    dossier_id,
                    number,
                    pair.procedure_id,
                    process_id,
                    step_id[step],
                    status,
                    ch,
                    uid,
                    applicant_id,
                    name,
                    idn,
                    "",
                    phone,
                    "{}",
                    registered_by,
                    officer[0] if received is not None else None,
                    fmt(t_sub),
                    fmt(t_sub),
                    fmt(received),
                    fmt(refused),
                    fmt(withdrawn),
                    budget if received is not None else None,
                    duration.value if received is not None and duration is not None else None,
                    duration.unit if received is not None and duration is not None else "",
                    fmt(due) if received is not None and due is not None else None,
                    fmt(paused_since),
                    fmt(last[0]),
                    None,
                    fmt(finished_at),
                    outcome,
                    fmt(returned),
                    digitised,
                    fee_amount,
                    fmt(fee_paid),
                    fee_online,
                    result_digital,
                    f"KQ-{number}" if result_digital else "",
                    rating,
                    fmt(rated),
                    len(kept) if online else len(kept) - 1,
                    True,
                )
            )
            made += 1
        if len(d_rows) >= chunk:
            flush()
        bar.update(count)
    flush()
    bar.close()
    _counters_save(counters)
    return made, total_events, total_pauses


def _counters_save(counters: dict[tuple[str, int], int]) -> None:
    """Numbering continues after the generated numbers (``dossier_number_next``)."""
    epoch = dt.date(1970, 1, 1)
    rows = [(code, epoch + dt.timedelta(days=d), last) for (code, d), last in counters.items()]
    table = DossierCounter._meta.db_table
    greatest = "GREATEST" if _is_pg() else "MAX"
    sql = (
        f'INSERT INTO "{table}" (agency_code, day, last) VALUES (%s, %s, %s) '
        f"ON CONFLICT (agency_code, day) DO UPDATE SET last = {greatest}("
        f'"{table}".last, excluded.last)'
    )
    with transaction.atomic(), connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, rows[i : i + 5000])


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
