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

    page.goto(page.base_url + "/chuyen-doi-so/?nam=2025")  # the overview opens on this year
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


def test_axe_management_pages(browser_page, catalogue):
    """Every monitoring page added or touched for targets, tasks, population and late reports,
    as the DX office (who sees every form), after a real action on each."""
    import datetime as dt

    from tinhso.accounts.models import User
    from tinhso.monitoring.services import task_create
    from tinhso.orgs.selectors import orgunit_get

    dian = orgunit_get(code="724")
    task = task_create(
        actor=None,
        year=2025,
        title="Số hóa hồ sơ đất đai",
        org_unit=dian,
        deadline=dt.date(2025, 3, 31),
        head=User.objects.get(username="lanhdao.dian"),
        indicators=[catalogue["HSCV_TRUC_TUYEN"]],
    )
    page = browser_page
    browser_login(page, "vanphong.cds")
    checked = {}

    page.goto(page.base_url + f"/chuyen-doi-so/chi-tieu-giao/?don-vi={dian.pk}")
    checked["targets"] = axe_violations(page)
    page.click("#targets-table tr[data-indicator=KTS_GRDP] a")
    page.fill("#id_year", "2027")
    page.fill("#id_value", "abc")
    page.click("main button:has-text('Lưu chỉ tiêu năm')")
    page.wait_for_selector(".errorlist")
    checked["target with errors"] = axe_violations(page)
    page.fill("#id_value", "25,5")
    page.click("main button:has-text('Lưu chỉ tiêu năm')")
    page.wait_for_selector("text=Đã lưu chỉ tiêu năm 2027")
    assert "25,5%" in page.locator("#path-table tr[data-year='2027']").inner_text()
    checked["target path"] = axe_violations(page)

    page.goto(page.base_url + "/chuyen-doi-so/nhiem-vu/")
    checked["tasks"] = axe_violations(page)
    page.goto(page.base_url + "/chuyen-doi-so/nhiem-vu/moi/")
    checked["new task"] = axe_violations(page)
    page.goto(page.base_url + f"/chuyen-doi-so/nhiem-vu/{task.pk}/")
    page.fill("#id_deadline", "2025-06-30")
    page.click("main button:has-text('Lưu thay đổi')")
    page.wait_for_selector("text=Đã lưu thay đổi nhiệm vụ.")
    assert "30/06/2025" in page.locator("#task-facts").inner_text()
    checked["task (manager)"] = axe_violations(page)

    page.goto(page.base_url + "/chuyen-doi-so/dan-so/?nam=2025")
    page.fill(f"#total-{dian.pk}", "520.000")
    page.fill(f"#adults-{dian.pk}", "600.000")
    page.click("main button:has-text('Lưu dân số')")
    page.wait_for_selector("#population-errors")
    checked["population with errors"] = axe_violations(page)
    page.fill(f"#adults-{dian.pk}", "380.000")
    page.click("main button:has-text('Lưu dân số')")
    page.wait_for_selector("text=Đã lưu dân số năm 2025")
    checked["population"] = axe_violations(page)

    page.goto(page.base_url + "/chuyen-doi-so/bao-cao/tre-han/?nam=2024")
    checked["late"] = axe_violations(page)
    page.goto(page.base_url + "/trang-cua-toi/")
    page.click("main a[href='/chuyen-doi-so/bao-cao/tre-han/']")
    page.wait_for_url("**/chuyen-doi-so/bao-cao/tre-han/")
    _logout(page)

    browser_login(page, "canbo.dian")  # the officer updates progress
    page.goto(page.base_url + f"/chuyen-doi-so/nhiem-vu/{task.pk}/")
    page.fill("#update_progress", "40")
    page.select_option("#update_status", "in_progress")
    page.click("main button:has-text('Cập nhật tiến độ')")
    page.wait_for_selector("text=Đã cập nhật nhiệm vụ.")
    assert "40%" in page.locator("#task-progress").inner_text()
    checked["task (officer)"] = axe_violations(page)
    assert {k: v for k, v in checked.items() if v} == {}
