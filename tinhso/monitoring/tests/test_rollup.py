"""Roll-up of the services aggregates over the hierarchy valid on a date, before and after
the 1 July 2025 reorganisation; query counts that do not grow with the data."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.utils import timezone

from tinhso.monitoring import rollup
from tinhso.monitoring.rollup import metric_value, service_counters, service_counters_by_unit
from tinhso.orgs.models import Population
from tinhso.orgs.services import reorganisation_apply

from .conftest import stat, unit

SPLITS = settings.SHARED_DIR / "data/dvhcvn/binh-duong-splits-2025-07-01.json"
BEFORE = dt.date(2024, 6, 1)
AFTER = dt.date(2025, 8, 1)
Y2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.fixture
def history(demo_orgs):
    """2024 statistics received by old units of Thủ Dầu Một and by a department."""
    stat(unit("25747"), dt.date(2024, 3, 1), received_total=10, received_online=5)  # Phú Cường
    stat(unit("25744"), dt.date(2024, 3, 1), received_total=20, received_online=10)  # Phú Lợi
    stat(unit("25741"), dt.date(2024, 3, 2), received_total=40, received_online=40)  # Hiệp Thành
    stat(unit("718"), dt.date(2024, 4, 1), received_total=100, received_online=50)  # TP TDM
    stat(unit("74.STTTT"), dt.date(2024, 5, 1), received_total=7, received_online=0)
    stat(unit("724"), dt.date(2023, 5, 1), received_total=1000)  # another year


def test_rollup_before_reorganisation(history):
    tdm, province, phu_cuong = unit("718"), unit("74"), unit("25747")
    out = service_counters(
        units=[tdm, province, phu_cuong], start=Y2024[0], end=Y2024[1], on=BEFORE
    )
    assert out[tdm.pk]["received_total"] == 170
    assert out[tdm.pk]["received_online"] == 105
    assert out[province.pk]["received_total"] == 177
    assert out[phu_cuong.pk]["received_total"] == 10
    ratio = metric_value(key="online_submission", unit=tdm, start=Y2024[0], end=Y2024[1], on=BEFORE)
    assert ratio.value == D("61.76")  # 105 / 170


def test_rollup_after_reorganisation_under_new_boundaries(history):
    reorganisation_apply(path=SPLITS, on=dt.date(2025, 7, 1))
    hcm = unit("79", AFTER)
    new_tdm = unit("25747", AFTER)  # Phường Thủ Dầu Một (new) ← Phú Cường + part of Hiệp Thành
    new_phu_loi = unit("25750", AFTER)  # Phường Phú Lợi (new) ← Phú Lợi + part of Hiệp Thành
    assert new_tdm.name == "Phường Thủ Dầu Một"
    out = service_counters(
        units=[hcm, new_tdm, new_phu_loi], start=Y2024[0], end=Y2024[1], on=AFTER
    )
    # one successor: the data follows the unit
    assert out[new_tdm.pk]["received_total"] == 10
    assert out[new_phu_loi.pk]["received_total"] == 20
    # Hiệp Thành split in two: its 40 dossiers go to the common parent, never counted twice
    # the abolished district and the closed department follow their parent (→ the new city)
    assert out[hcm.pk]["received_total"] == 177
    by_path = service_counters_by_unit(start=Y2024[0], end=Y2024[1], on=AFTER)
    assert by_path[hcm.path]["received_total"] == 40 + 100 + 7
    assert sum(c["received_total"] for c in by_path.values()) == 177
    # and the same 2024 data is still reportable under the old boundaries
    old = service_counters(units=[unit("718"), unit("74")], start=Y2024[0], end=Y2024[1], on=BEFORE)
    assert old[unit("718").pk]["received_total"] == 170
    assert old[unit("74").pk]["received_total"] == 177


def test_new_units_data_viewed_under_old_boundaries(history):
    reorganisation_apply(path=SPLITS, on=dt.date(2025, 7, 1))
    stat(unit("25750", AFTER), dt.date(2025, 8, 5), received_total=9)  # new Phú Lợi
    old_phu_loi = unit("25744")
    out = service_counters(
        units=[old_phu_loi, unit("718")],
        start=dt.date(2025, 8, 1),
        end=dt.date(2025, 8, 31),
        on=BEFORE,
    )
    # the new ward came from old Phú Lợi and part of Hiệp Thành (both in Thủ Dầu Một)
    assert out[unit("718").pk]["received_total"] == 9
    assert out[old_phu_loi.pk]["received_total"] == 0


def test_rollup_query_count_does_not_grow_with_data(history, django_assert_max_num_queries):
    reorganisation_apply(path=SPLITS, on=dt.date(2025, 7, 1))
    hcm = unit("79", AFTER)

    def run():
        return service_counters(units=[hcm], start=Y2024[0], end=Y2024[1], on=AFTER)

    with django_assert_max_num_queries(6):
        first = run()[hcm.pk]["received_total"]
    for i in range(60):
        stat(unit("725"), dt.date(2024, 1, 1) + dt.timedelta(days=i), received_total=1)
    with django_assert_max_num_queries(6):
        assert run()[hcm.pk]["received_total"] == first + 60


def test_full_process_share_tolerates_missing_services_selector(demo_orgs, monkeypatch):
    dian = unit("724", timezone.localdate())
    monkeypatch.setattr(rollup, "procedure_counts", lambda *, on: None)
    assert rollup.full_process_share(units=[dian], on=timezone.localdate())[dian.pk] is None
    ward = unit("25942", timezone.localdate())
    monkeypatch.setattr(
        rollup,
        "procedure_counts",
        lambda *, on: {
            dian.pk: {"total": 10, "full_process": 9},
            ward.pk: {"total": 10, "full_process": 5},
        },
    )
    share = rollup.full_process_share(units=[dian, ward], on=timezone.localdate())
    assert share[dian.pk].value == D("70.00")  # (9 + 5) / (10 + 10), the ward is inside Dĩ An
    assert share[ward.pk].value == D("50.00")


def test_procedure_counts_reads_the_services_selector_when_present(demo_orgs):
    result = rollup.procedure_counts(on=timezone.localdate())
    try:
        from tinhso.services.selectors import procedure_counts_by_agency  # noqa: F401
    except (ImportError, AttributeError):
        assert result is None
    else:
        assert isinstance(result, dict)


def test_adults_using_online_services(demo_orgs, django_user_model):
    dian, ward = unit("724", timezone.localdate()), unit("25942", timezone.localdate())
    assert rollup.adults_online_share(unit=dian, year=2024) is None  # no population entered
    Population.objects.create(org_unit=dian, year=2024, total=500, adults=400, is_demo=True)
    people = [
        django_user_model.objects.create(
            username=f"u{i}", kind="citizen", citizen_id=f"0741{i:08d}"
        )
        for i in range(3)
    ]
    # the services' write path (the applicant-year row and the subtree counters)
    from tinhso.services.services import _applicant_year_note

    def note(org_unit, year, person):
        at = dt.datetime(year, 6, 1, 3, tzinfo=dt.UTC)
        _applicant_year_note(org_unit_id=org_unit.pk, applicant_id=person.pk, at=at)

    note(dian, 2024, people[0])
    note(ward, 2024, people[0])  # same person
    note(ward, 2024, people[1])
    note(ward, 2023, people[2])
    share = rollup.adults_online_share(unit=dian, year=2024)
    assert (share.numerator, share.denominator, share.value) == (2, 400, D("0.50"))


def test_ranges_mix_whole_months_and_partial_months_exactly(demo_orgs):
    """Whole months come from the monthly table, partial months from the daily rows: every
    range gives the sum of exactly the days inside it."""
    province, dian = unit("74"), unit("724")
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(0, 100, 3)]
    for i, day in enumerate(days):
        stat(dian, day, received_total=i + 1, received_online=i % 2)
    ranges = [
        Y2024,
        (dt.date(2024, 1, 15), dt.date(2024, 3, 10)),  # partial + whole + partial
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # one whole month
        (dt.date(2024, 2, 3), dt.date(2024, 2, 20)),  # inside one month
        (dt.date(2024, 1, 31), dt.date(2024, 2, 1)),  # two partial months
        (dt.date(2024, 3, 1), dt.date(2024, 4, 30)),
    ]
    for start, end in ranges:
        expected = sum(i + 1 for i, d in enumerate(days) if start <= d <= end)
        got = service_counters(units=[province, dian], start=start, end=end, on=BEFORE)
        assert got[province.pk]["received_total"] == expected, (start, end)
        assert got[dian.pk]["received_total"] == expected, (start, end)
    months = rollup.service_counters_monthly(
        unit=province, start=dt.date(2024, 1, 15), end=dt.date(2024, 3, 10), on=BEFORE
    )
    assert [m for m, _c in months] == [
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
        dt.date(2024, 3, 1),
    ]
    for m, c in months:
        lo, hi = max(m, dt.date(2024, 1, 15)), min(rollup._next_month(m), dt.date(2024, 3, 11))
        assert c["received_total"] == sum(i + 1 for i, d in enumerate(days) if lo <= d < hi)


def test_whole_months_are_read_from_the_monthly_table(demo_orgs):
    from tinhso.services.models import ServiceDailyStat, ServiceMonthlyStat

    dian = unit("724")
    stat(dian, dt.date(2024, 3, 4), received_total=5)
    stat(dian, dt.date(2024, 4, 4), received_total=7)
    # the dashboards' cost does not depend on the daily rows for whole months: prove the read
    # path by making the two tables disagree (they never do outside this test)
    ServiceDailyStat.objects.update(received_total=1000)
    ServiceMonthlyStat.objects.filter(month=dt.date(2024, 3, 1)).update(received_total=50)
    whole = service_counters(units=[dian], start=Y2024[0], end=Y2024[1], on=BEFORE)[dian.pk]
    assert whole["received_total"] == 57  # 50 + 7, both from the monthly rows
    part = service_counters(
        units=[dian], start=dt.date(2024, 3, 2), end=dt.date(2024, 4, 30), on=BEFORE
    )[dian.pk]
    assert part["received_total"] == 1007  # March partial from the days, April whole
