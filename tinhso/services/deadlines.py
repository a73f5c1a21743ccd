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

Calendar periods (Civil Code 2015, Articles 144–148; ``docs/deadlines.md``):

- A period in days (``day``: "Ngày" without "làm việc") starts on the day after receipt and
  ends at the end of its last day: received on 2 March with 15 days → 17 March.
- A period in months (``month``) ends on the same-numbered day of its last month, or that
  month's last day if it has none: 31 January + 1 month → 28 (29) February.
- The day of receipt is the day of the clock start (a dossier received after hours or on a
  day off is received at the next working moment, as for working time).
- When the last day is a day off (weekend, holiday, administrator's day off), the period ends
  on the next working day. The result is due at the close of working hours (17:00).
- A pause extends a calendar period by the calendar time paused, counted in started days
  (a pause of 2 days 5 hours adds 3 days), before the day-off rule is applied.
- A range ("3 – 5 ngày") is due at its upper bound, the longest time the law allows.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext, gettext_lazy, ngettext

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 0), dt.time(12, 0)),
    (dt.time(13, 0), dt.time(17, 0)),
)
DAY_MINUTES = 480  # 8 working hours
MAX_SCAN_DAYS = 3660  # a safety stop: no computation walks more than ten years

CLOSE = PERIODS[-1][1]  # 17:00, the close of working hours

# Units of a legal processing time (``Duration.unit``).
WORKING_DAY = "working_day"
DAY = "day"
MONTH = "month"
HOUR = "hour"
UNITS = (WORKING_DAY, DAY, MONTH, HOUR)
CALENDAR_UNITS = (DAY, MONTH)

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


_US = 1_000_000
_MINUTE_US = 60 * _US
_MORNING = (PERIODS[0][0].hour * 3600 + PERIODS[0][0].minute * 60) * _US
_NOON = (PERIODS[0][1].hour * 3600 + PERIODS[0][1].minute * 60) * _US
_AFTERNOON = (PERIODS[1][0].hour * 3600 + PERIODS[1][0].minute * 60) * _US
_EVENING = (PERIODS[1][1].hour * 3600 + PERIODS[1][1].minute * 60) * _US
_HALF = _NOON - _MORNING  # working microseconds in the morning period
DAY_US = DAY_MINUTES * _MINUTE_US


