"""The legal-deadline module against hand-worked cases.

Calendar facts used (holidays.VN, checked by ``test_calendar_facts``):
- Tết 2026: Mon 16 – Fri 20 Feb 2026 are holidays; with the weekends 14–15 and 21–22 Feb
  the first working day after Tết is Mon 23 Feb 2026.
- Tết 2027: Thu 4 – Wed 10 Feb 2027 (Sat 6 / Sun 7 inside); next working day Thu 11 Feb.
- Hùng Kings 2026: Sun 26 Apr (observed Mon 27 Apr); Thu 30 Apr and Fri 1 May 2026.
- Sat 22 Aug 2026 is a swapped working day (for the day off Mon 31 Aug 2026).
"""

import datetime as dt

import pytest

from tinhso.services import deadlines as D
from tinhso.services.deadlines import TZ, WorkCalendar


def t(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


DAY = D.DAY_MINUTES


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
    minutes = D.budget_minutes(days=days, hours=hours)
    assert D.due_at(received_at=received, minutes=minutes) == expected


def test_received_in_utc_is_converted():
    # 02:00 UTC = 09:00 in Hồ Chí Minh City
    received = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    assert D.due_at(received_at=received, minutes=DAY) == t(2026, 3, 3, 9)


def test_admin_extra_day_off():
    cal = WorkCalendar(extra_off=frozenset({dt.date(2026, 3, 3)}))
    assert D.due_at(received_at=t(2026, 3, 2, 10), minutes=DAY, cal=cal) == t(2026, 3, 4, 10)


def test_admin_swapped_working_day():
    cal = WorkCalendar(extra_work=frozenset({dt.date(2026, 3, 7)}))  # a Saturday
    assert D.due_at(received_at=t(2026, 3, 6, 10), minutes=DAY, cal=cal) == t(2026, 3, 7, 10)


def test_admin_entry_beats_package():
    # the administrator may declare a holiday of the package a working day
    cal = WorkCalendar(extra_work=frozenset({dt.date(2026, 2, 20)}))
    assert D.due_at(received_at=t(2026, 2, 13, 10), minutes=DAY, cal=cal) == t(2026, 2, 20, 10)


def test_supplement_pause():
    # 3 days from Mon 02/03 09:00 → Thu 05/03 09:00 without a pause.
    # Paused Tue 03/03 10:00 → Thu 05/03 15:00: 360 + 480 + 360 = 1200 working minutes.
    # 1440 + 1200 from Mon 09:00: Mon 420, Tue–Fri 4×480 → 300 left on Mon 09/03 → 14:00.
    received = t(2026, 3, 2, 9)
    pauses = [(t(2026, 3, 3, 10), t(2026, 3, 5, 15))]
    assert D.paused_minutes(pauses) == 1200
    assert D.due_at(received_at=received, minutes=3 * DAY) == t(2026, 3, 5, 9)
    assert D.due_at(received_at=received, minutes=3 * DAY, pauses=pauses) == t(2026, 3, 9, 14)


def test_supplement_pause_across_tet_2026():
    # 2 days from Thu 12/02/2026 09:00; 120 min used before the pause (09–11),
    # paused until Mon 23/02 10:00; 840 left: Mon 10–17 = 360, Tue 24/02 480 → 17:00.
    received = t(2026, 2, 12, 9)
    pauses = [(t(2026, 2, 12, 11), t(2026, 2, 23, 10))]
    assert D.due_at(received_at=received, minutes=2 * DAY, pauses=pauses) == t(2026, 2, 24, 17)


def test_open_pause_runs_until_now():
    received = t(2026, 3, 2, 9)
    pauses = [(t(2026, 3, 2, 10), None)]
    # paused one working hour so far (10:00–11:00)
    due = D.due_at(received_at=received, minutes=DAY, pauses=pauses, now=t(2026, 3, 2, 11))
    assert due == t(2026, 3, 3, 10)
    with pytest.raises(ValueError):
        D.due_at(received_at=received, minutes=DAY, pauses=pauses)


def test_pause_before_clock_start_is_ignored():
    # received on Saturday; a pause on Saturday does not move the deadline
    pauses = [(t(2026, 3, 7, 9), t(2026, 3, 7, 11))]
    assert D.due_at(received_at=t(2026, 3, 7, 8), minutes=DAY, pauses=pauses) == t(2026, 3, 9, 17)


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
