"""Reads of the services app: catalogue search, dossiers for applicants and officers,
public tracking, figures for monitoring."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone, translation

from tinhso.accounts.models import User
from tinhso.accounts.permissions import scope_q, user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.http import throttle_hit
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import valid_on_q
from tinhso.services import deadlines
from tinhso.services.models import (
    CalendarDay,
    Channel,
    DocumentPart,
    Dossier,
    DossierEvent,
    FormField,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    ProcedureField,
    Status,
)
from tinhso.services.text import search_terms

logger = logging.getLogger(__name__)

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


# ---------------------------------------------------------------------------------------
# Dossiers
# ---------------------------------------------------------------------------------------

_LIST_RELATED = ("procedure", "org_unit", "step", "assignee")


def dossier_visible(*, user: AnyUser | None, dossier: Dossier) -> bool:
    """The applicant sees their own dossiers; officials those of their units' subtree."""
    if not isinstance(user, User):  # anonymous
        return False
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return True
    if dossier.status == Status.DRAFT:
        return False
    return user_can(user=user, action="services.queue", org_unit=dossier.org_unit)


def dossier_get_for_user(*, user: AnyUser, pk: int) -> Dossier | None:
    dossier = (
        Dossier.objects.select_related(*_LIST_RELATED, "process", "registered_by")
        .filter(pk=pk)
        .first()
    )
    if dossier is None or not dossier_visible(user=user, dossier=dossier):
        return None
    return dossier


def dossier_list_for_applicant(*, user: User) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(applicant=user)
        .select_related(*_LIST_RELATED)
        .order_by("-created_at")
    )


QUEUE_SORTS = {
    "due": ("due_at", "submitted_at"),
    "-due": ("-due_at",),
    "submitted": ("submitted_at",),
    "-submitted": ("-submitted_at",),
    "number": ("number",),
}
OPEN_STATUSES = (
    Status.NEW,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT,
    Status.FINANCIAL,
    Status.PROCESSED,
)


def dossier_queue(
    *,
    user: AnyUser,
    status: int | None = None,
    procedure_code: str = "",
    q: str = "",
    sort: str = "due",
    include_closed: bool = False,
    org_unit_id: int | None = None,
) -> QuerySet[Dossier]:
    """The officer's work queue: dossiers of their units' subtree only."""
    qs = Dossier.objects.filter(scope_q(user, "services.queue")).exclude(status=Status.DRAFT)
    if status is not None:
        qs = qs.filter(status=status)
    elif not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if procedure_code:
        qs = qs.filter(procedure__code=procedure_code)
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    if q:
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(applicant_name__icontains=q.strip()))
    order = QUEUE_SORTS.get(sort, QUEUE_SORTS["due"])
    return qs.select_related(*_LIST_RELATED).order_by(*order, "pk")


@dataclass(frozen=True)
class DeadlineInfo:
    label: str
    css: str  # "ok" | "soon" | "overdue" | "paused" | ""
    outcome: str


def dossier_deadline(
    *, dossier: Dossier, now: dt.datetime | None = None, cal: deadlines.WorkCalendar | None = None
) -> DeadlineInfo:
    """ "Còn X ngày Y giờ" / overdue / paused for lists and detail pages."""
    if dossier.outcome:
        return DeadlineInfo(
            str(Dossier.Outcome(dossier.outcome).label),
            "overdue" if dossier.outcome == "late" else "ok",
            dossier.outcome,
        )
    if dossier.due_at is None or dossier.status in (
        Status.NOT_ACCEPTED,
        Status.WITHDRAWN,
        Status.STOPPED,
    ):
        return DeadlineInfo("", "", "")
    if dossier.paused_since is not None:
        return DeadlineInfo("Tạm dừng tính thời hạn (chờ người nộp)", "paused", "")
    cal = cal or deadlines.calendar_load()
    now = now or timezone.now()
    left = deadlines.remaining(now=now, due=dossier.due_at, cal=cal)
    if left.overdue:
        css = "overdue"
    elif left.minutes < deadlines.DAY_MINUTES:
        css = "soon"
    else:
        css = "ok"
    return DeadlineInfo(left.label, css, "")


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor").order_by("at", "pk")


# ---------------------------------------------------------------------------------------
# Public tracking
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackStep:
    at: dt.datetime | None
    action: str
    status: str


@dataclass(frozen=True)
class TrackResult:
    number: str
    procedure_code: str
    procedure_name: str
    agency: str
    status: int
    status_label: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    deadline: str
    steps: list[TrackStep]
    # only when the dossier's tracking code (printed on the receipt) was given and matches
    applicant_name: str | None = None
    form: list[tuple[str, str]] | None = None


