# ruff: noqa: S311  (load-test data, not secrets)
"""``province_generate``: the whole run (cleanup, setup, applicants, dossiers, aggregates)."""

from __future__ import annotations

import datetime as dt
import random
import time
from io import TextIOBase
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from tinhso.audit.services import audit_record
from tinhso.services.generator.aggregates import stats_rebuild_sql
from tinhso.services.generator.catalogue import (
    _applicant_name,
    _pairs,
    agencies_widen,
    procedures_add,
)
from tinhso.services.generator.dossiers import USER_COLUMNS, _accumulate, _generate_dossiers
from tinhso.services.generator.replace import generated_delete
from tinhso.services.generator.report import GenerationReport, GeneratorError
from tinhso.services.generator.shares import BIG_LOAD, GEN_PROCEDURE_PREFIX, GEN_USER_PREFIX
from tinhso.services.generator.writers import (
    _Clock,
    _next_id,
    _secondary_indexes,
    _setval,
    _Table,
    _Writer,
)
from tinhso.services.models import (
    Dossier,
    DossierEvent,
    DossierPause,
    Procedure,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
)
from tinhso.services.workflow import process_ensure_default


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
    try:
        if big:
            rebuild = _secondary_indexes(
                [Dossier._meta.db_table, DossierEvent._meta.db_table, DossierPause._meta.db_table]
            )
            with connection.cursor() as cur:
                for _table, drop, _create in rebuild:
                    cur.execute(drop)
        users = _applicants_write(
            rng=rng,
            count=n_users,
            seed=seed,
            uid0=uid0,
            joined=joined,
            writer=writer,
            table=user_table,
            chunk=chunk,
        )
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


def _officers() -> dict[int, list[tuple[int, str]]]:
    """Officers per unit (id, display name), for in-person registration and assignment."""
    from tinhso.accounts.models import Membership

    out: dict[int, list[tuple[int, str]]] = {}
    for m in Membership.objects.filter(role__in=("officer", "head")).select_related("user"):
        out.setdefault(m.org_unit_id, []).append((m.user_id, m.user.display_name[:255]))
    return out


def _applicants_write(
    *,
    rng: random.Random,
    count: int,
    seed: int,
    uid0: int,
    joined: str | None,
    writer: _Writer,
    table: _Table,
    chunk: int,
) -> list[tuple[int, str, str, str]]:
    """``count`` applicants' accounts (citizens, about one in twelve a business), streamed to
    ``writer``; returns (id, name, id number, phone) of each."""
    users: list[tuple[int, str, str, str]] = []
    rows: list[tuple[Any, ...]] = []
    for i in range(count):
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
            writer.write(table, rows)
            rows = []
    writer.write(table, rows)
    return users
