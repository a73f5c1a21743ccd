"""The citizen-to-officer journey in Chromium."""

import re

import pytest

from tinhso.testing import browser_login

from .conftest import PDF


@pytest.fixture
def journey_data(demo_users):
    import io

    from tinhso.services.demo import demo_load

    demo_load(stdout=io.StringIO())


def _act(page, label):
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_birth_registration_journey(browser_page, journey_data, tmp_path):
    page = browser_page
    attachment = tmp_path / "giay-chung-sinh.pdf"
    attachment.write_bytes(PDF)

    # 1. the citizen finds the procedure (without accents) and submits online
    browser_login(page, "congdan")
    page.goto(page.base_url + "/dich-vu-cong/?q=dang+ky+khai+sinh")
    page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True).click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("#id_org_unit", label="UBND phường Dĩ An")
    page.fill("#id_f_ho_ten_tre", "Nguyễn Minh Khang")
    page.fill("#id_f_ngay_sinh", "2026-01-05")
    page.select_option("#id_f_gioi_tinh", "Nam")
    page.fill("#id_f_noi_sinh", "Bệnh viện Quân đoàn 4, Dĩ An")
    page.fill("#id_f_ho_ten_me", "Nguyễn Thị Hoa")
    page.select_option("#id_f_quan_he", "Mẹ")
    page.locator("input[type=file]").first.set_input_files(str(attachment))
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()
    page.wait_for_url("**/xem-lai/")
    assert "giay-chung-sinh.pdf" in page.content()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/$"))
    number = re.search(r"Hồ sơ (25942-\d{6}-\d{4})", page.content()).group(1)
    assert page.locator("#dossier-status").inner_text() == "Mới đăng ký"
    dossier_url = page.url

    # 2. the Dĩ An officer receives and processes it
    page.context.clear_cookies()
    browser_login(page, "canbo.dian")
    page.goto(page.base_url + "/dich-vu-cong/xu-ly/")
    page.get_by_role("link", name=number).click()
    _act(page, "Tiếp nhận hồ sơ")
    assert page.locator("#dossier-status").inner_text() == "Được tiếp nhận"
    _act(page, "Phân công xử lý")
    page.fill("textarea[name=comment] >> nth=0", "Hồ sơ đầy đủ, hợp lệ")
    _act(page, "Ghi ý kiến xử lý")
    _act(page, "Trình lãnh đạo phê duyệt")
    assert page.locator("#dossier-status").inner_text() == "Đang xử lý"

    # 3. the head approves
    page.context.clear_cookies()
    browser_login(page, "lanhdao.dian")
    page.goto(dossier_url)
    _act(page, "Phê duyệt")
    assert page.locator("#dossier-status").inner_text() == "Đã xử lý xong"

    # 4. the citizen sees the change
    page.context.clear_cookies()
    browser_login(page, "congdan")
    page.goto(page.base_url + "/dich-vu-cong/ho-so-cua-toi/")
    row = page.locator("tr", has_text=number)
    assert "Đã xử lý xong" in row.inner_text()

    # 5. and so does the public tracking page, without personal data
    page.context.clear_cookies()
    page.goto(page.base_url + "/dich-vu-cong/tra-cuu/")
    page.fill("#id_so", number)
    page.get_by_role("button", name="Tra cứu").click()
    assert page.locator("#track-status").inner_text() == "Đã xử lý xong"
    assert "Nguyễn Minh Khang" not in page.content()
    assert "Phê duyệt" in page.content()
