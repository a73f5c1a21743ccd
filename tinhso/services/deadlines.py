"""Legal deadlines on the province's working calendar — the one module for time rules.

Rules (FACTS §5, issue 3):

- A working day is Monday–Friday, minus Vietnamese public holidays (the ``holidays``
  package: lunar Tết and Hùng Kings' day move every year), plus the weekend days the
  government swaps into working days (``holidays.VN().weekend_workdays``), adjusted by the
  administrator's own entries (extra days off, extra working days: ``CalendarDay``).
  An administrator's entry always wins.
- Working hours are 08:00–12:00 and 13:00–17:00, Asia/Ho_Chi_Minh: an 8-hour day.
  Periods are half-open: 12:00 is already lunch, 17:00 already after hours.
- The clock starts at the first working moment at or after receipt: a dossier received
  after hours (or on a day off) counts from 08:00 of the next working day; one received
  at lunch counts from 13:00.
- A processing time of N working days is N × 8 working hours from the clock start
  (received Monday 10:00 with 1 day → due Tuesday 10:00). A due time never falls at the
  start of a period: a budget that ends exactly at 12:00 or 17:00 is due then.
- The clock stops while the dossier waits on the applicant (supplement requested,
  payment owed): the working time inside each pause is added to the budget.
- Classification when finished: ``late`` after the due moment; ``on_time`` on the due
  working day (not after the due moment); ``early`` on an earlier day.
- "X ngày Y giờ" counts remaining working time on an 8-hour day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 0), dt.time(12, 0)),
    (dt.time(13, 0), dt.time(17, 0)),
)
DAY_MINUTES = 480  # 8 working hours
MAX_SCAN_DAYS = 3660  # a safety stop: no computation walks more than ten years

EARLY = "early"
ON_TIME = "on_time"
LATE = "late"


@lru_cache(maxsize=1)
def _vn_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("VN")


def public_holiday_name(day: dt.date) -> str | None:
    """The name of the Vietnamese public holiday on ``day`` (None if none)."""
    return _vn_holidays().get(day)


def _is_swapped_workday(day: dt.date) -> bool:
    vn = _vn_holidays()
    _ = day in vn  # expands the year so that weekend_workdays is filled for it
    return day in vn.weekend_workdays


@dataclass(frozen=True)
class WorkCalendar:
    """The working calendar: public holidays plus the administrator's own entries."""

    extra_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_work: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_work:
            return True
        if day in self.extra_off:
            return False
        if public_holiday_name(day) is not None:
            return False
        if day.weekday() >= 5:
            return _is_swapped_workday(day)
        return True

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the next one."""
        for _i in range(MAX_SCAN_DAYS):
            if self.is_working_day(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError("No working day within ten years: check the calendar entries.")


DEFAULT_CALENDAR = WorkCalendar()


def calendar_load() -> WorkCalendar:
    """The calendar with the administrator's entries (``CalendarDay``) from the database."""
    from tinhso.services.models import CalendarDay

    off: set[dt.date] = set()
    work: set[dt.date] = set()
    for day, kind in CalendarDay.objects.values_list("day", "kind"):
        (work if kind == CalendarDay.Kind.WORK else off).add(day)
    return WorkCalendar(extra_off=frozenset(off), extra_work=frozenset(work))


