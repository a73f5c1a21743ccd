"""In Chromium (issue 15): the unit head finds what waits for them first in "Chờ tôi phê
duyệt, ký số" and signs it, on a desktop and at 390×844; on the phone the next action is
visible without horizontal scrolling; axe finds no serious or critical violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tinhso.services.models import Dossier, Status
from tinhso.services.services import dossier_act, dossier_result_prepare
from tinhso.testing import axe_violations, browser_login

PHONE = {"width": 390, "height": 844}


def _as(page, username):
    page.context.clear_cookies()
    browser_login(page, username)


def _forwarded(submit_birth, user_named) -> Dossier:
    """A birth registration received, processed, with a generated draft, forwarded."""
    officer = user_named("canbo.dian")

    def act(d, code):
        return dossier_act(user=officer, dossier_id=d.pk, action_code=code, version=d.version)

    d = act(act(submit_birth(), "receive"), "assign")
    dossier_result_prepare(user=officer, dossier_id=d.pk, generate=True)
    return act(Dossier.objects.get(pk=d.pk), "forward")


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width}px wide"


def _clean(page) -> None:
    assert axe_violations(page) == [], page.url


def _in_view_horizontally(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _sign_first_waiting(page, number: str) -> None:
    """From the landing page: the first item of "Chờ tôi phê duyệt, ký số" is ``number``;
    open it and sign it."""
    page.goto(page.base_url + "/trang-cua-toi/")
    first_heading = page.locator("main h2").first
    assert first_heading.inner_text() == "Chờ tôi phê duyệt, ký số"
    first = page.locator("#cho-phe-duyet a").first
    assert number in first.inner_text()
    _clean(page)
    page.goto(page.base_url + "/dich-vu-cong/xu-ly/")
    assert number in page.locator("#cho-phe-duyet li").first.inner_text()
    _clean(page)
    page.locator("#cho-phe-duyet li").first.get_by_role("link", name=number).click()
    page.wait_for_load_state()
    assert page.locator("#next-action").is_visible()
    _clean(page)
    page.get_by_role("button", name="Phê duyệt và ký số", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#dossier-status").inner_text() == "Đã xử lý xong"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_head_signs_what_waits_first_on_desktop_and_phone(
    browser_page, pki, submit_birth, user_named
):
    page = browser_page
    first = _forwarded(submit_birth, user_named)
    second = _forwarded(submit_birth, user_named)
    # the overdue one leads
    now = timezone.now()
    Dossier.objects.filter(pk=first.pk).update(due_at=now - dt.timedelta(days=1))
    Dossier.objects.filter(pk=second.pk).update(due_at=now + dt.timedelta(days=5))

    # desktop
    page.set_viewport_size({"width": 1280, "height": 900})
    _as(page, "lanhdao.dian")
    _sign_first_waiting(page, first.number)
    page.goto(page.url)
    _clean(page)
    assert Dossier.objects.get(pk=first.pk).result_digital

    # phone: the same pages, the next action visible, no horizontal scroll
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/trang-cua-toi/")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-menu").is_visible()
    _no_horizontal_scroll(page)
    page.goto(page.base_url + "/dich-vu-cong/xu-ly/")
    _no_horizontal_scroll(page)
    # the queue's rows are cards: every cell is within the screen
    _in_view_horizontally(page.locator("#queue-table tbody tr").first)
    page.goto(f"{page.base_url}/dich-vu-cong/ho-so/{second.pk}/")
    next_action = page.locator("#next-action a").first
    assert next_action.is_visible()
    box = next_action.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # on the first screen
    _in_view_horizontally(next_action)
    _no_horizontal_scroll(page)
    _sign_first_waiting(page, second.number)
    _no_horizontal_scroll(page)
    assert Dossier.objects.get(pk=second.pk).status == Status.PROCESSED

    # the citizen on the phone: "Tải kết quả" visible in "Hồ sơ của tôi" and on the dossier
    _as(page, "congdan")
    page.goto(page.base_url + "/dich-vu-cong/ho-so-cua-toi/")
    _no_horizontal_scroll(page)
    _clean(page)
    card = page.locator("#my-dossiers tr", has_text=second.number)
    download = card.get_by_role("link", name="Tải kết quả (đã ký số)")
    assert download.is_visible()
    _in_view_horizontally(download)
    page.goto(f"{page.base_url}/dich-vu-cong/ho-so/{second.pk}/")
    top = page.locator("#next-action").get_by_role("link", name="Tải kết quả")
    assert top.is_visible()
    _in_view_horizontally(top)
    _no_horizontal_scroll(page)
    _clean(page)
    # the procedure page: agencies collapsed by district, no horizontal scroll
    page.goto(page.base_url + f"/dich-vu-cong/thu-tuc/{first.procedure.code}/")
    assert page.locator("#agency-groups details").count() >= 1
    _no_horizontal_scroll(page)
    _clean(page)
    # choosing the agency by place: the applicant's own commune first, a search box
    page.goto(f"{page.base_url}/dich-vu-cong/thu-tuc/{first.procedure.code}/nop/")
    _no_horizontal_scroll(page)
    _clean(page)
    assert page.locator("#id_org_unit").input_value() == str(first.org_unit_id)
    page.get_by_label("Tìm cơ quan theo tên xã, phường, huyện").fill("lai thieu")
    hidden = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#id_org_unit option')]"
        ".map((o) => [o.textContent, o.hidden]))"
    )
    assert hidden["UBND phường Lái Thiêu"] is False
    assert hidden["UBND phường Dĩ An"] is True
