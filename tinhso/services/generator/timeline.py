"""One dossier's life drawn at random: submission, refusal or withdrawal, receipt, the fee,
a supplement, the decision on time or late, the result, its return and the rating; then its
state at the end date. Every due date and outcome comes from the platform's own deadline
rules (``_LegalClock``); only the moments are drawn.

The draws happen in a fixed order (one ``random.Random`` for the whole run), so a seed and an
end date always give the same province.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tinhso.services import deadlines
from tinhso.services.deadlines import Duration
from tinhso.services.generator.catalogue import _Pair
from tinhso.services.generator.shares import (
    DAY,
    DEFAULT_BUDGET_MINUTES,
    EARLY_SHARE,
    FEE_ONLINE_SHARE,
    LATE_BASE,
    OFFICE_PERIODS,
    RATED_SHARE,
    RATING_SPLIT,
    REFUSE_REASONS,
    REFUSED_SHARE,
    REJECT_REASON,
    RETURNED_SHARE,
    STOPPED_SHARE,
    SUPPLEMENT_ABANDONED,
    SUPPLEMENT_REASONS,
    SUPPLEMENT_SHARE,
    TZ_OFFSET,
    WITHDRAWN_EARLY_SHARE,
)

# an event: (at, actor_id, actor_label, action, from_step, to_step, comment)
Event = tuple[int, Any, str, str, str, str, str]
Officer = tuple[Any, str]


class _LegalClock:
    """The platform's own deadline rules (``deadlines.due_at``) on the generator's integer
    UTC seconds; the calendar caches every day it has answered, so this stays fast."""

    def __init__(self, cal: deadlines.WorkCalendar) -> None:
        self.cal = cal
        self._recent: dict[tuple[Any, ...], int] = {}

    @staticmethod
    def _dt(sec: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(sec, dt.UTC)

    def office_time(self, sec: int) -> int:
        """``sec`` itself when it falls in office hours (07:30–11:30, 13:00–17:00 local, on a
        working day), else a moment early in the next office period: a head signs at work,
        not at 3 a.m. or on a Sunday. The minutes after the opening vary with ``sec``."""
        local = sec + TZ_OFFSET
        day, clock = divmod(local, DAY)
        jitter = sec % 5400  # up to 1 h 30 after opening
        for _ in range(30):  # the next working day is never a month away
            if self.cal.is_working_day(dt.date(1970, 1, 1) + dt.timedelta(days=day)):
                for start, end in OFFICE_PERIODS:
                    if clock < start:
                        return day * DAY + start + min(jitter, end - start - 60) - TZ_OFFSET
                    if clock < end:  # inside a period (on the first day: ``sec`` itself)
                        return day * DAY + clock - TZ_OFFSET
            day, clock = day + 1, 0
        return sec

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


@dataclass(slots=True)
class _Run:
    """What every dossier of a run draws from."""

    rng: random.Random
    legal: _LegalClock
    quality: dict[int, float]
    fee_at_receipt: bool  # the current default process asks for the fee on receipt
    rating_cum: list[float]
    rand: Callable[[], float] = field(init=False)
    randrange: Callable[[int], int] = field(init=False)

    def __post_init__(self) -> None:
        self.rand = self.rng.random
        self.randrange = self.rng.randrange


@dataclass(slots=True)
class _Story:
    """One dossier as drawn: its events and moments (UTC epoch seconds), then (after
    ``_state_at``) as the platform stores it at the end date."""

    pair: _Pair
    ch: int
    online: bool
    officer: Officer
    applicant_id: int | None
    name: str
    duration: Duration | None
    ev: list[Event] = field(default_factory=list)
    received: int | None = None
    refused: int | None = None
    withdrawn: int | None = None
    due: int | None = None
    budget: int | None = None
    finish: int | None = None
    finished_at: int | None = None
    returned: int | None = None
    fee_paid: int | None = None
    rated: int | None = None
    outcome: str = ""
    pauses: list[tuple[int, int, int]] = field(default_factory=list)  # status, start, end
    fee_amount: int | None = None
    fee_online: bool = False
    result_digital: bool = False
    rating: str = ""


def _draw_story(run: _Run, story: _Story, t_sub: int, digital_result: float) -> None:
    """Submission (online) or registration (at the counter), then refusal, early withdrawal
    or receipt and handling."""
    rand = run.rand
    ev = story.ev
    officer = story.officer
    if story.online:
        ev.append((t_sub, story.applicant_id, story.name, "submit", "", "new", ""))
        t = t_sub + 900 + int(rand() * 6 * 3600)
    else:
        ev.append((t_sub, officer[0], officer[1], "register", "", "new", ""))
        t = t_sub + 30 + run.randrange(240)
    r = rand()
    if story.online and r < REFUSED_SHARE:
        ev.append((t, officer[0], officer[1], "refuse", "new", "refused", REFUSE_REASONS[0]))
        story.refused = t
    elif story.online and r < REFUSED_SHARE + WITHDRAWN_EARLY_SHARE:
        ev.append((t, story.applicant_id, story.name, "withdraw", "new", "withdrawn", ""))
        story.withdrawn = t
    else:
        _draw_handling(run, story, t, digital_result)


def _draw_handling(run: _Run, story: _Story, t: int, digital_result: float) -> None:
    """Receipt (the legal time as the platform computes it, no pause yet; no stated time: no
    deadline, the timing uses a default span), the fee when asked on receipt, assignment, a
    supplement, then the decision unless the applicant gave up."""
    rand = run.rand
    officer = story.officer
    story.received = t
    story.ev.append((t, officer[0], officer[1], "receive", "new", "received", ""))
    story.fee_amount = story.pair.fee
    story.due, story.budget = run.legal.at_receipt(t, story.duration)
    work_days = max(1, math.ceil((story.budget or DEFAULT_BUDGET_MINUTES) / 480))
    span = max(1800, int(work_days * 7 / 5 * DAY))
    if story.fee_amount and run.fee_at_receipt:
        # the system asks for the fee on receipt; the clock stops until it is paid
        t += 60
        t = _draw_fee(run, story, (t, None, "", "request_fee", "received", "payment_receipt", ""))
    t += 600 + int(rand() * 0.1 * span)
    story.ev.append((t, officer[0], officer[1], "assign", "received", "processing", ""))
    abandoned = False
    if rand() < SUPPLEMENT_SHARE:
        t, abandoned = _draw_supplement(run, story, t, span)
    if not abandoned:
        _draw_decision(run, story, t, span, digital_result)


def _draw_fee(run: _Run, story: _Story, request: Event) -> int:
    """The fee asked for by ``request`` and paid after a wait (the clock paused, status 6);
    returns the moment of payment."""
    rand = run.rand
    t, _actor, _label, _action, _from, waiting, _comment = request
    story.ev.append(request)
    wait = 600 + int(rand() * 2 * DAY)
    story.pauses.append((6, t, t + wait))
    t += wait
    story.fee_paid = t
    story.fee_online = rand() < FEE_ONLINE_SHARE[story.ch]
    story.ev.append((t, None, "", "paid", waiting, request[4], ""))
    return t


def _draw_supplement(run: _Run, story: _Story, t: int, span: int) -> tuple[int, bool]:
    """A supplement requested (clock paused, status 5): supplied after a wait, or the
    applicant withdraws instead. Returns (moment, abandoned)."""
    rand = run.rand
    officer = story.officer
    t += 1800 + int(rand() * 0.3 * span)
    reason = SUPPLEMENT_REASONS[run.randrange(2)]
    story.ev.append(
        (t, officer[0], officer[1], "request_supplement", "processing", "supplement", reason)
    )
    wait = 3600 + int(rand() * 6 * DAY)
    if rand() < SUPPLEMENT_ABANDONED:
        t += wait + 10 * DAY
        story.ev.append(
            (t, story.applicant_id, story.name, "withdraw", "supplement", "withdrawn", "")
        )
        story.withdrawn = t
        story.pauses.append((5, t - wait - 10 * DAY, t))
        return t, True
    story.pauses.append((5, t, t + wait))
    t += wait
    story.ev.append(
        (t, story.applicant_id, story.name, "supplement", "supplement", "processing", "")
    )
    return t, False


def _draw_decision(run: _Run, story: _Story, t: int, span: int, digital_result: float) -> None:
    """The fee when asked later, forwarding for approval, the finishing moment by the unit's
    on-time record, then refusal or approval with its result, return and rating."""
    rand = run.rand
    officer = story.officer
    if story.fee_amount and not run.fee_at_receipt:
        t += 600 + int(rand() * 0.2 * span)
        t = _draw_fee(
            run, story, (t, officer[0], officer[1], "request_payment", "processing", "payment", "")
        )
    t += 600 + int(rand() * 0.2 * span)
    story.ev.append((t, officer[0], officer[1], "forward", "processing", "approval", ""))
    # the due moment with every pause so far, as the platform recomputes it
    story.due = run.legal.due_or_none(story.received, story.duration, story.pauses)
    target = story.due if story.due is not None else t + span
    target_day = (target + TZ_OFFSET) // DAY
    # the finishing moment, by the unit's on-time record
    q = rand()
    late = LATE_BASE * run.quality[story.pair.unit_id]
    if q < late:
        finish = target + 3600 + int(rand() * 10 * DAY)
    elif q < late + (1 - late) * (1 - EARLY_SHARE):
        finish = target - int(rand() * 8 * 3600)
    else:
        finish = t + int(rand() * max(60, target_day * DAY - TZ_OFFSET - t))
    finish = story.finish = run.legal.office_time(max(finish, t + 300))
    if rand() < STOPPED_SHARE:
        story.ev.append(
            (finish, officer[0], officer[1], "reject", "approval", "stopped", REJECT_REASON)
        )
        return
    story.ev.append((finish, officer[0], officer[1], "approve", "approval", "done", ""))
    story.result_digital = rand() < (digital_result + 0.1 if story.online else digital_result - 0.2)
    if rand() < RETURNED_SHARE:
        returned = story.returned = finish + 600 + int(rand() * 3 * DAY)
        story.ev.append((returned, officer[0], officer[1], "return_result", "done", "returned", ""))
        if rand() < RATED_SHARE[story.ch]:
            story.rated = returned + int(rand() * 2 * DAY)
            x = rand()
            cum = run.rating_cum
            story.rating = RATING_SPLIT[bisect.bisect_left(cum, x) if x < cum[-1] else -1][0]


def _state_at(story: _Story, now: int, legal: _LegalClock) -> list[Event]:
    """Turn the drawn story into what the platform stores at ``now``: later moments unset,
    the due moment with the pauses ended by then, the outcome if finished. Returns the events
    that happened before ``now``."""
    kept = [e for e in story.ev if e[0] < now]
    if not kept:  # submitted before now by construction; guard anyway
        kept = story.ev[:1]
    step = kept[-1][5]
    if story.received is not None and story.received >= now:
        story.received = None
        story.fee_amount = None
    if story.refused is not None and story.refused >= now:
        story.refused = None
    if story.withdrawn is not None and story.withdrawn >= now:
        story.withdrawn = None
    # what the platform stores at ``now``: pauses still open do not count yet
    story.due = legal.due_or_none(
        story.received, story.duration, [p for p in story.pauses if p[2] < now]
    )
    if story.finish is not None and step in ("done", "returned"):
        story.finished_at = story.finish
        story.outcome = legal.classify(story.finish, story.due)
    else:
        story.result_digital = False
    if story.returned is not None and story.returned >= now:
        story.returned = None
    if story.fee_paid is not None and story.fee_paid >= now:
        story.fee_paid = None
        story.fee_online = False
    if story.rated is None or story.rated >= now or story.returned is None:
        story.rated = None
        story.rating = ""
    return kept
