from __future__ import annotations

from typing import Any

import pytest

from tinhso.orgs.models import OrgUnit
from tinhso.payments import services, vnpay
from tinhso.payments.models import Payment

PURPOSE = "test_fee"
SECRET = "demo-only-sandbox-secret"  # settings default in tests


class Recorder:
    def __init__(self) -> None:
        self.paid: list[str] = []
        self.failed: list[str] = []
        self.fail_next = False

    def on_paid(self, payment: Payment) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("caller failure")
        # inside the recording transaction: the row is already "paid"
        assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
        self.paid.append(payment.txn_ref)

    def on_failed(self, payment: Payment) -> None:
        self.failed.append(payment.txn_ref)


@pytest.fixture
def recorder() -> Any:
    rec = Recorder()
    services.payment_success_register(PURPOSE, rec.on_paid)
    services.payment_failure_register(PURPOSE, rec.on_failed)
    yield rec
    services._SUCCESS[PURPOSE].remove(rec.on_paid)
    services._FAILURE[PURPOSE].remove(rec.on_failed)


@pytest.fixture
def unit(demo_users: None) -> OrgUnit:
    return OrgUnit.objects.get(code="724")


@pytest.fixture
def payer(user_named: Any) -> Any:
    return user_named("congdan")


@pytest.fixture
def make_payment(unit: OrgUnit, payer: Any) -> Any:
    counter = {"n": 0}

    def make(amount: int = 50_000, **kwargs: Any) -> Payment:
        counter["n"] += 1
        fields = {
            "payer": payer,
            "org_unit": unit,
            "amount": amount,
            "purpose": PURPOSE,
            "object_ref": f"obj-{counter['n']}",
            "description": "Lệ phí cấp giấy chứng nhận",
        }
        fields.update(kwargs)
        return services.payment_create(**fields)

    return make


def ipn_params(payment: Payment, *, secret: str = SECRET, **overrides: str) -> dict[str, str]:
    """What the gateway sends for ``payment`` (success unless overridden), signed."""
    params = {
        "vnp_TmnCode": "TINHSODEMO",
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14000001",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Le phi",
        "vnp_PayDate": "20250101103000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": payment.txn_ref,
    }
    params.update(overrides)
    return vnpay.signed_params(params, secret)
