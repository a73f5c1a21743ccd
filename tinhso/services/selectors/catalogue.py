"""Reads of the catalogue: search, a procedure (for submission in one statement), its
fields, receiving agencies and channels, the channels awaiting review."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connections, router
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tinhso.accounts.permissions import user_can
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import valid_on_q
from tinhso.services.models import (
    Channel,
    DocumentPart,
    FormField,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    ProcedureField,
)
from tinhso.services.text import search_terms

# ---------------------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------------------


def procedure_search(
    *,
    q: str = "",
    field_id: int | None = None,
    level: str = "",
    org_unit_id: int | None = None,
    service_class: str = "",
    on: dt.date | None = None,
) -> QuerySet[Procedure]:
    """Active procedures matching every word of ``q`` (accents and case ignored)."""
    qs = Procedure.objects.filter(is_active=True).select_related("field")
    for term in search_terms(q):
        qs = qs.filter(search_text__contains=term)
    if field_id:
        qs = qs.filter(field_id=field_id)
    if level:
        qs = qs.filter(levels__contains=f",{level},")
    if service_class:
        qs = qs.filter(service_class=service_class)
    if org_unit_id:
        day = on or timezone.localdate()
        qs = qs.filter(
            pk__in=ProcedureAgency.objects.filter(valid_on_q(day), org_unit_id=org_unit_id).values(
                "procedure_id"
            )
        )
    return qs.order_by("name")


def procedure_get(*, code: str) -> Procedure:
    return (
        Procedure.objects.select_related("field", "process")
        .prefetch_related("channels", "parts", "form_fields")
        .get(code=code, is_active=True)
    )


# What a submission reads of a procedure, in one statement: the procedure's short columns,
# its document parts and e-form fields as JSON arrays (ordered as the models order them).
_SUBMISSION_PROCEDURE: tuple[str, ...] = (
    "id",
    "code",
    "name",
    "field_id",
    "levels",
    "service_class",
)
_SUBMISSION_PROCEDURE += ("process_id", "fee_timing", "is_active")
_SUBMISSION_PART: tuple[str, ...] = (
    "id",
    "order",
    "name",
    "group",
    "required",
    "copies",
    "copy_kind",
)
_SUBMISSION_PART += ("accepted_types", "form_name")
_SUBMISSION_FIELD: tuple[str, ...] = (
    "id",
    "name",
    "label",
    "kind",
    "required",
    "choices",
    "help_text",
)
_SUBMISSION_FIELD += ("max_length", "order")
_SUBMISSION_SQL: dict[str, str] = {}


def _submission_sql(vendor: str) -> str:
    if vendor in _SUBMISSION_SQL:
        return _SUBMISSION_SQL[vendor]

    def q(name: str) -> str:
        return f'"{name}"'

    def cols(alias: str, names: tuple[str, ...], json_cols: tuple[str, ...] = ()) -> str:
        return ", ".join(
            f"json({alias}.{q(n)})"
            if vendor != "postgresql" and n in json_cols
            else f"{alias}.{q(n)}"
            for n in names
        )

    # identifiers come from the models and the constants above; the code is a parameter
    part, field = q(DocumentPart._meta.db_table), q(FormField._meta.db_table)
    order = 'ORDER BY "order", id'
    if vendor == "postgresql":
        part_rows = f"json_agg(json_build_array({cols('d', _SUBMISSION_PART)}) {order})"
        field_rows = f"json_agg(json_build_array({cols('f', _SUBMISSION_FIELD)}) {order})"
        parts = f"SELECT {part_rows} FROM {part} d WHERE d.procedure_id = p.id"  # noqa: S608
        fields = f"SELECT {field_rows} FROM {field} f WHERE f.procedure_id = p.id"  # noqa: S608
    else:  # SQLite: json1 is built in; the rows are ordered in a subquery
        part_rows = f"json_group_array(json_array({cols('d', _SUBMISSION_PART)}))"
        field_rows = f"json_group_array(json_array({cols('f', _SUBMISSION_FIELD, ('choices',))}))"
        of_proc = "WHERE procedure_id = p.id"
        parts = f"SELECT {part_rows} FROM (SELECT * FROM {part} {of_proc} {order}) d"  # noqa: S608
        fields = f"SELECT {field_rows} FROM (SELECT * FROM {field} {of_proc} {order}) f"  # noqa: S608
    table = q(Procedure._meta.db_table)
    head = f"SELECT {cols('p', _SUBMISSION_PROCEDURE)}, ({parts}), ({fields})"
    sql = f"{head} FROM {table} p WHERE p.code = %s AND p.is_active"
    _SUBMISSION_SQL[vendor] = sql
    return sql


def _rows(value: Any) -> list[list[Any]]:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def _from_row(model: type[Any], db: str, names: tuple[str, ...], values: list[Any]) -> Any:
    """An instance as the ORM loads it (``from_db``) from some of its columns; the others
    are deferred (read on access)."""
    given = dict(zip(names, values, strict=True))
    loaded = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(db, loaded, [given[n] for n in loaded])


def _prefetched(instance: Any, name: str, rows: list[Any]) -> None:
    """Fill ``instance``'s prefetch cache for the reverse relation ``name`` (what
    ``prefetch_related`` does), so ``instance.<name>.all()`` runs no query."""
    qs = getattr(instance, name).all()
    qs._result_cache = rows
    qs._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = qs


def procedure_get_for_submission(*, code: str) -> Procedure:
    """An active procedure with its document parts and e-form fields, in one statement
    (``Procedure.DoesNotExist`` otherwise). ``procedure.parts.all()`` and
    ``procedure.form_fields.all()`` run no query; the catalogue's long texts are deferred
    (loaded if read)."""
    db = router.db_for_read(Procedure)
    conn = connections[db]
    with conn.cursor() as cur:
        cur.execute(_submission_sql(conn.vendor), [code])
        row = cur.fetchone()
    if row is None:
        raise Procedure.DoesNotExist(f"no active procedure {code!r}")
    n = len(_SUBMISSION_PROCEDURE)
    procedure = _from_row(Procedure, db, _SUBMISSION_PROCEDURE, list(row[:n]))
    procedure.is_active = bool(procedure.is_active)  # SQLite: 0/1
    parts, fields = [], []
    for r in _rows(row[n]):
        part = _from_row(DocumentPart, db, ("procedure_id", *_SUBMISSION_PART), [procedure.pk, *r])
        part.required = bool(part.required)
        parts.append(part)
    for r in _rows(row[n + 1]):
        f = _from_row(FormField, db, ("procedure_id", *_SUBMISSION_FIELD), [procedure.pk, *r])
        f.required = bool(f.required)
        fields.append(f)
    _prefetched(procedure, "parts", parts)
    _prefetched(procedure, "form_fields", fields)
    return procedure


def procedure_fields() -> QuerySet[ProcedureField]:
    return ProcedureField.objects.annotate(
        n=Count("procedures", filter=Q(procedures__is_active=True))
    ).filter(n__gt=0)


def procedure_agency_units(*, procedure: Procedure, on: dt.date | None = None) -> list[OrgUnit]:
    day = on or timezone.localdate()
    rows = (
        ProcedureAgency.objects.filter(valid_on_q(day), procedure=procedure)
        .filter(valid_on_q(day, prefix="org_unit__"))
        .select_related("org_unit")
        .order_by("org_unit__path")
    )
    return [r.org_unit for r in rows]


def procedure_channel(*, procedure: Procedure, channel: int) -> ProcedureChannel | None:
    """The channel's row (time, fee); for channels the catalogue lacks, the online row
    or the first one is used (the officer still sees the procedure's text)."""
    return channel_pick(rows=list(procedure.channels.all()), channel=channel)


def channel_pick(*, rows: list[ProcedureChannel], channel: int) -> ProcedureChannel | None:
    """``procedure_channel`` over rows already loaded (the province generator uses it)."""
    for wanted in (channel, Channel.ONLINE, Channel.IN_PERSON):
        for r in rows:
            if r.channel == wanted and (r.time_value is not None or r.review):
                return r
    return rows[0] if rows else None


def procedure_counts_by_agency(*, on: dt.date) -> dict[int, dict[str, int]]:
    """org_unit_id → {"total": procedures it receives, "full_process": of which offered
    full-process online} on the date (for "share of procedures offered full-process")."""
    rows = (
        ProcedureAgency.objects.filter(valid_on_q(on), procedure__is_active=True)
        .values("org_unit_id")
        .annotate(
            total=Count("procedure_id", distinct=True),
            full_process=Count(
                "procedure_id",
                filter=Q(procedure__service_class=Procedure.ServiceClass.FULL),
                distinct=True,
            ),
        )
    )
    return {
        r["org_unit_id"]: {"total": r["total"], "full_process": r["full_process"]} for r in rows
    }


def channel_review_list(*, user: Any) -> list[ProcedureChannel]:
    """Channels whose time or fee waits for an official (unit not stated, time and fee glued
    together, conflicting sources), with the raw source text; empty without the right."""
    if not user_can(user=user, action="services.catalogue_review"):
        return []
    rows = (
        ProcedureChannel.objects.filter(
            Q(review__gt="") | Q(time_value__isnull=False, time_unit="")
        )
        .select_related("procedure")
        .order_by("procedure__code", "order")
    )
    return list(rows)
