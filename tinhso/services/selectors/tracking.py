"""Public tracking: the answer without personal details (cached per number and language,
one statement on a miss), with the tracking code the applicant's details, and the throttle."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Prefetch
from django.utils import translation

from tinhso.http import throttle_hit
from tinhso.orgs.models import OrgUnit
from tinhso.services import deadlines
from tinhso.services.models import (
    CalendarDay,
    Dossier,
    DossierEvent,
    Procedure,
    Status,
)
from tinhso.services.selectors.dossiers import dossier_deadline
from tinhso.services.workflow import stored_label

logger = logging.getLogger(__name__)


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


# what a dossier number can look like (``<agency code>-<YYMMDD>-<NNNN>``, or an imported
# one): anything else is nobody's number, looked up without the cache and never cached
_TRACK_NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,59}$")


def track_number_normalize(number: str) -> str:
    return (number or "").strip().upper()


def _track_key(lang: str, number: str) -> str:
    # the number is the public's input: hashed, the key is safe for any cache backend
    digest = hashlib.sha256(number.encode()).hexdigest()[:32]
    return f"services:track:v2:{lang}:{digest}"


def track_cache_keys(number: str) -> list[str]:
    """Every cache key of a dossier number's public tracking answer (one per language)."""
    number = track_number_normalize(number)
    return [_track_key(code, number) for code, _name in settings.LANGUAGES]


def _track_cache_key(number: str) -> str | None:
    """The key for the active language, or None (not cached) for a language whose key the
    invalidation would not know, or a number that cannot be one."""
    if not _TRACK_NUMBER_RE.match(number):
        return None
    try:
        lang = translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return None
    if lang not in {code for code, _name in settings.LANGUAGES}:
        return None
    return _track_key(lang, number)


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


def track_answer(result: TrackResult) -> dict[str, Any]:
    """The tracking answer in its one shape, for every channel that shows it (the API's
    ``TrackOut``, same fields in the same order; the tracking page renders this dict too):
    the applicant's name only when the tracking code matched. The e-form's rows
    (``result.form``, with the code) are the page's alone."""
    return {
        "number": result.number,
        "procedure_code": result.procedure_code,
        "procedure_name": result.procedure_name,
        "agency": result.agency,
        "status": result.status,
        "status_label": result.status_label,
        "submitted_at": result.submitted_at,
        "received_at": result.received_at,
        "due_at": result.due_at,
        "finished_at": result.finished_at,
        "deadline": result.deadline,
        "steps": [{"at": s.at, "action": s.action, "status": s.status} for s in result.steps],
        "applicant_name": result.applicant_name,
    }


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
        steps=[TrackStep(at, stored_label(action), labels[to]) for at, _pk, action, to in rows],
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
            TrackStep(e.at, stored_label(e.action_name), str(Status(e.to_status).label))
            for e in dossier.events.all()
        ],
        applicant_name=dossier.applicant_name if personal else None,
        form=form,
    )
