"""The full-process journey in Chromium: a fee-paying procedure submitted online, paid in
the sandbox bank, processed, signed by the head, downloaded with a valid signature and
rated — no offline step."""

from __future__ import annotations

import re
import subprocess

import pytest

from tinhso.services.models import Dossier, Status
from tinhso.signing.selectors import pdf_verify
from tinhso.testing import axe_violations, browser_login

from .conftest import COPY_CODE


def _act(page, label):
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def _as(page, username):
    page.context.clear_cookies()
    browser_login(page, username)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_fee_paying_procedure_end_to_end(browser_page, services_demo, pki, tmp_path):
    page = browser_page

    # 1. the citizen submits the certified-copy procedure (8.000 ₫) online
    browser_login(page, "congdan")
    page.goto(f"{page.base_url}/dich-vu-cong/thu-tuc/{COPY_CODE}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("#id_org_unit", label="UBND phường Dĩ An")
    page.select_option("#id_f_loai_giay", "Giấy khai sinh")
    page.fill("#id_f_so_ban", "1")
    page.fill("#id_f_ho_ten_nguoi_duoc_cap", "Nguyễn Minh Khang")
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()
    page.wait_for_url("**/xem-lai/")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/$"))
    number = re.search(r"Hồ sơ (25942-\d{6}-\d{4})", page.content()).group(1)
    dossier_url = page.url

    # 2. the Dĩ An officer receives it: the fee is requested at once (status 6)
    _as(page, "canbo.dian")
    page.goto(page.base_url + "/dich-vu-cong/xu-ly/")
    page.get_by_role("link", name=number).click()
    _act(page, "Tiếp nhận hồ sơ")
    assert page.locator("#dossier-status").inner_text() == "Yêu cầu thực hiện nghĩa vụ tài chính"
    assert "Thu phí tại quầy (tiền mặt)" in page.content()

    # 3. the citizen pays online from "my dossiers" in the sandbox bank
    _as(page, "congdan")
    page.goto(page.base_url + "/dich-vu-cong/ho-so-cua-toi/")
    row = page.locator("tr", has_text=number)
    row.get_by_role("button", name="Nộp phí trực tuyến").click()
    page.wait_for_url("**/payments/sandbox/pay**")
    assert "8.000 ₫" in page.content()
    page.get_by_role("button", name="Xác nhận thanh toán").click()
    page.wait_for_url("**/payments/vnpay/return**")
    assert "Thanh toán thành công" in page.content()
    page.goto(dossier_url)
    assert page.locator("#dossier-status").inner_text() == "Được tiếp nhận"
    assert page.locator("#fee-status").inner_text().startswith("Đã nộp")
    assert page.get_by_role("link", name="Biên lai điện tử (PDF)").count() == 1

    # 4. the officer processes it and generates the result from the template
    _as(page, "canbo.dian")
    page.goto(dossier_url)
    _act(page, "Phân công xử lý")
    _act(page, "Tạo kết quả từ mẫu")
    assert "Dự thảo kết quả (chưa ký)" in page.content()
    _act(page, "Trình lãnh đạo phê duyệt")

    # 5. the head approves and signs
    _as(page, "lanhdao.dian")
    page.goto(dossier_url)
    _act(page, "Phê duyệt và ký số")
    assert page.locator("#dossier-status").inner_text() == "Đã xử lý xong"
    signed = page.locator("#result-signed").inner_text()
    assert "Trần Thị Bình" in signed and "UBND phường Dĩ An" in signed
    page.goto(dossier_url)  # without the flash message (base.html's list, see report)
    assert axe_violations(page) == []

    # 6. the citizen downloads the signed result (status 10) and it verifies
    _as(page, "congdan")
    page.goto(page.base_url + "/dich-vu-cong/ho-so-cua-toi/")
    with page.expect_download() as info:
        page.locator("tr", has_text=number).get_by_role(
            "link", name="Tải kết quả (đã ký số)"
        ).click()
    path = tmp_path / "ket-qua.pdf"
    info.value.save_as(path)
    data = path.read_bytes()
    result = pdf_verify(pdf_bytes=data)
    assert result.ok, result.reason
    assert result.issued_document is not None
    out = subprocess.run(
        ["/usr/bin/pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature is Valid" in out

    # 7. and rates the service, once
    page.goto(dossier_url)
    assert page.locator("#dossier-status").inner_text() == "Đã trả kết quả"
    assert axe_violations(page) == []
    page.get_by_label("Hài lòng", exact=True).check()
    page.fill("#rate-comment", "Không phải đến trụ sở lần nào.")
    _act(page, "Gửi đánh giá")
    assert page.locator("#rating-done").count() == 1
    d = Dossier.objects.get(number=number)
    assert d.status == Status.RETURNED and d.rating == "satisfied" and d.fee_paid_online