_TRACK_FIELDS = (
    "number",
    "status",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "outcome",
    "paused_since",
    "applicant_name",
    "tracking_code",
    "procedure__code",
    "procedure__name",
    "org_unit__name",
    "org_unit__kind",
    "org_unit__category",
)


# The public answer (without personal details) is cached per number and language; every
# write to a dossier deletes the key after commit (``services._track_cache_forget``). The TTL
# bounds what a write without that hook, or a reader racing a commit, can leave behind (and
# the relative deadline label, which moves with the clock).
TRACK_CACHE_TTL = 60


def track_number_normalize(number: str) -> str:
    return (number or "").strip().upper()


def track_cache_keys(number: str) -> list[str]:
    """Every cache key of a dossier number's public tracking answer (one per language)."""
    number = track_number_normalize(number)
    return [f"services:track:v1:{code}:{number}" for code, _name in settings.LANGUAGES]


def _track_cache_key(number: str) -> str | None:
    """The key for the active language, or None (not cached) for a language whose key the
    invalidation would not know."""
    try:
        lang = translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return None
    if lang not in {code for code, _name in settings.LANGUAGES}:
        return None
    return f"services:track:v1:{lang}:{number}"


def dossier_track(*, number: str, code: str = "") -> TrackResult | None:
    """Public status of a dossier by number; personal details only with the matching
    tracking code (``Dossier.tracking_code``, printed on the receipt; never the applicant's
    guessable ID number). No officer names, no comments (they may hold personal data).
    Callers throttle the lookups (``tinhso.http.throttle_hit``).

    Without a code the answer comes from the cache when it can, else from one statement
    (``_dossier_track_public``); with one it is always read from the database and never
    cached (the personal details must not leak)."""
    number = track_number_normalize(number)
    if not number or len(number) > 60:
        return None
    code = (code or "").strip().upper()
    if code:
        return _dossier_track_read(number=number, code=code)
    key = _track_cache_key(number)
    if key is None:
        return _dossier_track_public(number=number)
    try:
        cached = cache.get(key)
    except Exception:  # the cache is an optimisation: read the database
        logger.warning("tracking cache unavailable", exc_info=True)
        return _dossier_track_public(number=number)
    if cached is not None:
        return cached
    result = _dossier_track_public(number=number)
    if result is not None:  # unknown numbers are not cached (a new dossier gets its number)
        try:
            cache.set(key, result, TRACK_CACHE_TTL)
        except Exception:  # same: the answer stands without the cache
            logger.warning("tracking cache unavailable", exc_info=True)
    return result


def dossier_by_idempotency_key(*, user: Any, key: str) -> Dossier | None:
    """The dossier this applicant created with this idempotency key / form token, if any."""
    if not key or not getattr(user, "pk", None):
        return None
    return (
        Dossier.objects.select_related("procedure", "org_unit", "step")
        .filter(applicant=user, idempotency_key=key)
        .first()
    )


def dossier_track_throttled(*, client: str, number: str, code: str = "") -> bool:
    """Whether this lookup is over the limits: ``TRACK_PER_CLIENT_PER_MINUTE`` lookups per
    client address, and ``TRACK_CODE_TRIES_PER_HOUR`` lookups with a tracking code per
    dossier (so codes cannot be tried against one dossier from many addresses)."""
    per_client = int(getattr(settings, "TRACK_PER_CLIENT_PER_MINUTE", 60))
    if throttle_hit(f"track:client:{client}", limit=per_client, window=60):
        return True
    if (code or "").strip():
        per_dossier = int(getattr(settings, "TRACK_CODE_TRIES_PER_HOUR", 10))
        digest = hashlib.sha256(track_number_normalize(number).encode()).hexdigest()[:32]
        return throttle_hit(f"track:code:{digest}", limit=per_dossier, window=3600)
    return False


# The anonymous answer (a cache miss of a hot public endpoint) is one statement, written
# once per database vendor and run without the ORM: the dossier with its procedure and
# unit, its events as a JSON array, and the administrator's calendar entries only when the
# deadline label needs them (an open dossier with a due date, not paused). It gives what
# the ORM reader ``_dossier_track_read`` gives (tests/test_tracking.py compares the two).
_TRACK_SQL: dict[str, str] = {}
_TRACK_VENDORS = ("postgresql", "sqlite")


