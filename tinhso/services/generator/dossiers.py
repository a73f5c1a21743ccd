# ruff: noqa: S608  (SQL built from model table names only)
"""The dossiers: each one's timeline drawn at random, its deadlines computed with the
platform's own rules, its state at the end date, and the rows written."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from tinhso.services import deadlines
from tinhso.services.generator.catalogue import _Pair
from tinhso.services.generator.shares import (
    ACTION_NAMES,
    DAY,
    DIGITAL_RESULT,
    DIGITISED_IN_PERSON,
    ONLINE_SHARE,
    OPTIONAL_PART_SHARE,
    POST_SHARE,
    RATING_SPLIT,
    REUSED_PART_SHARE,
    SCANNED_LATER_SHARE,
    TZ_OFFSET,
    WEEKDAY_WEIGHT,
    YEAR_GROWTH,
)
from tinhso.services.generator.timeline import (
    Event,
    _draw_story,
    _LegalClock,
    _Run,
    _state_at,
    _Story,
)
from tinhso.services.generator.writers import _Clock, _is_pg, _next_id, _Table, _Writer
from tinhso.services.models import (
    Channel,
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierPause,
)

ONLINE, IN_PERSON, POST = int(Channel.ONLINE), int(Channel.IN_PERSON), int(Channel.POST)

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
    "digitised_at",
    "digitised_by_id",
    "parts_total",
    "parts_reused",
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


def _accumulate(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


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
    """Draw ``n`` dossiers day by day in submission order and stream their rows (dossiers,
    events, pauses) to ``writer`` in chunks; the numbering counters are saved at the end.
    Returns (dossiers, events, pauses)."""
    run = _Run(
        rng=rng,
        legal=_LegalClock(deadlines.calendar_load()),
        quality=quality,
        fee_at_receipt="payment_receipt" in steps,  # the current default process
        rating_cum=list(_accumulate(p for _r, p in RATING_SPLIT)),
    )
    rows = _Rows(
        dossier_id=_next_id(Dossier),
        event_id=_next_id(DossierEvent),
        fmt=clock.fmt,
        process_id=process_id,
        step_id={c: s.pk for c, s in steps.items()},
        step_name={c: s.name for c, s in steps.items()},
        step_status={c: int(s.status) for c, s in steps.items()},
    )
    dossier_t = _Table(Dossier, DOSSIER_COLUMNS)
    event_t = _Table(DossierEvent, EVENT_COLUMNS)
    pause_t = _Table(DossierPause, PAUSE_COLUMNS)
    now = int(dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC).timestamp()) - TZ_OFFSET
    counters: dict[tuple[str, int], int] = {}
    total_w = cum_weights[-1] if cum_weights else 0.0
    epoch = dt.date(1970, 1, 1)

    def flush() -> None:
        writer.write(dossier_t, rows.dossiers)
        writer.write(event_t, rows.events)
        writer.write(pause_t, rows.pauses)
        rows.dossiers, rows.events, rows.pauses = [], [], []

    for day, count in _day_counts(n, first, end):
        if count <= 0:
            continue
        local_midnight = (day - epoch).days * DAY - TZ_OFFSET  # UTC seconds of 00:00 local
        digital_result = DIGITAL_RESULT.get(day.year, 0.7)
        reuse = REUSED_PART_SHARE.get(day.year, 0.3)
        yymmdd = f"{day:%y%m%d}"
        day_no = local_midnight // DAY + 1
        chosen = [
            pairs[bisect.bisect_left(cum_weights, run.rand() * total_w)] for _ in range(count)
        ]
        for pair, (sec, ch) in zip(chosen, _submission_times(run, day, count), strict=True):
            key = (pair.unit_code, day_no)
            seq = counters[key] = counters.get(key, 0) + 1
            story, registered_by, idn, phone, digitised = _applicant(
                run, pair=pair, ch=ch, officers=officers, users=users
            )
            _draw_story(run, story, local_midnight + sec, digital_result)
            kept = _state_at(story, now, run.legal)
            rows.add(
                story,
                kept,
                now=now,
                number=f"{pair.unit_code}-{yymmdd}-{seq:04d}",
                t_sub=local_midnight + sec,
                registered_by=registered_by,
                idn=idn,
                phone=phone,
                parts=_draw_parts(run, story, digitised=digitised, now=now, reuse=reuse),
            )
        if len(rows.dossiers) >= chunk:
            flush()
        bar.update(count)
    flush()
    bar.close()
    _counters_save(counters)
    return rows.made, rows.total_events, rows.total_pauses


@dataclass(frozen=True)
class _Parts:
    """What the receipt and the counter's scans leave on the dossier, as the live code sets
    it (``store.store_on_receipt``, ``store.dossier_digitise``): whether its parts are
    electronic, since when and by whom (a later scan), the parts received and reused."""

    digitised: bool
    digitised_at: int | None = None
    digitised_by: int | None = None
    total: int = 0
    reused: int = 0


def _draw_parts(run: _Run, story: _Story, *, digitised: bool, now: int, reuse: float) -> _Parts:
    """Counted at receipt (nothing before it): the required parts and, when the dossier is
    electronic, some optional ones; an online applicant takes some from the store (``reuse``
    of the parts); a paper dossier not scanned at receipt may be scanned later, in office
    hours while it is still in hand."""
    received = story.received
    if received is None:
        return _Parts(digitised)
    rand = run.rand
    required, optional = story.pair.parts
    # shares of a few parts, rounded at random (one draw each: the expected counts are exact)
    total = required + (int(optional * OPTIONAL_PART_SHARE + rand()) if digitised else 0)
    reused = int(total * reuse + rand()) if story.online and total else 0
    if digitised:
        return _Parts(True, received, None, total, reused)
    if story.officer[0] is not None and rand() < SCANNED_LATER_SHARE:
        # in hand: before it is finished (approved or stopped) or withdrawn, and before now
        end = min(t for t in (story.finish, story.withdrawn, now) if t is not None)
        scan = run.legal.office_time(
            received + 300 + int(rand() * max(0, min(2 * DAY, end - received)))
        )
        if scan < end:
            return _Parts(True, scan, story.officer[0], total, reused)
    return _Parts(False, None, None, total, reused)


def _submission_times(run: _Run, day: dt.date, count: int) -> list[tuple[int, int]]:
    """The day's submissions as (seconds after local midnight, channel), in time order:
    online at any hour (peaks in office hours), at the counter or by post in office hours."""
    rand = run.rand
    online_share = ONLINE_SHARE.get(day.year, 0.6)
    if day.weekday() >= 5:
        online_share = max(online_share, 0.85 if day.weekday() == 5 else 1.0)
    times = []
    for _ in range(count):
        if rand() < online_share:
            ch = ONLINE
            sec = int(6 * 3600 + rand() * 16 * 3600) if rand() < 0.9 else run.randrange(DAY)
        else:
            ch = POST if rand() < POST_SHARE / (1 - online_share + 1e-9) else IN_PERSON
            sec = int(7.5 * 3600 + rand() * 9 * 3600)
        times.append((sec, ch))
    times.sort()
    return times


def _applicant(
    run: _Run,
    *,
    pair: _Pair,
    ch: int,
    officers: dict[int, list[tuple[int, str]]],
    users: list[tuple[int, str, str, str]],
) -> tuple[_Story, int | None, str, str, bool]:
    """Who submits (an applicant's account online; at the counter an officer registers the
    applicant's details, digitised or not) and the officer who handles the dossier.
    Returns (story, registered by, id number, phone, digitised)."""
    offs = officers.get(pair.unit_id)
    officer = offs[run.randrange(len(offs))] if offs else (None, "")
    online = ch == ONLINE
    u = users[run.randrange(len(users))]
    if online:
        applicant_id, registered_by, digitised = u[0], None, True
    else:
        applicant_id, registered_by = None, officer[0]
        digitised = run.rand() < DIGITISED_IN_PERSON
    story = _Story(
        pair=pair,
        ch=ch,
        online=online,
        officer=officer,
        applicant_id=applicant_id,
        name=u[1],
        duration=pair.duration[ch],
    )
    return story, registered_by, u[2], u[3], digitised


@dataclass
class _Rows:
    """The rows of the current chunk, and the ids and totals of the run."""

    dossier_id: int
    event_id: int
    fmt: Callable[[int | None], str | None]
    process_id: int
    step_id: dict[str, int]
    step_name: dict[str, str]
    step_status: dict[str, int]
    dossiers: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    pauses: list[tuple[Any, ...]] = field(default_factory=list)
    made: int = 0
    total_events: int = 0
    total_pauses: int = 0

    def add(
        self,
        story: _Story,
        kept: list[Event],
        *,
        now: int,
        number: str,
        t_sub: int,
        registered_by: int | None,
        idn: str,
        phone: str,
        parts: _Parts,
    ) -> None:
        """The dossier's row, its pauses begun before ``now`` and its events."""
        dossier_id = self.dossier_id
        self.dossier_id += 1
        paused_since = self._add_pauses(dossier_id, story.pauses, now)
        self._add_events(dossier_id, kept, story.online)
        self.dossiers.append(
            self._dossier_row(
                dossier_id,
                story,
                kept,
                number=number,
                t_sub=t_sub,
                registered_by=registered_by,
                idn=idn,
                phone=phone,
                parts=parts,
                paused_since=paused_since,
            )
        )
        self.made += 1

    def _add_pauses(
        self, dossier_id: int, pauses: list[tuple[int, int, int]], now: int
    ) -> int | None:
        """The pause rows begun before ``now`` (still open at ``now``: no end); returns the
        start of the open pause, if any."""
        fmt = self.fmt
        paused_since = None
        for status, ps, pe in pauses:
            if ps >= now:
                continue
            if pe >= now:
                paused_since = ps
                self.pauses.append((dossier_id, status, fmt(ps), None))
            else:
                self.pauses.append((dossier_id, status, fmt(ps), fmt(pe)))
            self.total_pauses += 1
        return paused_since

    def _add_events(self, dossier_id: int, kept: list[Event], online: bool) -> None:
        fmt, step_name, step_status = self.fmt, self.step_name, self.step_status
        prev_step = ""
        prev_status: int | None = 0 if online else None
        for at, actor, label, action, _from, to, comment in kept:
            to_status = step_status[to]
            self.events.append(
                (
                    self.event_id,
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
            self.event_id += 1
            prev_step = step_name[to]
            prev_status = to_status
        self.total_events += len(kept)

    def _dossier_row(
        self,
        dossier_id: int,
        story: _Story,
        kept: list[Event],
        *,
        number: str,
        t_sub: int,
        registered_by: int | None,
        idn: str,
        phone: str,
        parts: _Parts,
        paused_since: int | None,
    ) -> tuple[Any, ...]:
        """The row in ``DOSSIER_COLUMNS`` order."""
        fmt = self.fmt
        last = kept[-1]
        step = last[5]
        received = story.received is not None
        duration = story.duration if received else None
        return (
            dossier_id,
            number,
            story.pair.procedure_id,
            self.process_id,
            self.step_id[step],
            self.step_status[step],
            story.ch,
            story.pair.unit_id,
            story.applicant_id,
            story.name,
            idn,
            "",
            phone,
            "{}",
            registered_by,
            story.officer[0] if received else None,
            fmt(t_sub),
            fmt(t_sub),
            fmt(story.received),
            fmt(story.refused),
            fmt(story.withdrawn),
            story.budget if received else None,
            duration.value if duration is not None else None,
            duration.unit if duration is not None else "",
            fmt(story.due) if received and story.due is not None else None,
            fmt(paused_since),
            fmt(last[0]),
            None,
            fmt(story.finished_at),
            story.outcome,
            fmt(story.returned),
            parts.digitised,
            fmt(parts.digitised_at),
            parts.digitised_by,
            parts.total,
            parts.reused,
            story.fee_amount,
            fmt(story.fee_paid),
            story.fee_online,
            story.result_digital,
            f"KQ-{number}" if story.result_digital else "",
            story.rating,
            fmt(story.rated),
            len(kept) if story.online else len(kept) - 1,
            True,
        )


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