class _Index:
    """Working time as one number: a moment's *working coordinate* is the working
    microseconds from the start of the window to it (every working day adds 8 hours; a
    moment outside working hours has the coordinate of the next working moment). Working
    time between two moments is the difference of their coordinates, and a moment
    N working minutes later is found by going back from a coordinate to a date and time;
    both in constant time, so the province generator and the pages stay fast."""

    def __init__(self, cal: WorkCalendar, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.before: list[int] = []  # working days from ``first`` before each date
        self.work: list[dt.date] = []  # the working days, in order
        day, count = first, 0
        while day <= last:
            self.before.append(count)
            if cal.is_working_day(day):
                self.work.append(day)
                count += 1
            day += dt.timedelta(days=1)

    def coordinate(self, moment: dt.datetime) -> int:
        local = to_local(moment)
        day = local.date()
        k = self.before[(day - self.first).days]
        if k < len(self.work) and self.work[k] == day:  # a working day
            t = local.time()
            us = (t.hour * 3600 + t.minute * 60 + t.second) * _US + t.microsecond
            if us <= _MORNING:
                off = 0
            elif us < _NOON:
                off = us - _MORNING
            elif us < _AFTERNOON:
                off = _HALF
            elif us < _EVENING:
                off = _HALF + us - _AFTERNOON
            else:
                off = DAY_US
            return k * DAY_US + off
        return k * DAY_US

    def moment(self, coordinate: int) -> dt.datetime | None:
        """The moment of a coordinate reached by counting forward: a count that ends exactly
        at a period's end is due then (12:00 or 17:00), never at the next period's start.
        None when the window is too short."""
        k, off = divmod(coordinate, DAY_US)
        if off == 0:
            k, off = k - 1, DAY_US
        if not 0 <= k < len(self.work):
            return None
        start = _MORNING + off if off <= _HALF else _AFTERNOON + off - _HALF
        seconds, micro = divmod(start, _US)
        return dt.datetime.combine(self.work[k], dt.time(0), tzinfo=TZ) + dt.timedelta(
            seconds=seconds, microseconds=micro
        )


@dataclass(frozen=True)
class WorkCalendar:
    """The working calendar: public holidays plus the administrator's own entries."""

    extra_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_work: frozenset[dt.date] = field(default_factory=frozenset)
    # answers already computed (the calendar is immutable, so they never go stale); keeps
    # bulk computations (the province generator) fast
    _known: dict[dt.date, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # the working-day index over a window of dates (``_Index``), built when first needed
    _window: list[_Index] = field(default_factory=list, compare=False, hash=False, repr=False)

    def is_working_day(self, day: dt.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_working_day(day)
        return known

    def _is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_work:
            return True
        if day in self.extra_off:
            return False
        if public_holiday_name(day) is not None:
            return False
        if day.weekday() >= 5:
            return _is_swapped_workday(day)
        return True

    def index(self, first: dt.date, last: dt.date) -> _Index:
        """The working-day index covering ``first``..``last`` (a year of margin each side)."""
        current = self._window[0] if self._window else None
        if current is not None and current.first <= first and last <= current.last:
            return current
        lo = first - dt.timedelta(days=366)
        hi = last + dt.timedelta(days=366)
        if current is not None:
            lo, hi = min(lo, current.first), max(hi, current.last)
        built = _Index(self, lo, hi)
        self._window[:] = [built]
        return built

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
    return calendar_for(extra_off=frozenset(off), extra_work=frozenset(work))


@lru_cache(maxsize=8)
def _calendar_cached(extra_off: frozenset[dt.date], extra_work: frozenset[dt.date]) -> WorkCalendar:
    return WorkCalendar(extra_off=extra_off, extra_work=extra_work)


def calendar_for(*, extra_off: frozenset[dt.date], extra_work: frozenset[dt.date]) -> WorkCalendar:
    """The calendar with these entries, shared while they do not change, so that its
    working-day index is built once per process, not once per request."""
    return _calendar_cached(extra_off, extra_work)


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
    if minutes > MAX_SCAN_DAYS * DAY_MINUTES:
        raise ValueError("Deadline beyond ten years.")
    t = next_working_moment(start, cal)
    if minutes == 0:
        return t
    day = t.date()
    span = dt.timedelta(days=minutes // DAY_MINUTES * 2 + 30)
    for _i in range(12):
        idx = cal.index(day, day + span)
        found = idx.moment(idx.coordinate(t) + minutes * _MINUTE_US)
        if found is not None:
            return found
        span *= 2  # a calendar with long runs of days off: widen the window
    raise ValueError("Deadline beyond ten years.")


def working_minutes_between(
    a: dt.datetime, b: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR
) -> int:
    """Working minutes from ``a`` to ``b`` (negative if ``b`` is before ``a``)."""
    a, b = to_local(a), to_local(b)
    if b < a:
        return -working_minutes_between(b, a, cal)
    if (b.date() - a.date()).days > MAX_SCAN_DAYS:
        raise ValueError("Interval longer than ten years.")
    idx = cal.index(a.date(), b.date())
    return (idx.coordinate(b) - idx.coordinate(a)) // _MINUTE_US


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


@dataclass(frozen=True)
class Duration:
    """A legal processing time: ``value`` in ``unit`` (working_day, day, month, hour)."""

    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"Unknown duration unit: {self.unit!r}")
        if not isinstance(self.value, Decimal):
            object.__setattr__(self, "value", Decimal(str(self.value)))
        if self.value < 0:
            raise ValueError("A duration must not be negative.")

    @property
    def is_calendar(self) -> bool:
        return self.unit in CALENDAR_UNITS

    def working_minutes(self) -> int:
        """The budget in working minutes (working days and hours only)."""
        if self.unit == WORKING_DAY:
            return budget_minutes(days=float(self.value))
        if self.unit == HOUR:
            return budget_minutes(hours=float(self.value))
        raise ValueError("A calendar period has no fixed working-minute budget.")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same-numbered day ``months`` later, or that month's last day (Civil Code
    Art. 147(2) read with 148: 31 January + 1 month → 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def _paused_days(pauses: Iterable[Pause], *, start: dt.datetime, now: dt.datetime | None) -> int:
    """Calendar time spent paused after ``start``, in started days."""
    total = dt.timedelta(0)
    for p_start, p_end in pauses:
        end = p_end if p_end is not None else now
        if end is None:
            raise ValueError("An open pause needs `now`.")
        lo = max(to_local(p_start), start)
        if to_local(end) > lo:
            total += to_local(end) - lo
    return math.ceil(total / dt.timedelta(days=1)) if total else 0


def period_last_day(*, received_on: dt.date, duration: Duration, extra_days: int = 0) -> dt.date:
    """The last day of a calendar period received on ``received_on`` (before the day-off
    rule): Civil Code Art. 147 (starts the day after) and 148 (ends on its last day)."""
    whole = int(duration.value)
    fraction = duration.value - whole
    if duration.unit == DAY:
        last = received_on + dt.timedelta(days=math.ceil(duration.value))
    elif duration.unit == MONTH:
        last = add_months(received_on, whole)
        if fraction:
            last += dt.timedelta(days=math.ceil(fraction * 30))
    else:
        raise ValueError("Not a calendar period.")
    return last + dt.timedelta(days=extra_days)


def due_at(
    *,
    received_at: dt.datetime,
    duration: Duration,
    pauses: Iterable[Pause] = (),
    now: dt.datetime | None = None,
    cal: WorkCalendar = DEFAULT_CALENDAR,
) -> dt.datetime:
    """The due moment of a dossier received at ``received_at`` with the legal ``duration``.

    Working time: clock start + budget + the working time spent paused. Calendar periods:
    the period's last day (extended by the paused days), moved to the next working day when
    it is a day off, at 17:00."""
    start = clock_start(received_at, cal)
    if not duration.is_calendar:
        extra = paused_minutes(pauses, start=start, now=now, cal=cal)
        return add_working_minutes(start, duration.working_minutes() + extra, cal)
    last = period_last_day(
        received_on=start.date(),
        duration=duration,
        extra_days=_paused_days(pauses, start=start, now=now),
    )
    return _at(cal.next_working_day(last), CLOSE)


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
        """ "Còn 2 ngày 3 giờ" / "Quá hạn 0 ngày 5 giờ" in the active language ("2 days
        3 hours left", "overdue by 1 day 0 hours")."""
        days = ngettext("%(n)s ngày", "%(n)s ngày", self.days) % {"n": self.days}
        hours = ngettext("%(n)s giờ", "%(n)s giờ", self.hours) % {"n": self.hours}
        if self.overdue:
            return gettext("Quá hạn %(days)s %(hours)s") % {"days": days, "hours": hours}
        return gettext("Còn %(days)s %(hours)s") % {"days": days, "hours": hours}


def remaining(
    *, now: dt.datetime, due: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR
) -> Remaining:
    """Working time left until ``due`` (negative when overdue)."""
    return Remaining(working_minutes_between(now, due, cal))


def due_soon(*, now: dt.datetime, due: dt.datetime, cal: WorkCalendar = DEFAULT_CALENDAR) -> bool:
    """Less than one working day left (and not yet overdue)."""
    left = working_minutes_between(now, due, cal)
    return 0 <= left < DAY_MINUTES


CLASS_LABELS = {
    EARLY: gettext_lazy("Sớm hạn"),
    ON_TIME: gettext_lazy("Đúng hạn"),
    LATE: gettext_lazy("Trễ hạn"),
}
