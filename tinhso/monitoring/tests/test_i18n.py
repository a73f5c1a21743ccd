"""What the monitoring platform writes itself comes out in the user's language: validation
errors, Excel import errors, metric names, period labels, API errors, and the texts it stores
(a criterion's detail, an interpolated target's source), which are stored in Vietnamese and
translated when shown. The Excel template's column headers are a data format and stay
Vietnamese, so a workbook exported in English imports in Vietnamese."""

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from tinhso.monitoring import rollup
from tinhso.monitoring.excel import AUTO, HEADERS, report_import, report_workbook
from tinhso.monitoring.methodologies import DTI922
from tinhso.monitoring.models import ComponentResult, Methodology, ReportedValue, Target
from tinhso.monitoring.periods import Period, period_parse
from tinhso.monitoring.services import index_compute, target_path_interpolate, value_validate
from tinhso.monitoring.stored import DETAIL_PERIOD, stored_display, stored_text

from .conftest import unit


@pytest.fixture(autouse=True)
def default_language():
    """The default language (a request's middleware leaves its language active)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def officer(user_named, catalogue):
    return user_named("canbo.dian")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_value_validation_errors_follow_the_language(catalogue):
    ind = catalogue["KTS_GRDP"]  # a yearly percentage
    dian = unit("724", timezone.localdate())

    def check(**kwargs) -> str:
        with pytest.raises(ValidationError) as exc:
            value_validate(indicator=ind, org_unit=dian, previous_value=None, **kwargs)
        return _errors(exc.value)

    year, quarter = Period(2024, "year"), Period(2024, "quarter", 3)
    assert check(period=year, value="130") == "Tỷ lệ phải trong khoảng 0–100%."
    assert "không theo kỳ 2024-Q3" in check(period=quarter, value="10")
    with translation.override("en"):
        assert check(period=year, value="130") == "A percentage must be between 0 and 100%."
        assert check(period=year, numerator="5") == (
            "Enter both the numerator and the denominator."
        )
        # named placeholders: the English puts the indicator's code first
        assert check(period=quarter, value="10").startswith(f"Indicator {ind.code} is reported")
        assert check(period=year, value="abc") == "“abc” is not a number."
        with pytest.raises(ValidationError) as exc:
            period_parse("2024-Q5")
        assert _errors(exc.value).startswith("Invalid reporting period: “2024-Q5”")


def test_excel_import_errors_follow_the_language(officer):
    wb = Workbook()
    ws = wb.active
    ws.title = "Trang 1"
    ws.append(HEADERS)
    ws.append(["KHONG_CO", "?", "724", "", "2025", None, None, 1])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    vi = report_import(user=officer, file=io.BytesIO(data)).errors
    assert vi == ["Trang “Trang 1”, dòng 2: không có chỉ tiêu mã “KHONG_CO”."]
    with translation.override("en"):
        en = report_import(user=officer, file=io.BytesIO(data)).errors
        junk = report_import(user=officer, file=io.BytesIO(b"not an excel file")).errors
    assert en == ["Sheet “Trang 1”, row 2: there is no indicator with the code “KHONG_CO”."]
    assert junk[0].startswith("Could not read the Excel file:")


def test_workbook_exported_in_english_keeps_its_headers_and_imports_in_vietnamese(officer):
    province = unit("74", timezone.localdate())
    with translation.override("en"):
        data = report_workbook(user=officer, year=2025, province=province)
    wb = load_workbook(io.BytesIO(data))
    assert "Digital government" in wb.sheetnames  # sheet titles are for reading
    ws = wb["Digital government"]
    assert [c.value for c in ws[1]] == HEADERS  # the headers are the data format
    statuses = {ws.cell(r, 11).value for r in range(2, ws.max_row + 1)}
    assert AUTO in statuses and "Not entered" in statuses
    row = next(
        r
        for r in range(2, ws.max_row + 1)
        if (ws.cell(r, 1).value, ws.cell(r, 5).value) == ("HSCV_TRUC_TUYEN", "2025-Q1")
    )
    ws.cell(row, 6).value, ws.cell(row, 7).value = 80, 100
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    with translation.override("vi"):
        result = report_import(user=officer, file=buf)
    assert result.errors == [] and result.created == 1
    assert ReportedValue.objects.get(indicator__code="HSCV_TRUC_TUYEN").period == "2025-Q1"


def test_metric_names_period_labels_and_map_follow_the_language():
    from tinhso.monitoring.svgmap import legend

    assert str(rollup.METRIC_NAMES["online_submission"]) == "Tỷ lệ hồ sơ nộp trực tuyến"
    assert Period(2024, "quarter", 1).label == "Quý 1/2024"
    with translation.override("en"):
        assert str(rollup.METRIC_NAMES["online_submission"]) == (
            "Share of dossiers submitted online"
        )
        assert str(rollup.METRICS["on_time"].name) == "Share of dossiers handled on time"
        assert str(rollup.METRIC_NAMES[rollup.ADULTS_ONLINE]) == (
            "Share of adults using online public services"
        )
        assert Period(2024, "quarter", 1).label == "Q1/2024"
        assert Period(2024, "year").label == "Year 2024"
        assert legend()[-1] == ("map-none", "no data yet")


@pytest.mark.django_db
def test_api_errors_follow_the_language(client):
    vi = client.get("/api/v1/monitoring/indicators/KHONG_CO")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language the user chose
    en = client.get("/api/v1/monitoring/indicators/KHONG_CO")
    assert vi.status_code == en.status_code == 404
    assert vi.json()["message"] == "Không có chỉ tiêu mã KHONG_CO."
    assert en.json()["message"] == "There is no indicator with the code KHONG_CO."


def test_stored_texts_stay_vietnamese_and_are_translated_when_shown(catalogue):
    ind = catalogue["KTS_GRDP"]
    dian = unit("724", timezone.localdate())
    Target.objects.filter(indicator=ind, org_unit=dian).delete()
    for year, value in ((2022, 8), (2025, 20)):
        Target.objects.create(indicator=ind, org_unit=dian, year=year, value=value)
    with translation.override("en"):  # computed during an English request
        target_path_interpolate(actor=None, indicator=ind, org_unit=dian)
    t = Target.objects.get(indicator=ind, org_unit=dian, year=2023)
    assert t.source == "Nội suy giữa 2022 và 2025"  # stored in the source language
    assert t.source_display == "Nội suy giữa 2022 và 2025"
    with translation.override("en"):
        assert t.source_display == "Interpolated between 2022 and 2025"
        # a text the platform did not write (a catalogue's, a user's) is shown as it is
        assert stored_display("Nghị quyết 05-NQ/TU") == "Nghị quyết 05-NQ/TU"
        assert stored_text(DETAIL_PERIOD, period="2024-Q3") == "báo cáo kỳ 2024-Q3"
        assert stored_display("báo cáo kỳ 2024-Q3") == "reported for 2024-Q3"

    # an index computed in English stores Vietnamese details, shown in the reader's language
    m = Methodology.objects.get(code=DTI922)
    with translation.override("en"):
        index_compute(actor=None, methodology=m, year=2024)
    details = set(
        ComponentResult.objects.filter(result__methodology=m).values_list("detail", flat=True)
    )
    assert "chưa báo cáo" in details  # a reported criterion no unit has reported
    assert not any("reported" in d or "dossiers" in d for d in details)
    one = ComponentResult.objects.filter(result__methodology=m, detail="chưa báo cáo").first()
    assert one is not None and one.detail_display == "chưa báo cáo"
    with translation.override("en"):
        assert one.detail_display == "not reported"
