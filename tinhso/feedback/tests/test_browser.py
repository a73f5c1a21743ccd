"""The whole feedback path in Chromium, with axe-core checks on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tinhso.testing import axe_violations, browser_login

from .conftest import PDF


def _clean(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], violations


def _as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    browser_login(page, username)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_submit_forward_draft_approve_answer_rate_published(browser_page, submit_birth, tmp_path):
    page = browser_page
    dossier = submit_birth()
    attachment = tmp_path / "bien-nhan.pdf"
    attachment.write_bytes(PDF)

    # 1. the citizen sends feedback about their dossier (from a phone-sized screen)
    _as(page, "congdan")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/phan-anh/gui/?ho_so={dossier.pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    _clean(page)
    assert page.locator("#id_dossier").input_value() == str(dossier.pk)
    page.get_by_label("Tiêu đề").fill("Bị yêu cầu nộp thêm sổ hộ khẩu")
    page.fill("#id_text", "Cán bộ yêu cầu bản sao sổ hộ khẩu. Gọi tôi: 0912345678.")
    page.get_by_label("Tệp đính kèm 1").set_input_files(str(attachment))
    page.get_by_label("Tôi đồng ý công khai", exact=False).check()
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url(re.compile(r".*/phan-anh/da-gui/PAKN-.*"))
    number = page.locator("#feedback-number").inner_text()
    assert page.locator("#feedback-code").inner_text()
    _clean(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 2. the receiving office forwards it (default route: the dossier's unit)
    _as(page, "vanphong.cds")
    page.goto(page.base_url + "/phan-anh/xu-ly/")
    _clean(page)
    page.get_by_role("link", name=number).click()
    _clean(page)
    assert "bien-nhan.pdf" in page.content()
    page.get_by_role("button", name="Chuyển đơn vị xử lý").click()
    page.wait_for_url("**/phan-anh/xu-ly/")

    # 3. the Dĩ An officer drafts the answer and proposes publishing it
    _as(page, "canbo.dian")
    page.goto(page.base_url + "/phan-anh/xu-ly/")
    page.get_by_role("link", name=number).click()
    assert page.locator("#feedback-status").inner_text() == "Đang xử lý"
    page.fill("#id_dt-answer", "Sổ hộ khẩu không còn là thành phần hồ sơ.")
    page.get_by_label("Đề xuất công khai câu trả lời").check()
    page.get_by_role("button", name="Trình lãnh đạo duyệt").click()
    page.wait_for_load_state()
    assert page.locator("#feedback-status").inner_text() == "Chờ lãnh đạo duyệt trả lời"

    # 4. the head approves: the answer is sent and published
    _as(page, "lanhdao.dian")
    page.goto(page.base_url + "/phan-anh/xu-ly/?trang_thai=")
    page.get_by_role("link", name=number).click()
    _clean(page)
    page.get_by_role("button", name="Duyệt và gửi trả lời").click()
    page.wait_for_load_state()
    assert page.locator("#feedback-status").inner_text() == "Đã trả lời"

    # 5. the citizen reads the answer and rates it
    _as(page, "congdan")
    page.goto(page.base_url + "/phan-anh/cua-toi/")
    _clean(page)
    page.get_by_role("link", name=number).click()
    assert "Sổ hộ khẩu không còn" in page.locator("#feedback-answer").inner_text()
    _clean(page)
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert "Hài lòng" in page.locator("#feedback-rating").inner_text()

    # 6. the answer is on the public page, searchable by procedure, without personal data
    page.context.clear_cookies()
    page.goto(page.base_url + f"/phan-anh/?thu_tuc={dossier.procedure.code}")
    _clean(page)
    page.get_by_role("link", name="Bị yêu cầu nộp thêm sổ hộ khẩu").click()
    assert "Sổ hộ khẩu không còn" in page.locator("#public-answer").inner_text()
    assert "0912345678" not in page.content()
    _clean(page)
