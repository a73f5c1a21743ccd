"""Dashboards open on now (issue 15, item 8): the current year by default, each indicator
over time, by unit and against its target ("no data" is not "no target"), and the Excel
export's target column and counts."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tinhso.monitoring.excel import report_workbook
from tinhso.monitoring.models import ReportedValue, Target
from tinhso.monitoring.selectors import S, progress_compute
from tinhso.monitoring.services import value_save

from .conftest import pdf_upload, unit

pytestmark = pytest.mark.django_db


def _accepted(actor, indicator, unit_code, period, **values):
    v = value_save(
        actor=actor,
        indicator=indicator,
        org_unit=unit(unit_code, timezone.localdate()),
        period=period,
        evidence=[pdf_upload()],
        **values,
    )
    ReportedValue.objects.filter(pk=v.pk).update(status=S.ACCEPTED)
    return v


def test_overview_and_transparency_open_on_the_current_year(client, catalogue, user_named):
    # accepted values exist only for an earlier year: the pages still open on now
    _accepted(user_named("canbo.dian"), catalogue["TUYEN_TRUYEN"], "724", "2024-Q2", value=3)
    this_year = timezone.localdate().year
    assert client.get("/chuyen-doi-so/").context["year"] == this_year
    assert client.get("/minh-bach/").context["period"] == str(this_year)
    assert client.get("/minh-bach/?nam=2024").context["period"] == "2024"
    assert client.get("/chuyen-doi-so/?nam=2024").context["year"] == 2024


def test_no_data_is_not_no_target(catalogue):
    ind = catalogue["HSCV_TRUC_TUYEN"]
    target = Target(indicator=ind, year=2025, value=D(80), comparator=">=")
    assert progress_compute(indicator=ind, value=None, target=target) == (None, "none")
    assert progress_compute(indicator=ind, value=D(50), target=None) == (None, "no_target")
    assert progress_compute(indicator=ind, value=D(90), target=target)[1] == "green"


def test_indicator_page_over_time_by_unit_against_target(client, catalogue, user_named):
    ind = catalogue["TUYEN_TRUYEN"]  # a count reported by units
    officer = user_named("canbo.dian")
    _accepted(officer, ind, "724", "2024-Q2", value=3)
    _accepted(officer, ind, "724", "2025-Q1", value=5)
    dian = unit("724", timezone.localdate())
    Target.objects.update_or_create(
        indicator=ind, org_unit=dian, year=2025, defaults={"value": D(4), "comparator": ">="}
    )
    r = client.get(f"/chuyen-doi-so/chi-tieu/{ind.code}/?nam=2025")
    assert r.status_code == 200
    history = {h.year: h.row for h in r.context["history"]}
    assert list(history) == list(range(2022, timezone.localdate().year + 1))
    by_unit = {u.unit.code: u.row for u in r.context["by_unit"]}
    assert by_unit["724"].value.value == D(5) and by_unit["724"].light == "green"
    assert by_unit["724"].target.value == D(4)
    others = [row for code, row in by_unit.items() if code != "724"]
    assert others and all(row.light == "none" for row in others)  # no data, not "no target"
    html = r.content.decode()
    assert "Chưa có số liệu" in html and "Theo đơn vị, năm 2025" in html
    # a value without any target says so, distinctly
    Target.objects.filter(indicator=ind, org_unit=dian).delete()
    r = client.get(f"/chuyen-doi-so/chi-tieu/{ind.code}/?nam=2025")
    row = {u.unit.code: u.row for u in r.context["by_unit"]}["724"]
    assert row.light == "no_target" and row.light_label == "Chưa giao chỉ tiêu"


def test_excel_export_fills_targets_and_keeps_counts(catalogue, user_named):
    officer = user_named("canbo.dian")
    ind = catalogue["TUYEN_TRUYEN"]
    _accepted(officer, ind, "724", "2025-Q2", value=3)
    dian = unit("724", timezone.localdate())
    Target.objects.update_or_create(
        indicator=ind, org_unit=dian, year=2025, defaults={"value": D(4), "comparator": ">="}
    )
    province = unit("74", timezone.localdate())
    rate = catalogue["HSCV_TRUC_TUYEN"]
    Target.objects.update_or_create(
        indicator=rate, org_unit=province, year=2030, defaults={"value": D(100)}
    )
    Target.objects.filter(indicator=rate, org_unit=province, year__lt=2030).delete()
    wb = load_workbook(
        io.BytesIO(report_workbook(user=officer, year=2025, province=province)), data_only=False
    )
    rows = {
        (row[0], row[2], row[4]): row
        for ws in wb.worksheets
        for row in ws.iter_rows(min_row=2, values_only=True)
    }
    count_row = rows[("TUYEN_TRUYEN", "724", "2025-Q2")]
    assert count_row[7] == 3  # the count as reported, not ×100
    assert count_row[8] == 4  # the unit's own target
    # a rate: the province's next milestone (2030) judges each unit
    assert rows[("HSCV_TRUC_TUYEN", "724", "2025-Q1")][8] == 100
