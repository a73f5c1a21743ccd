"""The IPN: each answer code, and forged / replayed / duplicated / out-of-order /
wrong-amount messages → exactly one payment recorded, nothing else changes."""

from __future__ import annotations

import pytest

from tinhso.audit.models import AuditEntry
from tinhso.payments.models import Payment, PaymentEvent
from tinhso.payments.services import vnpay_ipn_process

from .conftest import ipn_params

IPN = "/payments/vnpay/ipn"
pytestmark = pytest.mark.django_db


def call(client, params) -> dict:
    response = client.get(IPN, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def state(payment: Payment) -> tuple:
    payment.refresh_from_db()
    return (
        payment.status,
        payment.paid_at,
        payment.receipt_number,
        payment.gateway_txn_no,
        payment.response_code,
    )


def test_ok_records_payment_once(client, make_payment, recorder) -> None:
    payment = make_payment()
    assert call(client, ipn_params(payment)) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.settled_by == "ipn"
    assert payment.gateway_txn_no == "14000001"
    assert payment.bank_code == "NCB"
    assert payment.receipt_number and payment.paid_at
    assert recorder.paid == [payment.txn_ref]
    assert AuditEntry.objects.filter(action="payment.paid", object_id=str(payment.pk)).count() == 1
    event = PaymentEvent.objects.get(payment=payment, kind="ipn")
    assert event.signature_valid is True and event.result_code == "00"


def test_bad_signature_97(client, make_payment, recorder) -> None:
    payment = make_payment()
    before = state(payment)
    forged = ipn_params(payment, secret="attacker-guess")
    assert call(client, forged)["RspCode"] == "97"
    tampered = ipn_params(payment)
    tampered["vnp_Amount"] = "1"  # changed after signing
    assert call(client, tampered)["RspCode"] == "97"
    unsigned = {k: v for k, v in ipn_params(payment).items() if k != "vnp_SecureHash"}
    assert call(client, unsigned)["RspCode"] == "97"
    assert call(client, {})["RspCode"] == "97"
    assert state(payment) == before
    assert recorder.paid == []
    assert not AuditEntry.objects.filter(action__startswith="payment.paid").exists()
    # every message is logged, flagged as unsigned
    assert PaymentEvent.objects.filter(kind="ipn", signature_valid=False).count() == 4


def test_unknown_order_01(client, make_payment, recorder) -> None:
    payment = make_payment()
    other = ipn_params(payment, vnp_TxnRef="NOSUCHREF")
    assert call(client, other)["RspCode"] == "01"
    # signed by us but for another merchant code
    assert call(client, ipn_params(payment, vnp_TmnCode="OTHER"))["RspCode"] == "01"
    assert state(payment)[0] == Payment.Status.PENDING
    assert recorder.paid == []


def test_wrong_amount_04_then_right_amount(client, make_payment, recorder) -> None:
    payment = make_payment(amount=50_000)
    before = state(payment)
    assert call(client, ipn_params(payment, vnp_Amount="500000"))["RspCode"] == "04"
    assert call(client, ipn_params(payment, vnp_Amount="5000001"))["RspCode"] == "04"
    assert call(client, ipn_params(payment, vnp_Amount="x"))["RspCode"] == "04"
    assert state(payment) == before
    assert recorder.paid == []
    assert call(client, ipn_params(payment))["RspCode"] == "00"
    assert recorder.paid == [payment.txn_ref]


def test_replayed_02_and_never_a_second_record(client, make_payment, recorder) -> None:
    payment = make_payment()
    params = ipn_params(payment)
    assert call(client, params)["RspCode"] == "00"
    after_first = state(payment)
    audit_count = AuditEntry.objects.count()
    for _ in range(3):
        assert call(client, params) == {"RspCode": "02", "Message": "Order already confirmed"}
    # a "new" success message for the same order (other gateway txn no) is also refused
    assert call(client, ipn_params(payment, vnp_TransactionNo="999"))["RspCode"] == "02"
    assert state(payment) == after_first
    assert recorder.paid == [payment.txn_ref]
    assert AuditEntry.objects.count() == audit_count
    assert Payment.objects.filter(status="paid").count() == 1


def test_out_of_order_failure_then_success(client, make_payment, recorder) -> None:
    payment = make_payment()
    cancel = ipn_params(payment, vnp_ResponseCode="24", vnp_TransactionStatus="02")
    assert call(client, cancel)["RspCode"] == "00"
    assert state(payment)[0] == Payment.Status.CANCELLED
    assert recorder.failed == [payment.txn_ref]
    # a success arriving after the failure: refused, flagged for a manual refund
    assert call(client, ipn_params(payment))["RspCode"] == "02"
    assert state(payment)[0] == Payment.Status.CANCELLED
    assert recorder.paid == []
    assert AuditEntry.objects.filter(
        action="payment.paid_after_close", object_id=str(payment.pk)
    ).exists()


def test_out_of_order_success_then_failure(client, make_payment, recorder) -> None:
    payment = make_payment()
    assert call(client, ipn_params(payment))["RspCode"] == "00"
    after = state(payment)
    late_failure = ipn_params(payment, vnp_ResponseCode="99", vnp_TransactionStatus="02")
    assert call(client, late_failure)["RspCode"] == "02"
    assert state(payment) == after
    assert recorder.failed == []


def test_failed_transaction_recorded_as_failed(client, make_payment, recorder) -> None:
    payment = make_payment()
    failed = ipn_params(payment, vnp_ResponseCode="51", vnp_TransactionStatus="02")
    assert call(client, failed)["RspCode"] == "00"
    assert state(payment)[0] == Payment.Status.FAILED
    assert recorder.failed == [payment.txn_ref] and recorder.paid == []


def test_callback_error_rolls_back_and_answers_99(client, make_payment, recorder) -> None:
    payment = make_payment()
    recorder.fail_next = True
    assert call(client, ipn_params(payment))["RspCode"] == "99"
    assert state(payment)[0] == Payment.Status.PENDING
    assert not AuditEntry.objects.filter(action="payment.paid").exists()
    # the gateway retries: now it goes through, once
    assert call(client, ipn_params(payment))["RspCode"] == "00"
    assert recorder.paid == [payment.txn_ref]


def test_counter_payment_is_not_an_online_order(client, make_payment, recorder) -> None:
    payment = make_payment(gateway="counter")
    assert call(client, ipn_params(payment))["RspCode"] == "01"
    assert state(payment)[0] == Payment.Status.PENDING


def test_ipn_only_get(client, make_payment) -> None:
    payment = make_payment()
    assert client.post(IPN, ipn_params(payment)).status_code == 405
    assert state(payment)[0] == Payment.Status.PENDING


def test_browser_return_never_records(client, make_payment, recorder) -> None:
    payment = make_payment()
    response = client.get("/payments/vnpay/return", ipn_params(payment))
    assert response.status_code == 200
    assert "đang chờ xác nhận" in response.content.decode()
    assert state(payment)[0] == Payment.Status.PENDING
    assert recorder.paid == []
    assert PaymentEvent.objects.filter(kind="return", payment=payment).count() == 1
    forged = client.get("/payments/vnpay/return", ipn_params(payment, secret="x"))
    assert forged.status_code == 400
    assert "không hợp lệ" in forged.content.decode()


def test_service_function_directly(make_payment, recorder) -> None:
    payment = make_payment()
    assert vnpay_ipn_process(params=ipn_params(payment)).code == "00"
    assert vnpay_ipn_process(params=ipn_params(payment)).code == "02"
    assert recorder.paid == [payment.txn_ref]
