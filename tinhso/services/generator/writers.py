# ruff: noqa: S608  (SQL built from model table names only)
"""Writers: COPY on PostgreSQL (writer thread), executemany elsewhere; secondary indexes
off during large loads; ids, sequences and the fast timestamp formatting of the rows."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from tinhso.services.generator.shares import DAY
from tinhso.services.models import (
    DossierEvent,
)

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