def to_local(moment: dt.datetime) -> dt.datetime:
    """An aware datetime in Asia/Ho_Chi_Minh (naive values are taken as local time)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=TZ)


def next_working_moment(moment: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR) -> dt.datetime:
    """``moment`` if it lies inside working hours, else the start of the next period."""
    t = to_local(moment)
    day = t.date()
    if cal.is_working_day(day):
        for start, end in PERIODS:
            if t.time() < start:
                return _at(day, start)
            if t.time() < end:
                return t
    day = cal.next_working_day(day + dt.timedelta(days=1))
    return _at(day, PERIODS[0][0])


def clock_start(received_at: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR) -> dt.datetime:
    """When the legal clock starts for a dossier received at ``received_at``."""
    return next_working_moment(received_at, cal)


def add_working_minutes(
    start: dt.datetime, minutes: int, cal: WorkCalendar = DEFAULT_CALENDAR
) -> dt.datetime:
    """The moment ``minutes`` working minutes after ``start``."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    t = next_working_moment(start, cal)
    remaining = minutes
    if remaining == 0:
        return t
    for _i in range(MAX_SCAN_DAYS * len(PERIODS)):
        day = t.date()
        end = next(_at(day, e) for s, e in PERIODS if s <= t.time() < e)
        available = int((end - t).total_seconds() // 60)
        if remaining <= available:
            return t + dt.timedelta(minutes=remaining)
        remaining -= available
        t = next_working_moment(end, cal)
    raise ValueError("Deadline beyond ten years.")


def working_minutes_between(
    a: dt.datetime, b: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR
) -> int:
    """Working minutes from ``a`` to ``b`` (negative if ``b`` is before ``a``)."""
    a, b = to_local(a), to_local(b)
    if b < a:
        return -working_minutes_between(b, a, cal)
    total = 0.0
    day = a.date()
    last = b.date()
    if (last - day).days > MAX_SCAN_DAYS:
        raise ValueError("Interval longer than ten years.")
    while day <= last:
        if cal.is_working_day(day):
            for s, e in PERIODS:
                lo = max(a, _at(day, s))
                hi = min(b, _at(day, e))
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
        day += dt.timedelta(days=1)
    return int(total)


def budget_minutes(*, days: float = 0, hours: float = 0) -> int:
    """A processing time in working days and/or hours, as working minutes."""
    return round(days * DAY_MINUTES + hours * 60)


Pause = tuple[dt.datetime, dt.datetime | None]


def paused_minutes(
    pauses: Iterable[Pause],
    *,
    start: dt.datetime | None = None,
    now: dt.datetime | None = None,
    cal: WorkCalendar = DEFAULT_CALENDAR,
) -> int:
    """Working minutes spent in pauses (an open pause runs until ``now``); time before
    ``start`` (the clock start) does not count."""
    total = 0
    for p_start, p_end in pauses:
        end = p_end if p_end is not None else now
        if end is None:
            raise ValueError("An open pause needs `now`.")
        lo = max(to_local(p_start), to_local(start)) if start is not None else p_start
        if to_local(end) > to_local(lo):
            total += working_minutes_between(lo, end, cal)
    return total


def due_at(
    *,
    received_at: dt.datetime,
    minutes: int,
    pauses: Iterable[Pause] = (),
    now: dt.datetime | None = None,
    cal: WorkCalendar = DEFAULT_CALENDAR,
) -> dt.datetime:
    """The due moment: clock start + budget + the working time spent paused."""
    start = clock_start(received_at, cal)
    extra = paused_minutes(pauses, start=start, now=now, cal=cal)
    return add_working_minutes(start, minutes + extra, cal)


def classify(finished_at: dt.datetime, due: dt.datetime) -> str:
    """early / on_time / late (sớm hạn / đúng hạn / trễ hạn)."""
    f, d = to_local(finished_at), to_local(due)
    if f > d:
        return LATE
    if f.date() == d.date():
        return ON_TIME
    return EARLY


@dataclass(frozen=True)
class Remaining:
    minutes: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.minutes < 0

    @property
    def days(self) -> int:
        return abs(self.minutes) // DAY_MINUTES

    @property
    def hours(self) -> int:
        return (abs(self.minutes) % DAY_MINUTES) // 60

    @property
    def label(self) -> str:
        text = f"{self.days} ngày {self.hours} giờ"
        if self.overdue:
            return f"Quá hạn {text}"
        return f"Còn {text}"


def remaining(
    *, now: dt.datetime, due: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR
) -> Remaining:
    """Working time left until ``due`` (negative when overdue)."""
    return Remaining(working_minutes_between(now, due, cal))


def due_soon(*, now: dt.datetime, due: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR) -> bool:
    """Less than one working day left (and not yet overdue)."""
    left = working_minutes_between(now, due, cal)
    return 0 <= left < DAY_MINUTES


CLASS_LABELS = {EARLY: "Sớm hạn", ON_TIME: "Đúng hạn", LATE: "Trễ hạn"}