def _track_sql(vendor: str) -> str:
    """The statement for the vendor (built from the models' table names only)."""
    sql = _TRACK_SQL.get(vendor)
    if sql is not None:
        return sql
    dossier, procedure = Dossier._meta.db_table, Procedure._meta.db_table
    unit, event = OrgUnit._meta.db_table, DossierEvent._meta.db_table
    calendar = CalendarDay._meta.db_table
    if vendor == "postgresql":
        events_sql = (
            "SELECT json_agg(json_build_array(e.at, e.action_name, e.to_status, e.id)"  # noqa: S608
            f" ORDER BY e.at, e.id) FROM {event} e WHERE e.dossier_id = d.id"
        )
        calendar_sql = (
            "SELECT coalesce(json_agg(json_build_array(c.day, c.kind) ORDER BY c.day),"  # noqa: S608
            f" '[]')::text FROM {calendar} c"
        )
    else:  # SQLite: json1 is built in; the rows are sorted again in Python
        events_sql = (
            "SELECT json_group_array(json_array(e.at, e.action_name, e.to_status, e.id))"  # noqa: S608
            f" FROM (SELECT at, action_name, to_status, id FROM {event}"
            " WHERE dossier_id = d.id ORDER BY at, id) e"
        )
        calendar_sql = (
            "SELECT json_group_array(json_array(c.day, c.kind))"  # noqa: S608
            f" FROM (SELECT day, kind FROM {calendar} ORDER BY day) c"
        )
    # the same conditions as ``dossier_deadline`` (which falls back to loading the calendar)
    no_clock = ", ".join(
        str(int(s)) for s in (Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED)
    )
    sql = (
        "SELECT d.number, d.status, d.submitted_at, d.received_at, d.due_at, d.finished_at,"  # noqa: S608
        " d.outcome, d.paused_since, p.code, p.name, o.name, o.category,"
        f" ({events_sql}),"
        " CASE WHEN d.outcome = '' AND d.due_at IS NOT NULL AND d.paused_since IS NULL"
        f" AND d.status NOT IN ({no_clock}) THEN ({calendar_sql}) END"
        f" FROM {dossier} d"
        f" JOIN {procedure} p ON p.id = d.procedure_id"
        f" JOIN {unit} o ON o.id = d.org_unit_id"
        f" WHERE d.number = %s AND d.status <> {int(Status.DRAFT)}"
    )
    _TRACK_SQL[vendor] = sql
    return sql


class _TrackDeadlineFields(NamedTuple):
    """What ``dossier_deadline`` reads of a dossier."""

    status: int
    outcome: str
    due_at: dt.datetime | None
    paused_since: dt.datetime | None


