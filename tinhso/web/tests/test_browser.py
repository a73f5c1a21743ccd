"""Chromium journeys of the foundation (Playwright, Debian's /usr/bin/chromium)."""

import pytest

from tinhso.testing import axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_login_language_logout(browser_page, demo_users):
    page = browser_page
    browser_login(page, "canbo.dian")
    assert page.locator("h1").inner_text() == "Trang của tôi"
    assert "UBND thành phố Dĩ An" in page.locator("main").inner_text()
    page.click("text=English")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "My page"
    page.click("header button:has-text('Log out')")
    page.wait_for_url(page.base_url + "/")
    assert page.locator("header a:has-text('Log in')").is_visible()


@pytest.mark.parametrize("path", ["/", "/tai-khoan/dang-nhap/"])
def test_axe_home_and_login(browser_page, path, db):
    page = browser_page
    page.goto(page.base_url + path)
    assert axe_violations(page) == []


def test_phone_layout_has_no_horizontal_scroll(browser_page, db):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(page.base_url + "/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
