"""Chromium journey: an officer enters a quarterly value with evidence, the unit head
approves, the provincial DX office accepts, the province dashboard shows it; axe check."""

import pytest

from tinhso.testing import axe_violations, browser_login

from .conftest import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("header button:has-text('Đăng xuất')")
    page.wait_for_url(page.base_url + "/")


def test_quarterly_value_from_entry_to_dashboard(browser_page, catalogue, tmp_path):
    page = browser_page
    evidence = tmp_path / "bien-ban-quy-4.pdf"
    evidence.write_bytes(PDF_BYTES)

    browser_login(page, "canbo.dian")
    page.goto(page.base_url + "/chuyen-doi-so/bao-cao/")
    page.click("text=Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng")
    page.select_option("#id_period", "2025-Q4")
    page.fill("#id_numerator", "87")
    page.fill("#id_denominator", "100")
    page.set_input_files("#id_evidence", str(evidence))
    page.click("main button:has-text('Lưu số liệu')")
    page.wait_for_selector("#status")
    report_url = page.url
    assert page.locator("#value").inner_text() == "87%"
    assert "bien-ban-quy-4.pdf" in page.locator("main").inner_text()
    page.click("main button:has-text('Gửi lãnh đạo duyệt')")
    page.wait_for_selector("text=Đã gửi lãnh đạo đơn vị duyệt.")
    assert "chờ lãnh đạo duyệt" in page.locator("#status").inner_text()
    _logout(page)

    browser_login(page, "lanhdao.dian")
    page.goto(report_url)
    page.click("main button:has-text('Duyệt')")
    page.wait_for_selector("text=Đã duyệt, chuyển Văn phòng chuyển đổi số tỉnh.")
    _logout(page)

    browser_login(page, "vanphong.cds")
    page.goto(report_url)
    page.click("main button:has-text('Tiếp nhận')")
    page.wait_for_selector("text=Đã tiếp nhận; số liệu được khóa.")
    assert "Đã được tiếp nhận" in page.locator("#status").inner_text()

    page.goto(page.base_url + "/chuyen-doi-so/")
    row = page.locator("tr[data-indicator=HSCV_TRUC_TUYEN]")
    assert "87%" in row.locator("td.value").inner_text()
    assert "2025-Q4" in row.inner_text()
    assert "UBND thành phố Dĩ An" in page.locator("#recent-title + ul").inner_text()


def test_axe_dashboard(browser_page, catalogue):
    from tinhso.monitoring.methodologies import DTI922
    from tinhso.monitoring.models import Methodology
    from tinhso.monitoring.services import index_compute

    index_compute(actor=None, methodology=Methodology.objects.get(code=DTI922), year=2025)
    page = browser_page
    page.goto(page.base_url + "/chuyen-doi-so/?nam=2025")
    page.wait_for_selector("#trend-chart")
    assert axe_violations(page) == []
    page.goto(page.base_url + "/chuyen-doi-so/minh-bach/")
    assert axe_violations(page) == []


def test_dashboard_on_a_phone(browser_page, catalogue):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(page.base_url + "/chuyen-doi-so/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
