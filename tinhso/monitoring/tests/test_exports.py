"""Excel round trip (export, edit, import), a bad workbook rejected whole, PDF export."""

import io
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tinhso.monitoring.excel import HEADERS, report_import, report_workbook
from tinhso.monitoring.models import ReportedValue
from tinhso.monitoring.pdfreport import report_pdf
from tinhso.testing import cannot_run

from .conftest import unit


@pytest.fixture
def officer(user_named, catalogue):
    return user_named("canbo.dian")


def _workbook(user):
    return load_workbook(
        io.BytesIO(report_workbook(user=user, year=2025, province=unit("74", timezone.localdate())))
    )


def _row(ws, code, unit_code, period):
    for r in range(2, ws.max_row + 1):
        if (ws.cell(r, 1).value, ws.cell(r, 3).value, ws.cell(r, 5).value) == (
            code,
            unit_code,
            period,
        ):
            return r
    raise AssertionError(f"row {code} {unit_code} {period} not found in {ws.title}")


def _save(wb) -> io.BytesIO:
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "bao-cao.xlsx"
    return buf


def test_export_has_one_sheet_per_pillar_with_formulas(officer):
    wb = _workbook(officer)
    assert wb.sheetnames == [
        "Nhận thức số",
        "Thể chế số",
        "Hạ tầng số",
        "Nhân lực số",
        "An toàn thông tin",
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
    ]
    ws = wb["Chính quyền số"]
    assert [c.value for c in ws[1]] == HEADERS
    r = _row(ws, "HSCV_TRUC_TUYEN", "724", "2025-Q3")
    assert ws.cell(r, 10).value.startswith("=IF(")  # progress formula kept
    # an officer of Dĩ An gets only Dĩ An's rows
    units = {
        ws.cell(r, 3).value for r in range(2, ws.max_row + 1) if ws.cell(r, 11).value != "Tự động"
    }
    assert units == {"724"}


def test_excel_round_trip(officer):
    wb = _workbook(officer)
    ws = wb["Chính quyền số"]
    r = _row(ws, "HSCV_TRUC_TUYEN", "724", "2025-Q1")
    ws.cell(r, 6).value, ws.cell(r, 7).value = 80, 100
    ws2 = wb["Nhận thức số"]
    r2 = _row(ws2, "TUYEN_TRUYEN", "724", "2025-Q2")
    ws2.cell(r2, 8).value = 3
    result = report_import(user=officer, file=_save(wb))
    assert result.errors == []
    assert (result.created, result.updated) == (2, 0)
    hscv = ReportedValue.objects.get(indicator__code="HSCV_TRUC_TUYEN", period="2025-Q1")
    assert (hscv.value, hscv.numerator, hscv.denominator, hscv.status) == (
        D("80.0000"),
        D("80.0000"),
        D("100.0000"),
        "draft",
    )
    # export again: the value is now a formula over numerator and denominator, and an
    # unchanged re-import changes nothing
    wb = _workbook(officer)
    ws = wb["Chính quyền số"]
    r = _row(ws, "HSCV_TRUC_TUYEN", "724", "2025-Q1")
    assert ws.cell(r, 8).value == f"=F{r}/G{r}*100"
    again = report_import(user=officer, file=_save(wb))
    assert again.errors == [] and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # an edit updates the draft
    ws.cell(r, 6).value = 85
    third = report_import(user=officer, file=_save(wb))
    assert (third.created, third.updated) == (0, 1)
    hscv.refresh_from_db()
    assert hscv.value == D("85.0000")


def test_bad_workbook_is_rejected_whole(officer, user_named):
    wb = _workbook(officer)
    ws = wb["Chính quyền số"]
    good = _row(ws, "HSCV_TRUC_TUYEN", "724", "2025-Q1")
    ws.cell(good, 6).value, ws.cell(good, 7).value = 80, 100
    bad = _row(ws, "HSCV_TRUC_TUYEN", "724", "2025-Q2")
    ws.cell(bad, 6).value, ws.cell(bad, 7).value = 120, 100  # numerator > denominator
    ws3 = wb["Nhận thức số"]
    r3 = _row(ws3, "TUYEN_TRUYEN", "724", "2025-Q3")
    ws3.cell(r3, 8).value = "nhiều"  # not a number
    ws3.append(["KHONG_CO", "?", "724", "", "2025", None, None, 1])
    ws3.append(["TUYEN_TRUYEN", "", "725", "", "2025-Q1", None, None, 2])  # another unit
    result = report_import(user=officer, file=_save(wb))
    assert not result.ok
    text = "\n".join(result.errors)
    assert f"Trang “Chính quyền số”, dòng {bad}" in text and "Tử số" in text
    assert f"dòng {r3}" in text and "không phải là số" in text
    assert "KHONG_CO" in text
    assert "không có quyền" in text
    assert f"dòng {good}" not in text
    assert ReportedValue.objects.count() == 0  # nothing stored, not even the good row
    # a file that is not a workbook
    junk = io.BytesIO(b"not an excel file")
    assert "Không đọc được" in report_import(user=officer, file=junk).errors[0]


def test_import_cannot_change_locked_values(officer, user_named, catalogue):
    from tinhso.monitoring.services import value_accept, value_approve, value_save, value_submit

    from .conftest import pdf_upload

    v = value_save(
        actor=officer,
        indicator=catalogue["HSCV_TRUC_TUYEN"],
        org_unit=unit("724", timezone.localdate()),
        period="2025-Q1",
        numerator=70,
        denominator=100,
        evidence=[pdf_upload()],
    )
    value_submit(actor=officer, value=v)
    value_approve(actor=user_named("lanhdao.dian"), value=v)
    value_accept(actor=user_named("vanphong.cds"), value=v)
    wb = _workbook(officer)
    ws = wb["Chính quyền số"]
    r = _row(ws, "HSCV_TRUC_TUYEN", "724", "2025-Q1")
    ws.cell(r, 6).value = 71
    result = report_import(user=officer, file=_save(wb))
    assert any("không thay đổi được" in e for e in result.errors)
    v.refresh_from_db()
    assert v.value == D("70.0000")


def test_export_opens_in_libreoffice(officer, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        cannot_run("LibreOffice is not installed (apt-get install -y libreoffice-calc-nogui)")
    src = tmp_path / "bao-cao.xlsx"
    src.write_bytes(
        report_workbook(user=officer, year=2025, province=unit("74", timezone.localdate()))
    )
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # 76 = UTF-8
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert (
        (tmp_path / "bao-cao.csv")
        .read_text(encoding="utf-8", errors="replace")
        .startswith("Mã chỉ tiêu")
    )


def test_pdf_report(catalogue):
    data = report_pdf(unit=unit("74", timezone.localdate()), year=2025)
    assert data.startswith(b"%PDF") and len(data) > 2000


def test_export_views_need_login(client, user_named, catalogue):
    assert client.get("/chuyen-doi-so/xuat/2025.xlsx").status_code == 302
    client.force_login(user_named("canbo.dian"))
    resp = client.get("/chuyen-doi-so/xuat/2025.xlsx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert client.get("/chuyen-doi-so/xuat/2025.pdf").content.startswith(b"%PDF")
