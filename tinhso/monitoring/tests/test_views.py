"""Dashboards, public pages and the API; the dashboard's cost does not grow with data."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.utils import timezone

from tinhso.monitoring.methodologies import DTI922, QD766
from tinhso.monitoring.models import Methodology, ReportedValue, Target
from tinhso.monitoring.services import index_compute, target_set

from .conftest import stat, unit

QUERY_BUDGET = 16  # measured: 15, whatever the amount of statistics


def _data(catalogue, days: int, first_unit: int = 0):
    """Statistics for some districts and departments, plus accepted reported values."""
    units = [unit(c, timezone.localdate()) for c in ("718", "724", "725", "74.STTTT", "74.STP")]
    for u in units:
        for i in range(days):
            stat(
                u,
                dt.date(2024, 1, 1) + dt.timedelta(days=first_unit + i * 3),
                received_total=10,
                received_online=7,
                finished_total=9,
                finished_on_time=8,
                fees_total=4,
                fees_online=3,
                ratings_total=3,
                ratings_satisfied=3,
            )
    ind = catalogue["HSCV_TRUC_TUYEN"]
    for u in units:
        if u.code.startswith("74."):
            continue
        ReportedValue.objects.get_or_create(
            indicator=ind,
            org_unit=u,
            subject=u,
            period=f"2024-Q{1 + first_unit % 4}",
            defaults={
                "period_type": "quarter",
                "year": 2024,
                "value": D(90),
                "numerator": D(90),
                "denominator": D(100),
                "status": "accepted",
                "is_demo": True,
            },
        )
    for code in (QD766, DTI922):
        index_compute(actor=None, methodology=Methodology.objects.get(code=code), year=2024)


def test_overview_shows_values_targets_and_lights(client, catalogue):
    _data(catalogue, days=5)
    resp = client.get("/chuyen-doi-so/?nam=2024")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến" in html
    assert "70%" in html  # 7 / 10 online, Vietnamese format
    assert "&gt;= 75%" in html and "2025" in html  # the next target (2025 plan)
    assert 'class="light light-' in html
    assert '<svg class="district-map"' in html and "Thành phố Dĩ An" in html
    assert 'id="trend-data"' in html and "<canvas" in html
    assert "style=" not in html.split("<main", 1)[1]  # CSP: no inline styles


def test_overview_query_count_does_not_grow_with_data(
    client, catalogue, django_assert_max_num_queries, django_assert_num_queries
):
    # the figures are computed (cache emptied before each request): the uncached cost
    _data(catalogue, days=3)
    cache.clear()
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get("/chuyen-doi-so/?nam=2024").status_code == 200
    _data(catalogue, days=60, first_unit=1)  # 20× more statistics and more reports
    cache.clear()
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get("/chuyen-doi-so/?nam=2024").status_code == 200
    # cached: the page reads only the province and the cache (the year is asked for)
    with django_assert_num_queries(1):
        assert client.get("/chuyen-doi-so/?nam=2024").status_code == 200


def test_overview_cache_is_refreshed_by_a_monitoring_write(
    client, catalogue, django_capture_on_commit_callbacks
):
    _data(catalogue, days=3)
    province = unit("74", timezone.localdate())
    indicator = catalogue["HS_TRUC_TUYEN"]  # the province's 2025 target: >= 75%
    assert "&gt;= 75%" in client.get("/chuyen-doi-so/?nam=2024").content.decode()
    # a write outside the monitoring services is not seen while the cache holds
    Target.objects.filter(indicator=indicator, org_unit=province, year=2025).update(value=D(77))
    html = client.get("/chuyen-doi-so/?nam=2024").content.decode()
    assert "&gt;= 75%" in html and "&gt;= 77%" not in html
    # the monitoring services make the cached figures stale once they commit
    with django_capture_on_commit_callbacks(execute=True):
        target_set(actor=None, indicator=indicator, org_unit=province, year=2025, value=83)
    html = client.get("/chuyen-doi-so/?nam=2024").content.decode()
    assert "&gt;= 83%" in html and "&gt;= 75%" not in html


def test_overview_cache_is_per_language(client, catalogue):
    _data(catalogue, days=3)
    # the pillar names are part of the cached figures
    assert ">Chính quyền số</a>" in client.get("/chuyen-doi-so/?nam=2024").content.decode()
    client.cookies["tinhso_language"] = "en"
    html = client.get("/chuyen-doi-so/?nam=2024").content.decode()
    assert ">Digital government</a>" in html and ">Chính quyền số</a>" not in html
    client.cookies["tinhso_language"] = "vi"
    assert ">Chính quyền số</a>" in client.get("/chuyen-doi-so/?nam=2024").content.decode()


def test_public_pages(client, catalogue):
    _data(catalogue, days=3)
    dian = unit("724", timezone.localdate())
    for url in (
        "/chuyen-doi-so/minh-bach/",
        f"/chuyen-doi-so/chi-so/{QD766}/",
        f"/chuyen-doi-so/chi-so/{DTI922}/?nam=2024",
        f"/chuyen-doi-so/don-vi/{dian.pk}/?nam=2024",
        "/chuyen-doi-so/nhiem-vu/",
        "/chuyen-doi-so/chi-tieu/KTS_GRDP/",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
    # the page opens on the current year; the data here are 2024's
    html = client.get("/chuyen-doi-so/minh-bach/?nam=2024").content.decode()
    assert "UBND thành phố Dĩ An" in html and "Sở Thông tin và Truyền thông" in html
    assert "88,9%" in html  # on time 8 / 9
    # reports are not public
    assert client.get("/chuyen-doi-so/bao-cao/").status_code == 302


def test_index_drill_down(client, catalogue, user_named):
    _data(catalogue, days=3)
    from tinhso.monitoring.models import IndexResult

    r = IndexResult.objects.get(methodology__code=DTI922, org_unit__code="724", period="2024")
    html = client.get(f"/chuyen-doi-so/chi-so/ket-qua/{r.pk}/").content.decode()
    assert "Chính quyền số" in html and "CQ1" in html and "báo cáo kỳ 2024-Q1" in html


def test_api(client, catalogue):
    _data(catalogue, days=3)
    codes = {i["code"] for i in client.get("/api/v1/monitoring/indicators").json()}
    assert {"KTS_GRDP", "HSCV_TRUC_TUYEN", "DVC_NGUOI_LON"} <= codes
    one = client.get("/api/v1/monitoring/indicators/HSCV_TRUC_TUYEN").json()
    assert one["method"] == "reported" and "724" in one["responsible_units"]
    assert client.get("/api/v1/monitoring/indicators/NOPE").json()["code"] == "indicator_not_found"
    targets = client.get("/api/v1/monitoring/targets?indicator=KTS_GRDP&unit=74").json()
    assert D(str({t["year"]: t["value"] for t in targets}[2030])) == D(30)
    ReportedValue.objects.filter(org_unit__code="718").update(status="submitted")
    values = client.get("/api/v1/monitoring/values?indicator=HSCV_TRUC_TUYEN").json()
    assert {v["org_unit"] for v in values} == {"724", "725"}  # anonymous: accepted only
    results = client.get(f"/api/v1/monitoring/index-results?methodology={QD766}&period=2024").json()
    assert results and all(0 <= float(r["score"]) <= 1 for r in results)
    detail = client.get(f"/api/v1/monitoring/index-results/{results[0]['id']}").json()
    # version 2: 18 criteria, 8 measured (the digitisation group from the document store);
    # each says its basis, definition and source
    assert len(detail["components"]) == 18
    assert sum(c["measured"] for c in detail["components"]) == 8
    assert all(c["basis"] and c["definition"] and c["source"] for c in detail["components"])
    assert D(str(detail["measured_max"])) == D(49)  # 44 + C3 (reused parts), 5 points
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/monitoring/index-results" in schema["paths"]


def test_reports_page_and_entry_form(client, catalogue, user_named):
    client.force_login(user_named("canbo.dian"))
    html = client.get("/chuyen-doi-so/bao-cao/").content.decode()
    assert "/chuyen-doi-so/bao-cao/nhap/HSCV_TRUC_TUYEN/" in html
    assert "/chuyen-doi-so/bao-cao/nhap/KTS_GRDP/" not in html  # not Dĩ An's to report
    assert client.get("/chuyen-doi-so/bao-cao/nhap/KTS_GRDP/").status_code == 403
    resp = client.post(
        "/chuyen-doi-so/bao-cao/nhap/HSCV_TRUC_TUYEN/",
        {
            "org_unit": unit("724", timezone.localdate()).pk,
            "period": "2025-Q1",
            "numerator": "120",
            "denominator": "100",
        },
    )
    assert resp.status_code == 200 and "Tử số không được lớn hơn mẫu số" in resp.content.decode()
    assert not ReportedValue.objects.exists()


@pytest.mark.parametrize("username", ["vanphong.cds", "lanhdao.dian"])
def test_late_page_and_panel(client, catalogue, user_named, username):
    client.force_login(user_named(username))
    resp = client.get("/chuyen-doi-so/bao-cao/tre-han/?nam=2025")
    assert resp.status_code == 200
    assert "UBND thành phố Dĩ An" in resp.content.decode()
    html = client.get("/trang-cua-toi/").content.decode()
    assert "Chuyển đổi số" in html and "Chờ lãnh đạo duyệt" in html
