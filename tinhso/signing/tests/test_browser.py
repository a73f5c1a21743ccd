"""The public verification page in Chromium: upload, result, accessibility."""

from __future__ import annotations

import pytest

from tinhso.testing import axe_violations


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_verification_page_in_browser(browser_page, signed, tmp_path) -> None:
    page = browser_page
    page.goto(page.base_url + "/ky-so/xac-minh/")
    assert axe_violations(page) == []
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(signed.read_bytes())
    page.get_by_label("Tệp PDF cần xác minh").set_input_files(str(path))
    page.get_by_role("button", name="Xác minh", exact=True).click()
    page.wait_for_selector(".verify-result")
    text = page.locator(".verify-result").inner_text()
    assert "Chữ ký hợp lệ" in text
    assert "UBND thành phố Dĩ An" in text
    assert axe_violations(page) == []