def _track_datetime(value: Any, tz: dt.tzinfo | None) -> dt.datetime | None:
    """A timestamp from the statement, in the connection's time zone as the ORM gives it:
    a datetime (aware on PostgreSQL, naive UTC from SQLite) or ISO text (events' JSON)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value if value.tzinfo is tz else value.astimezone(tz)  # as the ORM returns it


_TRACK_STATUS_LABELS: dict[str | None, dict[int, str]] = {}


def _track_status_labels() -> dict[int, str]:
    """Status code → label in the active language (the labels do not change while the
    process runs)."""
    language = translation.get_language()
    labels = _TRACK_STATUS_LABELS.get(language)
    if labels is None:
        labels = _TRACK_STATUS_LABELS[language] = {s.value: str(s.label) for s in Status}
    return labels


@lru_cache(maxsize=8)
def _track_calendar(entries: str) -> deadlines.WorkCalendar:
    """``deadlines.calendar_load`` from the statement's JSON of the calendar entries (the
    parsed calendar is kept while the entries stay the same)."""
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    for day, kind in json.loads(entries):
        (work if kind == CalendarDay.Kind.WORK else off).add(dt.date.fromisoformat(day))
    return deadlines.calendar_for(extra_off=frozenset(off), extra_work=frozenset(work))


def _track_fetch(conn: Any, number: str) -> tuple[Any, ...] | None:
    """Run the statement; None for an unknown number."""
    sql = _track_sql(conn.vendor)
    prepared_cursor = _track_prepared_cursor_class() if conn.vendor == "postgresql" else None
    if prepared_cursor is None:
        with conn.cursor() as cur:
            cur.execute(sql, [number])
            return cur.fetchone()
    # On PostgreSQL the statement is prepared once per connection: planning it costs the
    # server about twice what running it does. Django turns psycopg's preparation off
    # (``prepare_threshold`` None, for poolers that cannot keep prepared statements; PgBouncer
    # >= 1.21 can); the threshold is lifted while this one statement runs, on a cursor that
    # binds on the server and asks to prepare. Django's wrappers still translate errors and
    # log the query (psycopg keeps no text of a prepared execution: it is logged here).
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    conn.validate_thread_sharing()
    raw = conn.connection
    threshold = raw.prepare_threshold
    raw.prepare_threshold = _TRACK_PREPARE_ONLY_WHEN_ASKED if threshold is None else threshold
    try:
        cursor = prepared_cursor(raw)
        with conn.make_cursor(cursor) as cur:
            if conn.queries_logged:
                shown = conn.ops.compose_sql(sql, [number])
                with conn.make_debug_cursor(cursor).debug_sql(shown, [number]):
                    cur.execute(sql, [number])
            else:
                cur.execute(sql, [number])
            return cur.fetchone()
    finally:
        raw.prepare_threshold = threshold


_TRACK_PREPARE_ONLY_WHEN_ASKED = 1 << 30  # no statement reaches it by repetition


@lru_cache(maxsize=1)
def _track_prepared_cursor_class() -> type | None:
    """psycopg 3's cursor binding on the server that always asks to prepare (None with
    psycopg 2: the statement then runs unprepared)."""
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return None
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,  # psycopg 3 only, absent from django-stubs
    )

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, **{**kwargs, "prepare": True})

    return PreparedCursor


def _dossier_track_public(*, number: str) -> TrackResult | None:
    """The answer without personal details, in one round trip and without the ORM."""
    conn = connections[router.db_for_read(Dossier)]
    if conn.vendor not in _TRACK_VENDORS:
        return _dossier_track_read(number=number, code="")
    row = _track_fetch(conn, number)
    if row is None:
        return None
    (
        number,
        status,
        submitted_at,
        received_at,
        due_at,
        finished_at,
        outcome,
        paused_since,
        procedure_code,
        procedure_name,
        unit_name,
        unit_category,
        events,
        calendar,
    ) = row
    tz = conn.timezone
    due_at = _track_datetime(due_at, tz)
    fields: Any = _TrackDeadlineFields(status, outcome, due_at, _track_datetime(paused_since, tz))
    deadline = dossier_deadline(
        dossier=fields, cal=_track_calendar(calendar) if calendar is not None else None
    )
    if isinstance(events, str):
        events = json.loads(events)
    rows = sorted((_track_datetime(at, tz), pk, action, to) for at, action, to, pk in events or ())
    labels = _track_status_labels()
    return TrackResult(
        number=number or "",
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        agency=OrgUnit(name=unit_name, category=unit_category).agency_name,
        status=status,
        status_label=labels[status],
        submitted_at=_track_datetime(submitted_at, tz),
        received_at=_track_datetime(received_at, tz),
        due_at=due_at,
        finished_at=_track_datetime(finished_at, tz),
        deadline=deadline.label,
        steps=[TrackStep(at, action, labels[to]) for at, _pk, action, to in rows],
        applicant_name=None,
        form=None,
    )


def _dossier_track_read(*, number: str, code: str) -> TrackResult | None:
    """The answer through the ORM: the path with an ID number (personal details), and the
    reference ``_dossier_track_public`` is tested against."""
    # a hot public endpoint: only the columns shown (the procedure's texts are large)
    dossier = (
        Dossier.objects.select_related("procedure", "org_unit")
        .only(*_TRACK_FIELDS)
        .prefetch_related(
            Prefetch(
                "events",
                queryset=DossierEvent.objects.only(
                    "dossier_id", "at", "action_name", "to_status"
                ).order_by("at", "pk"),
            )
        )
        .filter(number=number)
        .exclude(status=Status.DRAFT)
        .first()
    )
    if dossier is None:
        return None
    personal = bool(
        code
        and dossier.tracking_code
        and hmac.compare_digest(code.encode(), dossier.tracking_code.encode())
    )
    form = None
    if personal:
        from tinhso.services.eform import eform_display

        form = eform_display(
            procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
        )
    return TrackResult(
        number=dossier.number or "",
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure.name,
        agency=dossier.org_unit.agency_name,
        status=dossier.status,
        status_label=str(Status(dossier.status).label),
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        deadline=dossier_deadline(dossier=dossier).label,
        steps=[
            TrackStep(e.at, e.action_name, str(Status(e.to_status).label))
            for e in dossier.events.all()
        ],
        applicant_name=dossier.applicant_name if personal else None,
        form=form,
    )


# ---------------------------------------------------------------------------------------
# Fees, results, ratings (reads over payments and signing)
# ---------------------------------------------------------------------------------------


def dossier_is_official_view(*, user: AnyUser, dossier: Dossier) -> bool:
    """An official of the receiving unit's scope (not merely the applicant)."""
    return bool(getattr(user, "is_authenticated", False)) and user_can(
        user=user, action="services.queue", org_unit=dossier.org_unit
    )


