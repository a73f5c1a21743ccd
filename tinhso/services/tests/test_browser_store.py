"""Issue 15 in Chromium (desktop and 390×844): congdan is refused a business-only procedure,
submits a birth registration reusing the parents' marriage certificate from "Kho dữ liệu của
tôi", reopens and edits the draft ("Khai lại"), deletes another draft; the officer sees the
reused document; the head finds the dossier first in "Chờ tôi phê duyệt, ký số" and signs it;
the signed result appears in the citizen's store and the Decision 766 digitisation figures
move. Axe finds no serious or critical violation on the pages visited; nothing scrolls
sideways on the phone."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tinhso.services.models import Channel, Procedure, ProcedureChannel
from tinhso.testing import axe_violations, browser_login

from .conftest import BIRTH_FORM, PDF, PNG, upload

PHONE = {"width": 390, "height": 844}


def _as(page, username):
    page.context.clear_cookies()
    browser_login(page, username)


def _act(page, label):
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def _check(page, phone):
    assert axe_violations(page) == [], page.url
    if phone:
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], (page.url, wide)


def _store_seed():
    """congdan's earlier birth registration, with the parents' marriage certificate,
    received by the ward: the certificate is in the store."""
    from tinhso.accounts.models import User
    from tinhso.orgs.selectors import orgunit_get
    from tinhso.services.drafts import dossier_draft_save
    from tinhso.services.models import Procedure
    from tinhso.services.services import dossier_act, dossier_submit

    citizen = User.objects.get(username="congdan")
    officer = User.objects.get(username="canbo.dian")
    birth = Procedure.objects.get(code="1.001193")
    by_type = {p.doc_type: p for p in birth.parts.all()}
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=orgunit_get(code="25942"),
        form_data={**BIRTH_FORM, "ho_ten_tre": "Nguyễn Minh Anh"},
        files={
            by_type["giay-chung-sinh"].pk: [upload()],
            by_type["giay-chung-nhan-ket-hon"].pk: [upload("ket-hon.png", PNG, "image/png")],
        },
        complete=True,
    )
    assert not problems
    d = dossier_submit(user=citizen, dossier_id=draft.pk)
    dossier_act(user=officer, dossier_id=d.pk, action_code="receive", version=d.version)
    return d.number


def _figures():
    from tinhso.monitoring.rollup import metric_value
    from tinhso.orgs.selectors import orgunit_get

    today = timezone.localdate()
    unit = orgunit_get(code="25942")
    return {
        k: metric_value(key=k, unit=unit, start=today, end=today)
        for k in ("reuse_766", "digitised_766", "digital_results")
    }


def _draft_reopened_and_deleted(page, phone, number):
    """Another draft, left half done, reopened from "Hồ sơ của tôi", then deleted."""
    page.goto(page.base_url + "/dich-vu-cong/thu-tuc/1.001193/nop/")
    page.select_option("#id_org_unit", label="UBND phường Dĩ An")
    page.wait_for_selector("#autosave-saved")
    with page.expect_response(lambda r: "/luu-nhap/" in r.url):
        page.fill("#id_f_ho_ten_tre", "Bản nháp bỏ dở")
        page.locator("#id_f_ho_ten_tre").blur()
    page.goto(page.base_url + "/dich-vu-cong/ho-so-cua-toi/")
    _check(page, phone)
    page.get_by_role("link", name="Tiếp tục khai").click()
    page.wait_for_url("**/khai-lai/", wait_until="commit")
    assert page.input_value("#id_f_ho_ten_tre") == "Bản nháp bỏ dở"
    page.goto(page.base_url + "/dich-vu-cong/ho-so-cua-toi/")
    page.get_by_role("link", name="Xóa bản nháp").click()
    _check(page, phone)
    page.get_by_role("button", name="Xóa bản nháp").click()
    page.wait_for_url("**/ho-so-cua-toi/", wait_until="commit")
    assert page.get_by_role("link", name="Tiếp tục khai").count() == 0
    assert number in page.content()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_store_reuse_drafts_and_signing(browser_page, services_demo, pki, tmp_path, phone):
    page = browser_page
    if phone:
        page.set_viewport_size(PHONE)
    first_number = _store_seed()
    before = _figures()
    cert = tmp_path / "giay-chung-sinh.pdf"
    cert.write_bytes(PDF.replace(b"%%EOF", b"% new scan\n%%EOF"))  # not the stored one

    # 1. the citizen's store holds the marriage certificate accepted with the first dossier
    _as(page, "congdan")
    page.goto(page.base_url + "/dich-vu-cong/kho-du-lieu/")
    assert "Giấy chứng nhận kết hôn" in page.locator("#store-items").inner_text()
    _check(page, phone)

    # a procedure for businesses only is refused to a citizen, with the reason
    business_only = (
        ProcedureChannel.objects.filter(channel=Channel.ONLINE)
        .exclude(procedure__code="1.001193")
        .values_list("procedure__code", flat=True)
        .first()
    )
    Procedure.objects.filter(code=business_only).update(applicants="Doanh nghiệp, Hợp tác xã")
    page.goto(f"{page.base_url}/dich-vu-cong/thu-tuc/{business_only}/nop/")
    page.wait_for_url(f"**/thu-tuc/{business_only}/", wait_until="commit")
    assert "chỉ dành cho doanh nghiệp" in page.content()
    _check(page, phone)

    # 2. a new birth registration: the form offers the stored certificate, saves as it goes
    page.goto(page.base_url + "/dich-vu-cong/thu-tuc/1.001193/nop/")
    page.select_option("#id_org_unit", label="UBND phường Dĩ An")
    page.wait_for_selector("#autosave-saved")
    page.fill("#id_f_ho_ten_tre", "Nguyễn Minh Khang")
    page.fill("#id_f_ngay_sinh", "2026-01-05")
    page.select_option("#id_f_gioi_tinh", "Nam")
    page.fill("#id_f_noi_sinh", "Bệnh viện Quân đoàn 4, Dĩ An")
    page.fill("#id_f_ho_ten_me", "Nguyễn Thị Hoa")
    page.select_option("#id_f_quan_he", "Mẹ")
    reuse = page.get_by_role(
        "radio", name=re.compile(rf"Giấy chứng nhận kết hôn — hồ sơ {first_number}")
    )
    assert reuse.is_checked()  # "Dùng giấy tờ đã có" is the default
    # a new birth certificate is uploaded instead of the stored one
    page.locator("input[type=file]").first.set_input_files(str(cert))
    page.wait_for_selector(".part-current >> text=Đã lưu tệp: giay-chung-sinh.pdf")
    _check(page, phone)
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()
    page.wait_for_url("**/xem-lai/", wait_until="commit")
    assert "dùng giấy tờ trong kho dữ liệu" in page.content()
    _check(page, phone)

    # 3. "Khai lại" reopens the same draft: the values and files are still there
    page.get_by_role("link", name="Khai lại").click()
    page.wait_for_url("**/khai-lai/", wait_until="commit")
    assert page.input_value("#id_f_ho_ten_tre") == "Nguyễn Minh Khang"
    assert "Đã lưu tệp: giay-chung-sinh.pdf" in page.locator(".part-current").first.inner_text()
    page.fill("#id_f_ho_ten_tre", "Nguyễn Minh Khôi")
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()
    page.wait_for_url("**/xem-lai/", wait_until="commit")
    assert "Nguyễn Minh Khôi" in page.content()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/$"), wait_until="commit")
    number = re.search(r"Hồ sơ (25942-\d{6}-\d{4})", page.content()).group(1)
    dossier_url = page.url
    # withdrawing is a secondary link to a confirmation page, not a big button
    assert page.locator("#withdraw-link").is_visible()
    assert page.locator("button[data-action=withdraw]").count() == 0
    _check(page, phone)

    # 4. another draft, left half done, reopened from "Hồ sơ của tôi", then deleted
    _draft_reopened_and_deleted(page, phone, number)

    # 5. the officer sees the reused document and where it came from, and processes
    _as(page, "canbo.dian")
    page.goto(dossier_url)
    _act(page, "Tiếp nhận hồ sơ")
    note = page.locator(".reuse-note").inner_text()
    assert first_number in note and timezone.localdate().strftime("%d/%m/%Y") in note
    assert page.get_by_role("button", name="Yêu cầu nộp bản mới").is_visible()
    _check(page, phone)
    _act(page, "Phân công xử lý")
    _act(page, "Tạo kết quả từ mẫu")
    _act(page, "Trình lãnh đạo phê duyệt")

    # 6. the head finds it first in "Chờ tôi phê duyệt, ký số" on their page, and signs it
    _as(page, "lanhdao.dian")
    page.goto(page.base_url + "/trang-cua-toi/")
    assert page.locator("main h2").first.inner_text() == "Chờ tôi phê duyệt, ký số"
    waiting = page.locator("#cho-phe-duyet a").first
    assert number in waiting.inner_text()
    _check(page, phone)
    waiting.click()
    page.wait_for_url(dossier_url, wait_until="commit")
    _act(page, "Phê duyệt và ký số")
    assert page.locator("#dossier-status").inner_text() == "Đã xử lý xong"

    # 7. the signed result is in the citizen's store
    _as(page, "congdan")
    page.goto(page.base_url + "/dich-vu-cong/kho-du-lieu/")
    items = page.locator("#store-items").inner_text()
    assert "Giấy khai sinh" in items and number in items
    _check(page, phone)

    # 8. the Decision 766 digitisation figures moved with these events
    after = _figures()
    assert after["reuse_766"].numerator == before["reuse_766"].numerator + 1
    assert after["reuse_766"].denominator == before["reuse_766"].denominator + 2
    assert after["digitised_766"].numerator == before["digitised_766"].numerator + 1
    assert after["digital_results"].numerator == before["digital_results"].numerator + 1
