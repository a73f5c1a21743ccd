"""The sandbox bank against the platform: normal, double, late and missing IPNs, and
reconciliation settling what the IPN never did."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.parse

import pytest
from django.core.management import call_command
from django.utils import timezone

from tinhso.payments import vnpay
from tinhso.payments.gateways import QueryOutcome, VnpayGateway
from tinhso.payments.models import Payment, PaymentEvent, SandboxTransaction
from tinhso.payments.sandbox import sandbox_deliver_due
from tinhso.payments.services import payment_cancel, payment_check, payments_reconcile

from .conftest import SECRET

pytestmark = pytest.mark.django_db


def to_bank(client, payment: Payment) -> tuple[str, SandboxTransaction]:
    """Payer clicks "pay": platform → signed redirect → sandbox bank page."""
    response = client.get(f"/payments/{payment.txn_ref}/thanh-toan")
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith("/payments/sandbox/pay?")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cổng thanh toán thử nghiệm" in html
    txn = SandboxTransaction.objects.get(txn_ref=payment.txn_ref)
    return html, txn


def decide(client, txn: SandboxTransaction, decision: str = "approve", mode: str = "normal"):
    response = client.post(
        "/payments/sandbox/pay", {"token": txn.token, "decision": decision, "mode": mode}
    )
    assert response.status_code == 302
    return response["Location"]


@pytest.fixture
def payer_client(client, payer):
    client.force_login(payer)
    return client


def ipn_codes(payment: Payment) -> list[str]:
    return list(
        PaymentEvent.objects.filter(payment=payment, kind="ipn").values_list(
            "result_code", flat=True
        )
    )


def test_normal_flow(payer_client, make_payment, recorder) -> None:
    payment = make_payment(amount=1_250_000, next_url="/dich-vu-cong/")
    html, txn = to_bank(payer_client, payment)
    assert "1.250.000 ₫" in html
    back = decide(payer_client, txn)
    # the IPN came before the browser is sent back
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert back.startswith("http://testserver/payments/vnpay/return?")
    page = payer_client.get(back)
    assert page.status_code == 200
    assert "Thanh toán thành công" in page.content.decode()
    assert ipn_codes(payment) == ["00"]
    assert recorder.paid == [payment.txn_ref]
    detail = payer_client.get(payment.get_absolute_url()).content.decode()
    assert "bien-lai.pdf" in detail and "/dich-vu-cong/" in detail


def test_ipn_twice(payer_client, make_payment, recorder) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    decide(payer_client, txn, mode="twice")
    assert ipn_codes(payment) == ["00", "02"]
    txn.refresh_from_db()
    assert txn.ipn_sent == 2 and txn.ipn_last_answer == "02"
    assert recorder.paid == [payment.txn_ref]
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID


def test_ipn_late(payer_client, make_payment, recorder) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    back = decide(payer_client, txn, mode="late")
    page = payer_client.get(back).content.decode()
    assert "đang chờ xác nhận" in page
    assert 'hx-trigger="every 3s"' in page  # the status block polls
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert sandbox_deliver_due() == 0  # not yet due
    assert sandbox_deliver_due(now=timezone.now() + dt.timedelta(minutes=1)) == 1
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    assert ipn_codes(payment) == ["00"]
    assert recorder.paid == [payment.txn_ref]
    status = payer_client.get(f"/payments/{payment.txn_ref}/trang-thai").content.decode()
    assert "Đã thanh toán" in status and "hx-trigger" not in status


def test_ipn_never_then_reconciliation(payer_client, make_payment, recorder) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    decide(payer_client, txn, mode="never")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    # not old enough yet
    assert payments_reconcile() == []
    out = io.StringIO()
    call_command("reconcile_payments", "--older-than", "0", stdout=out)
    assert payment.txn_ref in out.getvalue()
    assert "pending → paid" in out.getvalue()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.settled_by == "query"
    txn.refresh_from_db()
    assert payment.gateway_txn_no == txn.transaction_no
    assert recorder.paid == [payment.txn_ref]
    query = PaymentEvent.objects.get(payment=payment, kind="query")
    assert query.signature_valid is True
    # nothing left to reconcile; running again changes nothing
    assert payments_reconcile(older_than=dt.timedelta(0)) == []
    assert recorder.paid == [payment.txn_ref]


def test_late_ipn_after_reconciliation_is_02(payer_client, make_payment, recorder) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    decide(payer_client, txn, mode="late")
    lines = payments_reconcile(older_than=dt.timedelta(0))
    assert [(line.txn_ref, line.after) for line in lines] == [(payment.txn_ref, "paid")]
    sandbox_deliver_due(now=timezone.now() + dt.timedelta(minutes=1))
    assert ipn_codes(payment) == ["02"]
    assert recorder.paid == [payment.txn_ref]


def test_cancel_at_bank(payer_client, make_payment, recorder) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    back = decide(payer_client, txn, decision="cancel")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CANCELLED
    assert "Bạn đã hủy giao dịch" in payer_client.get(back).content.decode()
    assert recorder.failed == [payment.txn_ref] and recorder.paid == []
    # the bank page cannot be replayed
    again = payer_client.post(
        "/payments/sandbox/pay", {"token": txn.token, "decision": "approve", "mode": "normal"}
    )
    assert again.status_code == 400
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CANCELLED


def test_reconcile_expires_unknown_payment(make_payment, recorder) -> None:
    payment = make_payment()  # the payer never reached the bank
    later = payment.expires_at + dt.timedelta(minutes=1)
    lines = payments_reconcile(older_than=dt.timedelta(0), now=later)
    assert [line.outcome for line in lines] == [QueryOutcome.NOT_FOUND]
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.EXPIRED
    assert recorder.failed == [payment.txn_ref]


def test_reconcile_keeps_unexpired_unknown_payment(make_payment, recorder) -> None:
    payment = make_payment()
    lines = payments_reconcile(older_than=dt.timedelta(0))
    assert [(line.txn_ref, line.after) for line in lines] == [(payment.txn_ref, "pending")]
    assert recorder.failed == []


def test_sandbox_rejects_forged_request(client, make_payment) -> None:
    payment = make_payment()
    url = VnpayGateway(pay_url="/payments/sandbox/pay", hash_secret="wrong").redirect_url(
        payment=payment, client_ip="127.0.0.1", return_url="http://testserver/r"
    )
    response = client.get(url)
    assert response.status_code == 400
    assert "Chữ ký của yêu cầu thanh toán không hợp lệ" in response.content.decode()
    assert not SandboxTransaction.objects.exists()


def test_sandbox_disabled_in_production(client, settings, make_payment) -> None:
    settings.PAYMENTS_SANDBOX = False
    assert client.get("/payments/sandbox/pay").status_code == 404
    assert (
        client.post("/payments/sandbox/querydr", "{}", content_type="application/json").status_code
        == 404
    )


def test_sandbox_page_has_no_inline_script(payer_client, make_payment) -> None:
    html, _txn = to_bank(payer_client, make_payment())
    assert "<script>" not in html and "onclick" not in html and 'style="' not in html
    assert '<label for="mode-never">' in html


def test_querydr_endpoint_over_http(payer_client, make_payment) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    decide(payer_client, txn, mode="never")
    gateway = VnpayGateway()
    body = gateway.querydr_request(payment=payment, client_ip="127.0.0.1")
    answer = payer_client.post(
        "/payments/sandbox/querydr", json.dumps(body), content_type="application/json"
    ).json()
    assert answer["vnp_ResponseCode"] == "00" and answer["vnp_TransactionStatus"] == "00"
    assert vnpay.querydr_verify_response(answer, SECRET)
    forged = {**body, "vnp_TxnRef": "OTHER"}
    bad = payer_client.post(
        "/payments/sandbox/querydr", json.dumps(forged), content_type="application/json"
    ).json()
    assert bad["vnp_ResponseCode"] == "97"


def test_vnpay_query_with_injected_transport(make_payment, recorder) -> None:
    """The VNPay adapter builds a protocol querydr and trusts only a signed answer."""
    payment = make_payment(gateway="vnpay")
    seen: list[tuple[str, dict]] = []

    def fake_vnpay(url: str, body: dict) -> dict:
        seen.append((url, body))
        assert vnpay.querydr_verify_request(body, SECRET)
        answer = {
            "vnp_ResponseId": "X1",
            "vnp_Command": "querydr",
            "vnp_ResponseCode": "00",
            "vnp_Message": "QueryDR Success",
            "vnp_TmnCode": body["vnp_TmnCode"],
            "vnp_TxnRef": body["vnp_TxnRef"],
            "vnp_Amount": str(payment.amount * 100),
            "vnp_BankCode": "NCB",
            "vnp_PayDate": "20250101103000",
            "vnp_TransactionNo": "777",
            "vnp_TransactionType": "01",
            "vnp_TransactionStatus": "00",
            "vnp_OrderInfo": body["vnp_OrderInfo"],
            "vnp_PromotionCode": "",
            "vnp_PromotionAmount": "",
        }
        data = "|".join(answer[k] for k in vnpay.QUERYDR_RESPONSE_FIELDS)
        import hashlib
        import hmac

        answer["vnp_SecureHash"] = hmac.new(
            SECRET.encode(), data.encode(), hashlib.sha512
        ).hexdigest()
        return answer

    def forged_answer(url: str, body: dict) -> dict:
        answer = fake_vnpay(url, body)
        answer["vnp_SecureHash"] = "0" * 128
        return answer

    status, result = payment_check(payment=payment, transport=forged_answer)
    assert status == Payment.Status.PENDING and result.signature_valid is False

    def broken(url: str, body: dict) -> dict:
        raise OSError("network down")

    status, result = payment_check(payment=payment, transport=broken)
    assert status == Payment.Status.PENDING and result.outcome == QueryOutcome.ERROR

    status, result = payment_check(payment=payment, transport=fake_vnpay)
    assert status == Payment.Status.PAID
    url, body = seen[-1]
    assert url == "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
    assert body["vnp_Command"] == "querydr" and body["vnp_TxnRef"] == payment.txn_ref
    assert body["vnp_TransactionDate"] == vnpay.format_date(payment.created_at)
    assert recorder.paid == [payment.txn_ref]


def test_cancel_checks_gateway_first(payer_client, make_payment, payer, recorder) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    decide(payer_client, txn, mode="never")  # paid at the bank, IPN lost
    with pytest.raises(Exception, match="đã được thanh toán"):
        payment_cancel(actor=payer, payment=payment)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    other = make_payment()
    payment_cancel(actor=payer, payment=other)
    assert Payment.objects.get(pk=other.pk).status == Payment.Status.CANCELLED


def test_return_url_params_are_signed(payer_client, make_payment) -> None:
    payment = make_payment()
    _html, txn = to_bank(payer_client, payment)
    back = decide(payer_client, txn, mode="never")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
    assert vnpay.verify(params, SECRET)
    assert params["vnp_Amount"] == str(payment.amount * 100)