def dossier_files_for_user(*, user: AnyUser, dossier: Dossier) -> QuerySet[Any]:
    """The dossier's files; draft results (unsigned) only for the unit's officials."""
    from tinhso.services.models import DossierFile

    qs = dossier.files.select_related("part")
    if not dossier_is_official_view(user=user, dossier=dossier):
        qs = qs.exclude(kind=DossierFile.Kind.RESULT)
    return qs


@dataclass(frozen=True)
class FeeInfo:
    amount: int | None
    timing: str
    timing_label: str
    owed: bool  # the dossier waits for this fee now (status 6, unpaid)
    paid: bool
    paid_at: dt.datetime | None
    online: bool
    payment: Any | None  # the paid payment, else the newest one
    receipt_url: str | None


def dossier_fee_info(*, dossier: Dossier) -> FeeInfo:
    from django.urls import reverse

    from tinhso.payments.models import Payment
    from tinhso.payments.selectors import payments_for_object

    payments = list(payments_for_object(purpose="dossier_fee", object_ref=str(dossier.pk))[:10])
    paid_payment = next((p for p in payments if p.status == Payment.Status.PAID), None)
    payment = paid_payment or (payments[0] if payments else None)
    return FeeInfo(
        amount=dossier.fee_amount,
        timing=dossier.procedure.fee_timing,
        timing_label=str(dossier.procedure.get_fee_timing_display()),
        owed=bool(
            dossier.fee_amount
            and dossier.fee_paid_at is None
            and dossier.status == Status.FINANCIAL
        ),
        paid=dossier.fee_paid_at is not None,
        paid_at=dossier.fee_paid_at,
        online=dossier.fee_paid_online,
        payment=payment,
        receipt_url=reverse("payments:receipt", args=[paid_payment.txn_ref])
        if paid_payment
        else None,
    )


@dataclass(frozen=True)
class ResultInfo:
    draft: Any | None  # DossierFile (unsigned), officials only
    signed: Any | None  # signing.SignedDocument
    downloadable: bool
    can_rate: bool


def dossier_result_info(*, user: AnyUser, dossier: Dossier) -> ResultInfo:
    from tinhso.services.models import DossierFile
    from tinhso.signing.selectors import signed_document_get

    official = dossier_is_official_view(user=user, dossier=dossier)
    draft = (
        dossier.files.filter(kind=DossierFile.Kind.RESULT).order_by("-pk").first()
        if official and not dossier.result_ref
        else None
    )
    signed = (
        signed_document_get(sha256=dossier.result_ref)
        if dossier.result_digital and dossier.result_ref
        else None
    )
    is_applicant = dossier.applicant_id is not None and dossier.applicant_id == user.pk
    return ResultInfo(
        draft=draft,
        signed=signed,
        downloadable=signed is not None
        and dossier.status in (Status.PROCESSED, Status.RETURNED)
        and (is_applicant or official),
        can_rate=is_applicant and dossier.status == Status.RETURNED and dossier.rated_at is None,
    )


@dataclass(frozen=True)
class ApplicantTodo:
    pay: bool
    download: bool
    rate: bool


def dossier_applicant_todo(*, dossier: Dossier) -> ApplicantTodo:
    """What the applicant can do now from "my dossiers" (pay, download, rate)."""
    return ApplicantTodo(
        pay=bool(
            dossier.status == Status.FINANCIAL and dossier.fee_amount and not dossier.fee_paid_at
        ),
        download=bool(
            dossier.result_digital
            and dossier.result_ref
            and dossier.status in (Status.PROCESSED, Status.RETURNED)
        ),
        rate=dossier.status == Status.RETURNED and dossier.rated_at is None,
    )


def dossier_can_prepare_result(*, user: AnyUser, dossier: Dossier) -> bool:
    """May ``user`` attach or generate the draft result now (officer of the unit, dossier
    being processed, not yet signed)?"""
    return (
        dossier.status in (Status.PROCESSING, Status.FINANCIAL)
        and not dossier.result_ref
        and user_can(user=user, action="services.act.officer", org_unit=dossier.org_unit)
    )


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
