"""The sandbox bank page works in Chromium under the strict CSP and passes axe."""

from __future__ import annotations

import pytest

from tinhso.payments.gateways import SandboxGateway
from tinhso.payments.models import Payment
from tinhso.testing import axe_violations


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sandbox_bank_page_in_browser(browser_page, make_payment, recorder, settings) -> None:
    settings.PAYMENTS_SANDBOX_BACKGROUND = False
    page = browser_page
    payment = make_payment(amount=120_000)
    url = SandboxGateway().redirect_url(
        payment=payment,
        client_ip="127.0.0.1",
        return_url=page.base_url + "/payments/vnpay/return",
    )
    page.goto(page.base_url + url)
    assert page.locator("h1").inner_text() == "Cổng thanh toán thử nghiệm"
    assert "120.000 ₫" in page.content()
    assert axe_violations(page) == []
    page.get_by_label("Gửi IPN hai lần").check()
    page.get_by_role("button", name="Xác nhận thanh toán").click()
    page.wait_for_url("**/payments/vnpay/return**")
    assert "Thanh toán thành công" in page.content()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    assert recorder.paid == [payment.txn_ref]
