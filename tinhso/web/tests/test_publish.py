"""Platform data published through the data app: org units valid today, the procedure
catalogue and anonymised service statistics by unit and month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from tinhso.data.models import Dataset, DatastoreRow, DatastoreTable, Resource
from tinhso.orgs.selectors import orgunit_get, orgunit_list

pytestmark = pytest.mark.django_db

NAMES = ["danh-muc-co-quan-don-vi", "danh-muc-thu-tuc-hanh-chinh", "thong-ke-ho-so-theo-thang"]


@pytest.fixture
def services_data(demo_users: None) -> None:
    from tinhso.services.models import (
        Procedure,
        ProcedureChannel,
        ProcedureField,
        ServiceDailyStat,
    )

    field = ProcedureField.objects.create(name="Hộ tịch")
    p1 = Procedure.objects.create(
        code="1.000001",
        name="Đăng ký khai sinh",
        field=field,
        levels=",commune,",
        service_class="full",
    )
    ProcedureChannel.objects.create(
        procedure=p1,
        channel=1,
        time_value=Decimal("1"),
        time_unit="working_day",
        fee_is_free=True,
    )
    ProcedureChannel.objects.create(
        procedure=p1,
        channel=2,
        time_value=Decimal("0.5"),
        time_unit="working_day",
        fee_is_free=True,
        order=1,
    )
    p2 = Procedure.objects.create(
        code="2.000002",
        name="Cấp giấy phép xây dựng",
        levels=",district,",
        service_class="partial",
    )
    ProcedureChannel.objects.create(
        procedure=p2,
        channel=1,
        time_value=Decimal("15"),
        time_value_max=Decimal("20"),
        time_unit="working_day",
        fee_amount=75000,
        fee_amount_max=150000,
    )
    Procedure.objects.create(code="3.000003", name="Thủ tục đã bãi bỏ", is_active=False)
    dian, thuanan = orgunit_get(code="724"), orgunit_get(code="725")
    for unit, day, proc, received, online, done, late in [
        (dian, dt.date(2026, 9, 3), "1.000001", 5, 4, 3, 1),
        (dian, dt.date(2026, 9, 20), "2.000002", 2, 0, 2, 0),
        (dian, dt.date(2026, 10, 1), "1.000001", 7, 7, 6, 0),
        (thuanan, dt.date(2026, 9, 5), "1.000001", 1, 1, 1, 1),
    ]:
        ServiceDailyStat.objects.create(
            org_unit=unit,
            procedure_code=proc,
            day=day,
            received_total=received,
            received_online=online,
            finished_total=done,
            finished_late=late,
            finished_on_time=done - late,
        )


def rows_of(name: str) -> list[dict]:
    res = Resource.objects.filter(dataset__name=name).get()
    table = DatastoreTable.objects.get(resource=res, is_current=True)
    return [r.data for r in DatastoreRow.objects.filter(table=table).order_by("row_no")]


def test_publish_creates_three_public_datasets_owned_by_the_province(services_data):
    out = StringIO()
    call_command("publish_platform_data", stdout=out)
    datasets = {d.name: d for d in Dataset.objects.filter(name__in=NAMES)}
    assert sorted(datasets) == sorted(NAMES)
    province = orgunit_get(code="74")
    for ds in datasets.values():
        assert ds.org_unit == province and ds.access_level == "public" and not ds.is_demo
        assert ds.resources.count() == 1 and ds.resources.get().datastore_active
    assert "tạo mới" in out.getvalue()
    stats = datasets["thong-ke-ho-so-theo-thang"]
    assert (stats.temporal_start, stats.temporal_end) == (dt.date(2026, 9, 3), dt.date(2026, 10, 1))


def test_org_units_rows_match_units_valid_today(services_data):
    call_command("publish_platform_data", stdout=StringIO())
    rows = rows_of("danh-muc-co-quan-don-vi")
    units = list(orgunit_list().select_related("parent").order_by("path"))
    assert [r["ma"] for r in rows] == [u.code for u in units]
    by_code = {r["ma"]: r for r in rows}
    assert by_code["724"]["ten"] == orgunit_get(code="724").name
    assert by_code["724"]["ma_don_vi_cap_tren"] == "74" and by_code["724"]["cap"] == 2


def test_procedure_rows_match_the_catalogue(services_data):
    call_command("publish_platform_data", stdout=StringIO())
    rows = rows_of("danh-muc-thu-tuc-hanh-chinh")
    assert [r["ma_thu_tuc"] for r in rows] == ["1.000001", "2.000002"]  # inactive left out
    birth, build = rows
    assert birth["linh_vuc"] == "Hộ tịch" and birth["cap_thuc_hien"] == "Cấp xã"
    assert birth["dich_vu_cong_truc_tuyen"] == "Toàn trình" and birth["mien_phi"] is True
    assert birth["thoi_han_giai_quyet"] == (
        "Trực tiếp: 1 ngày làm việc; Trực tuyến: 0,5 ngày làm việc"
    )
    assert build["phi_le_phi_thap_nhat_dong"] == 75000
    assert build["phi_le_phi_cao_nhat_dong"] == 150000 and build["mien_phi"] is False
    assert build["thoi_han_giai_quyet"] == "Trực tiếp: 15–20 ngày làm việc"


def test_statistics_are_aggregated_by_unit_and_month_without_personal_data(services_data):
    call_command("publish_platform_data", stdout=StringIO())
    rows = rows_of("thong-ke-ho-so-theo-thang")
    got = [(r["ma_don_vi"], r["thang"], r["tiep_nhan"], r["da_giai_quyet"]) for r in rows]
    assert got == [("724", "2026-09", 7, 5), ("725", "2026-09", 1, 1), ("724", "2026-10", 7, 6)]
    assert rows[0]["tiep_nhan_truc_tuyen"] == 4 and rows[0]["giai_quyet_tre_han"] == 1
    assert set(rows[0]) == {
        "ma_don_vi",
        "ten_don_vi",
        "thang",
        "tiep_nhan",
        "tiep_nhan_truc_tuyen",
        "tiep_nhan_truc_tiep",
        "tiep_nhan_qua_buu_chinh",
        "tu_choi_tiep_nhan",
        "rut_ho_so",
        "da_giai_quyet",
        "giai_quyet_som_han",
        "giai_quyet_dung_han",
        "giai_quyet_tre_han",
        "ket_qua_dien_tu",
    }  # no procedure, dossier or applicant columns


def test_second_run_does_not_duplicate_and_changes_make_a_new_version(services_data):
    from tinhso.services.models import ServiceDailyStat

    call_command("publish_platform_data", stdout=StringIO())
    out = StringIO()
    call_command("publish_platform_data", stdout=out)
    assert Dataset.objects.filter(name__in=NAMES).count() == 3
    assert Resource.objects.filter(dataset__name__in=NAMES).count() == 3
    assert all(f"{name}: không đổi" in out.getvalue() for name in NAMES)
    assert set(
        DatastoreTable.objects.filter(resource__dataset__name__in=NAMES).values_list(
            "version", flat=True
        )
    ) == {1}
    ServiceDailyStat.objects.filter(day=dt.date(2026, 10, 1)).update(received_total=9)
    call_command("publish_platform_data", stdout=StringIO())
    table = DatastoreTable.objects.get(
        resource__dataset__name="thong-ke-ho-so-theo-thang", is_current=True
    )
    assert (
        table.version == 2
        and DatastoreTable.objects.filter(
            resource__dataset__name="thong-ke-ho-so-theo-thang"
        ).count()
        == 1
    )
    assert rows_of("thong-ke-ho-so-theo-thang")[-1]["tiep_nhan"] == 9
    assert Resource.objects.filter(dataset__name__in=NAMES).count() == 3


def test_takes_over_the_invented_demo_statistics_and_keeps_its_grant(services_data):
    from tinhso.data.demo import demo_load as data_demo
    from tinhso.data.models import Grant

    data_demo()
    before = Dataset.objects.get(name="thong-ke-ho-so-theo-thang")
    assert before.is_demo
    grant = Grant.objects.get(dataset=before, resource__isnull=False)
    call_command("load_demo", stdout=StringIO())  # runs the web step after the data demo
    after = Dataset.objects.get(name="thong-ke-ho-so-theo-thang")
    assert after.pk == before.pk and not after.is_demo
    assert after.org_unit == orgunit_get(code="74")
    assert after.resources.count() == 1 and after.resources.get().pk == grant.resource_id
    from tinhso.web.platform_data import stats_queryset

    rows = rows_of("thong-ke-ho-so-theo-thang")
    source = list(stats_queryset())
    assert len(rows) == len(source) and len(rows) >= 3
    assert sum(r["tiep_nhan"] for r in rows) == sum(s["received_total"] for s in source)
    # and it is open data through the CKAN API
    from django.test import Client

    names = Client().get("/api/3/action/package_list").json()["result"]
    assert set(NAMES) <= set(names)


def test_unknown_owner_is_a_clear_error(services_data):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có đơn vị mã KHONG-CO"):
        call_command("publish_platform_data", "--owner", "KHONG-CO", stdout=StringIO())
    assert not Dataset.objects.exists()
