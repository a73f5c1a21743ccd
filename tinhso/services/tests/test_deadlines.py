"""The legal-deadline module against hand-worked cases.

Calendar facts used (holidays.VN, checked by ``test_calendar_facts``):
- Tết 2026: Mon 16 – Fri 20 Feb 2026 are holidays; with the weekends 14–15 and 21–22 Feb
  the first working day after Tết is Mon 23 Feb 2026.
- Tết 2027: Thu 4 – Wed 10 Feb 2027 (Sat 6 / Sun 7 inside); next working day Thu 11 Feb.
- Hùng Kings 2026: Sun 26 Apr (observed Mon 27 Apr); Thu 30 Apr and Fri 1 May 2026.
- Sat 22 Aug 2026 is a swapped working day (for the day off Mon 31 Aug 2026).
"""

import datetime as dt
from decimal import Decimal

import pytest

from tinhso.services import deadlines as D
from tinhso.services.deadlines import TZ, WorkCalendar


def t(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


DAY = D.DAY_MINUTES


def wd(n):
    return D.Duration(Decimal(str(n)), D.WORKING_DAY)


def hrs(n):
    return D.Duration(Decimal(str(n)), D.HOUR)


def test_calendar_facts():
    cal = D.DEFAULT_CALENDAR
    for day in range(16, 21):
        assert not cal.is_working_day(dt.date(2026, 2, day)), day
    assert cal.is_working_day(dt.date(2026, 2, 13))
    assert cal.is_working_day(dt.date(2026, 2, 23))
    for day in range(4, 11):
        assert not cal.is_working_day(dt.date(2027, 2, day)), day
    assert cal.is_working_day(dt.date(2027, 2, 3))
    assert cal.is_working_day(dt.date(2027, 2, 11))
    assert not cal.is_working_day(dt.date(2026, 4, 27))
    assert cal.is_working_day(dt.date(2026, 8, 22))  # a Saturday worked (swap)
    assert not cal.is_working_day(dt.date(2026, 8, 31))
    assert not cal.is_working_day(dt.date(2026, 3, 7))  # an ordinary Saturday


# (case, received_at, working days, hours, expected due)
CASES = [
    ("1 ngày, thứ Hai → thứ Ba", t(2026, 3, 2, 9), 1, 0, t(2026, 3, 3, 9)),
    ("qua cuối tuần", t(2026, 3, 6, 10), 1, 0, t(2026, 3, 9, 10)),
    ("thứ Sáu trước Tết 2026 → sau Tết", t(2026, 2, 13, 10), 1, 0, t(2026, 2, 23, 10)),
    ("3 ngày vắt qua Tết 2026", t(2026, 2, 12, 15), 3, 0, t(2026, 2, 24, 15)),
    ("nhận trong kỳ nghỉ Tết 2026", t(2026, 2, 14, 9), 1, 0, t(2026, 2, 23, 17)),
    ("nhận sau giờ làm việc → ngày làm việc sau", t(2026, 2, 13, 17, 30), 1, 0, t(2026, 2, 23, 17)),
    ("nhận lúc 17:00 đúng là ngoài giờ", t(2026, 3, 2, 17), 1, 0, t(2026, 3, 3, 17)),
    ("nhận giờ nghỉ trưa → 13:00", t(2026, 3, 2, 12, 30), 0, 4, t(2026, 3, 2, 17)),
    ("nhận trước 8:00", t(2026, 3, 2, 7), 1, 0, t(2026, 3, 2, 17)),
    ("2 giờ hết đúng 12:00", t(2026, 3, 2, 10), 0, 2, t(2026, 3, 2, 12)),
    ("2 giờ vắt qua trưa", t(2026, 3, 2, 11), 0, 2, t(2026, 3, 2, 14)),
    ("2 giờ vắt qua Tết 2026", t(2026, 2, 13, 16), 0, 2, t(2026, 2, 23, 9)),
    ("Giỗ Tổ, 30/4, 1/5 năm 2026", t(2026, 4, 24, 10), 3, 0, t(2026, 5, 4, 10)),
    ("vắt qua Tết 2027", t(2027, 2, 3, 14), 2, 0, t(2027, 2, 12, 14)),
    ("nhận trong Tết 2027", t(2027, 2, 5, 9), 1, 0, t(2027, 2, 11, 17)),
    ("thứ Bảy làm bù 22/8/2026", t(2026, 8, 21, 10), 1, 0, t(2026, 8, 22, 10)),
    ("sau thứ Bảy làm bù, qua chủ nhật", t(2026, 8, 21, 10), 2, 0, t(2026, 8, 24, 10)),
    ("nghỉ 31/8, 1/9, 2/9/2026", t(2026, 8, 28, 9), 1, 0, t(2026, 9, 3, 9)),
    ("nửa ngày (0,5 ngày làm việc)", t(2026, 3, 2, 9), 0.5, 0, t(2026, 3, 2, 14)),
]


@pytest.mark.parametrize("case, received, days, hours, expected", CASES, ids=[c[0] for c in CASES])
def test_due_hand_worked(case, received, days, hours, expected):
    duration = wd(days) if days else hrs(hours)
    assert D.due_at(received_at=received, duration=duration) == expected


def test_received_in_utc_is_converted():
    # 02:00 UTC = 09:00 in Hồ Chí Minh City
    received = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    assert D.due_at(received_at=received, duration=wd(1)) == t(2026, 3, 3, 9)


def test_admin_extra_day_off():
    cal = WorkCalendar(extra_off=frozenset({dt.date(2026, 3, 3)}))
    assert D.due_at(received_at=t(2026, 3, 2, 10), duration=wd(1), cal=cal) == t(2026, 3, 4, 10)


def test_admin_swapped_working_day():
    cal = WorkCalendar(extra_work=frozenset({dt.date(2026, 3, 7)}))  # a Saturday
    assert D.due_at(received_at=t(2026, 3, 6, 10), duration=wd(1), cal=cal) == t(2026, 3, 7, 10)


def test_admin_entry_beats_package():
    # the administrator may declare a holiday of the package a working day
    cal = WorkCalendar(extra_work=frozenset({dt.date(2026, 2, 20)}))
    assert D.due_at(received_at=t(2026, 2, 13, 10), duration=wd(1), cal=cal) == t(2026, 2, 20, 10)


def test_supplement_pause():
    # 3 days from Mon 02/03 09:00 → Thu 05/03 09:00 without a pause.
    # Paused Tue 03/03 10:00 → Thu 05/03 15:00: 360 + 480 + 360 = 1200 working minutes.
    # 1440 + 1200 from Mon 09:00: Mon 420, Tue–Fri 4×480 → 300 left on Mon 09/03 → 14:00.
    received = t(2026, 3, 2, 9)
    pauses = [(t(2026, 3, 3, 10), t(2026, 3, 5, 15))]
    assert D.paused_minutes(pauses) == 1200
    assert D.due_at(received_at=received, duration=wd(3)) == t(2026, 3, 5, 9)
    assert D.due_at(received_at=received, duration=wd(3), pauses=pauses) == t(2026, 3, 9, 14)


def test_supplement_pause_across_tet_2026():
    # 2 days from Thu 12/02/2026 09:00; 120 min used before the pause (09–11),
    # paused until Mon 23/02 10:00; 840 left: Mon 10–17 = 360, Tue 24/02 480 → 17:00.
    received = t(2026, 2, 12, 9)
    pauses = [(t(2026, 2, 12, 11), t(2026, 2, 23, 10))]
    assert D.due_at(received_at=received, duration=wd(2), pauses=pauses) == t(2026, 2, 24, 17)


def test_open_pause_runs_until_now():
    received = t(2026, 3, 2, 9)
    pauses = [(t(2026, 3, 2, 10), None)]
    # paused one working hour so far (10:00–11:00)
    due = D.due_at(received_at=received, duration=wd(1), pauses=pauses, now=t(2026, 3, 2, 11))
    assert due == t(2026, 3, 3, 10)
    with pytest.raises(ValueError):
        D.due_at(received_at=received, duration=wd(1), pauses=pauses)


def test_pause_before_clock_start_is_ignored():
    # received on Saturday; a pause on Saturday does not move the deadline
    pauses = [(t(2026, 3, 7, 9), t(2026, 3, 7, 11))]
    assert D.due_at(received_at=t(2026, 3, 7, 8), duration=wd(1), pauses=pauses) == t(
        2026, 3, 9, 17
    )


@pytest.mark.parametrize(
    "finished, expected",
    [
        (t(2026, 3, 6, 16), D.EARLY),
        (t(2026, 3, 9, 9), D.ON_TIME),
        (t(2026, 3, 9, 14), D.ON_TIME),
        (t(2026, 3, 9, 14, 1), D.LATE),
        (t(2026, 3, 10, 8), D.LATE),
    ],
)
def test_classify(finished, expected):
    assert D.classify(finished, t(2026, 3, 9, 14)) == expected


def test_remaining_days_hours():
    # Mon 09:00 → Thu 11:00: 420 + 480 + 480 + 180 = 1560 = 3 days 2 hours
    r = D.remaining(now=t(2026, 3, 2, 9), due=t(2026, 3, 5, 11))
    assert (r.days, r.hours, r.overdue) == (3, 2, False)
    assert r.label == "Còn 3 ngày 2 giờ"


def test_remaining_over_tet():
    r = D.remaining(now=t(2026, 2, 13, 16), due=t(2026, 2, 23, 10))
    assert r.minutes == 180
    assert r.label == "Còn 0 ngày 3 giờ"


def test_overdue_label():
    # due Thu 09:00; now Thu 15:30: 180 + 150 = 330 minutes late
    r = D.remaining(now=t(2026, 3, 5, 15, 30), due=t(2026, 3, 5, 9))
    assert r.overdue and r.minutes == -330
    assert r.label == "Quá hạn 0 ngày 5 giờ"


def test_due_soon():
    due = t(2026, 3, 5, 11)
    assert D.due_soon(now=t(2026, 3, 4, 14), due=due)  # 360 minutes left
    assert not D.due_soon(now=t(2026, 3, 2, 9), due=due)
    assert not D.due_soon(now=t(2026, 3, 5, 12), due=due)  # overdue, not "soon"


def test_working_minutes_symmetry_and_weekend():
    assert D.working_minutes_between(t(2026, 3, 6, 17), t(2026, 3, 9, 8)) == 0
    assert D.working_minutes_between(t(2026, 3, 9, 9), t(2026, 3, 6, 16)) == -120


def test_negative_budget_refused():
    with pytest.raises(ValueError):
        D.add_working_minutes(t(2026, 3, 2, 9), -1)


def test_calendar_load_reads_admin_entries(db):
    from tinhso.services.models import CalendarDay

    CalendarDay.objects.create(day=dt.date(2026, 3, 3), kind=CalendarDay.Kind.OFF)
    CalendarDay.objects.create(day=dt.date(2026, 3, 7), kind=CalendarDay.Kind.WORK)
    cal = D.calendar_load()
    assert not cal.is_working_day(dt.date(2026, 3, 3))
    assert cal.is_working_day(dt.date(2026, 3, 7))


# ---------------------------------------------------------------------------------------
# Calendar periods (Civil Code 2015, Art. 144–148): hand-worked, see docs/deadlines.md.
# Calendar facts besides those above (holidays.VN):
# - 2024 is a leap year; 30/4–1/5/2025 with Fri 2 May 2025 off (Sat 26 Apr 2025 worked).
# - 2/9/2027 is Thu 2 and Fri 3 Sep 2027.
# ---------------------------------------------------------------------------------------


def days(n):
    return D.Duration(Decimal(str(n)), D.DAY)


def months(n):
    return D.Duration(Decimal(str(n)), D.MONTH)


CALENDAR_CASES = [
    # (case, received_at, duration, expected due)
    ("15 ngày từ thứ Hai 2/3/2026 → thứ Ba 17/3", t(2026, 3, 2, 10), days(15), t(2026, 3, 17, 17)),
    (
        "10 ngày từ 28/1/2027 rơi vào Tết → 11/2/2027",
        t(2027, 1, 28, 9),
        days(10),
        t(2027, 2, 11, 17),
    ),
    ("3 tháng từ 2/3/2026 → 2/6/2026", t(2026, 3, 2, 9), months(3), t(2026, 6, 2, 17)),
    (
        "nhận ngoài giờ: tính từ ngày làm việc sau",
        t(2026, 3, 2, 18, 30),
        days(15),
        t(2026, 3, 18, 17),
    ),
    (
        "nhận thứ Bảy 31/1/2026 → nhận ngày 2/2 → 2/3",
        t(2026, 1, 31, 10),
        months(1),
        t(2026, 3, 2, 17),
    ),
    (
        "30/1/2026 + 1 tháng = 28/2 (thứ Bảy) → 2/3",
        t(2026, 1, 30, 10),
        months(1),
        t(2026, 3, 2, 17),
    ),
    (
        "năm nhuận: 31/1/2024 + 1 tháng = 29/2/2024",
        t(2024, 1, 31, 10),
        months(1),
        t(2024, 2, 29, 17),
    ),
    (
        "năm nhuận: 29/2/2024 + 12 tháng = 28/2/2025",
        t(2024, 2, 29, 10),
        months(12),
        t(2025, 2, 28, 17),
    ),
    (
        "năm nhuận: 31/12/2027 + 2 tháng = 29/2/2028",
        t(2027, 12, 31, 10),
        months(2),
        t(2028, 2, 29, 17),
    ),
    (
        "31/3/2025 + 1 tháng = 30/4: nghỉ 30/4–4/5 → 5/5",
        t(2025, 3, 31, 10),
        months(1),
        t(2025, 5, 5, 17),
    ),
    (
        "3/9/2026 + 1 tháng = 3/10 (thứ Bảy) → 5/10",
        t(2026, 9, 3, 10),
        months(1),
        t(2026, 10, 5, 17),
    ),
    (
        "31/12/2026 + 1 tháng = 31/1/2027 (CN) → 1/2",
        t(2026, 12, 31, 10),
        months(1),
        t(2027, 2, 1, 17),
    ),
    (
        "5/1/2027 + 1 tháng = 5/2 (Tết) → 11/2/2027",
        t(2027, 1, 5, 10),
        months(1),
        t(2027, 2, 11, 17),
    ),
    (
        "5 ngày từ 10/2/2026 → 15/2 (CN), Tết → 23/2",
        t(2026, 2, 10, 10),
        days(5),
        t(2026, 2, 23, 17),
    ),
    ("7 ngày từ 9/2/2026 → 16/2 (Tết) → 23/2", t(2026, 2, 9, 10), days(7), t(2026, 2, 23, 17)),
    ("1 ngày từ 12/2/2026 → 13/2/2026 (làm việc)", t(2026, 2, 12, 10), days(1), t(2026, 2, 13, 17)),
    ("2 ngày từ 12/2/2026 → 14/2 (thứ Bảy) → 23/2", t(2026, 2, 12, 9), days(2), t(2026, 2, 23, 17)),
    ("nhận trong Tết 2027 (8/2) → nhận 11/2 → 16/2", t(2027, 2, 8, 9), days(5), t(2027, 2, 16, 17)),
    (
        "Giỗ Tổ 2026: 1 ngày từ 24/4 → 25/4 … 27/4 → 28/4",
        t(2026, 4, 24, 10),
        days(1),
        t(2026, 4, 28, 17),
    ),
    ("30/4–1/5/2026: 6 ngày từ 24/4 → 30/4 → 4/5", t(2026, 4, 24, 10), days(6), t(2026, 5, 4, 17)),
    (
        "Quốc khánh 2026: 3 ngày từ 28/8 → 31/8 (nghỉ) → 3/9",
        t(2026, 8, 28, 10),
        days(3),
        t(2026, 9, 3, 17),
    ),
    (
        "Quốc khánh 2027: 7 ngày từ 26/8 → 2/9 → 6/9/2027",
        t(2027, 8, 26, 10),
        days(7),
        t(2027, 9, 6, 17),
    ),
    ("thứ Bảy làm bù 22/8/2026 là ngày làm việc", t(2026, 8, 21, 10), days(1), t(2026, 8, 22, 17)),
]


@pytest.mark.parametrize(
    "case, received, duration, expected", CALENDAR_CASES, ids=[c[0] for c in CALENDAR_CASES]
)
def test_calendar_period_hand_worked(case, received, duration, expected):
    assert D.due_at(received_at=received, duration=duration) == expected


def test_calendar_period_pause_counts_started_days():
    # 15 days from Mon 02/03/2026 → 17/03; paused 2 days 5 hours → 3 days → Fri 20/03 17:00
    received = t(2026, 3, 2, 10)
    pauses = [(t(2026, 3, 3, 10), t(2026, 3, 5, 15))]
    assert D.due_at(received_at=received, duration=days(15), pauses=pauses) == t(2026, 3, 20, 17)
    # exactly one day paused → one day: Wed 18/03
    pauses = [(t(2026, 3, 3, 10), t(2026, 3, 4, 10))]
    assert D.due_at(received_at=received, duration=days(15), pauses=pauses) == t(2026, 3, 18, 17)


def test_calendar_period_pause_ending_on_a_day_off():
    # 1 month from 02/03/2026 → 02/06 (Tue); paused 4 days → 06/06 (Sat) → Mon 08/06/2026
    received = t(2026, 3, 2, 10)
    pauses = [(t(2026, 3, 10, 9), t(2026, 3, 14, 9))]
    assert D.due_at(received_at=received, duration=months(3), pauses=pauses) == t(2026, 6, 8, 17)


def test_calendar_period_open_pause_runs_until_now():
    received = t(2026, 3, 2, 10)
    pauses = [(t(2026, 3, 3, 10), None)]
    due = D.due_at(received_at=received, duration=days(15), pauses=pauses, now=t(2026, 3, 3, 12))
    assert due == t(2026, 3, 18, 17)
    with pytest.raises(ValueError):
        D.due_at(received_at=received, duration=days(15), pauses=pauses)


def test_calendar_period_admin_day_off_moves_the_end():
    cal = WorkCalendar(extra_off=frozenset({dt.date(2026, 3, 17)}))
    assert D.due_at(received_at=t(2026, 3, 2, 10), duration=days(15), cal=cal) == t(2026, 3, 18, 17)


def test_calendar_days_differ_from_working_days():
    # the bug this guards: "15 Ngày" counted as working days was due on 23/03/2026
    received = t(2026, 3, 2, 10)
    assert D.due_at(received_at=received, duration=wd(15)) == t(2026, 3, 23, 10)
    assert D.due_at(received_at=received, duration=days(15)) != t(2026, 3, 23, 10)


def test_add_months_clamps_to_month_end():
    assert D.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert D.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert D.add_months(dt.date(2026, 12, 15), 2) == dt.date(2027, 2, 15)
    assert D.add_months(dt.date(2026, 5, 31), 1) == dt.date(2026, 6, 30)


def test_duration_validates_unit_and_sign():
    with pytest.raises(ValueError):
        D.Duration(Decimal(1), "fortnight")
    with pytest.raises(ValueError):
        D.Duration(Decimal(-1), D.DAY)
    with pytest.raises(ValueError):
        days(3).working_minutes()
    assert hrs(4).working_minutes() == 240


# --- the indexed working-time arithmetic against a plain walk over periods ----------------


def _ref_add(start, minutes, cal):
    t = D.next_working_moment(start, cal)
    remaining = minutes
    if remaining == 0:
        return t
    while True:
        day = t.date()
        end = next(
            dt.datetime.combine(day, e, tzinfo=TZ) for s, e in D.PERIODS if s <= t.time() < e
        )
        available = (end - t).total_seconds() / 60
        if remaining <= available:
            return t + dt.timedelta(minutes=remaining)
        remaining -= available
        t = D.next_working_moment(end, cal)


def _ref_between(a, b, cal):
    a, b = D.to_local(a), D.to_local(b)
    total = 0.0
    day = a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            for s, e in D.PERIODS:
                lo = max(a, dt.datetime.combine(day, s, tzinfo=TZ))
                hi = min(b, dt.datetime.combine(day, e, tzinfo=TZ))
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
        day += dt.timedelta(days=1)
    return round(total, 6) // 1


def test_indexed_arithmetic_equals_a_plain_walk():
    import random

    rng = random.Random(11)
    cal = WorkCalendar(extra_off=frozenset({dt.date(2026, 3, 3)}), extra_work=frozenset())
    base = dt.datetime(2025, 12, 20, tzinfo=TZ)
    for _ in range(400):
        a = base + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 500))
        minutes = rng.choice([0, 1, 59, 240, 480, 481, 960, rng.randrange(1, 480 * 40)])
        assert D.add_working_minutes(a, minutes, cal) == _ref_add(a, minutes, cal), (a, minutes)
        b = a + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 90), seconds=rng.randrange(60))
        assert D.working_minutes_between(a, b, cal) == _ref_between(a, b, cal), (a, b)
        assert D.working_minutes_between(b, a, cal) == -_ref_between(a, b, cal)
