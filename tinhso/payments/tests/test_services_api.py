from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.orgs.models import OrgUnit
from tinhso.payments.models import Payment
from tinhso.payments.receipts import amount_in_words, format_vnd, receipt_pdf
from tinhso.payments.services import (
    payment_counter_confirm,
    payment_create,
    payment_success_register,
    vnpay_ipn_process,
)

from .conftest import PURPOSE, ipn_params

pytestmark = pytest.mark.django_db


def test_create_validates_input(unit, payer) -> None:
    base = {
        "payer": payer,
        "org_unit": unit,
        "amount": 10_000,
        "purpose": PURPOSE,
        "object_ref": "x1",
        "description": "Phí",
    }
    for bad in (
        {"amount": 0},
        {"amount": -5},
        {"amount": 10.5},
        {"amount": "10000"},
        {"amount": True},
        {"purpose": ""},
        {"object_ref": ""},
        {"description": "  "},
        {"gateway": "bitcoin"},
        {"next_url": "https://evil.example/"},
        {"next_url": "//evil.example/"},
    ):
        with pytest.raises(ValidationError):
            payment_create(**{**base, **bad})
    assert not Payment.objects.exists()


def test_create_reuses_pending_and_refuses_paid(make_payment, user_named) -> None:
    first = make_payment(object_ref="dossier-1")
    assert make_payment(object_ref="dossier-1").pk == first.pk  # second tab
    with pytest.raises(ValidationError):
        make_payment(object_ref="dossier-1", amount=99_000)
    with pytest.raises(ValidationError):
        make_payment(object_ref="dossier-1", payer=user_named("doanhnghiep"))
    assert vnpay_ipn_process(params=ipn_params(first)).code == "00"
    with pytest.raises(ValidationError, match="đã được thanh toán"):
        make_payment(object_ref="dossier-1")
    assert Payment.objects.filter(object_ref="dossier-1").count() == 1


def test_callback_registration_is_idempotent(make_payment) -> None:
    calls: list[str] = []

    def cb(payment: Payment) -> None:
        calls.append(payment.txn_ref)

    payment_success_register("idem_fee", cb)
    payment_success_register("idem_fee", cb)
    try:
        payment = make_payment(purpose="idem_fee")
        vnpay_ipn_process(params=ipn_params(payment))
        vnpay_ipn_process(params=ipn_params(payment))
        assert calls == [payment.txn_ref]
    finally:
        from tinhso.payments import services

        services._SUCCESS.pop("idem_fee")


def test_counter_confirm_permission(make_payment, user_named, recorder) -> None:
    payment = make_payment(gateway="counter")
    with pytest.raises(PermissionDenied):
        payment_counter_confirm(actor=user_named("canbo.thuanan"), payment=payment)
    with pytest.raises(PermissionDenied):
        payment_counter_confirm(actor=user_named("congdan"), payment=payment)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    payment_counter_confirm(actor=user_named("canbo.dian"), payment=payment)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.settled_by == "counter"
    assert recorder.paid == [payment.txn_ref]
    with pytest.raises(ValidationError):
        payment_counter_confirm(actor=user_named("canbo.dian"), payment=payment)
    online = make_payment()
    with pytest.raises(ValidationError):
        payment_counter_confirm(actor=user_named("canbo.dian"), payment=online)


def test_api_status_scoping(client, make_payment, user_named) -> None:
    payment = make_payment()
    url = f"/api/v1/payments/{payment.txn_ref}"
    assert client.get(url).status_code == 401
    client.force_login(user_named("congdan"))
    body = client.get(url).json()
    assert body["status"] == "pending" and body["amount"] == 50_000
    assert body["pay_url"] == f"/payments/{payment.txn_ref}/thanh-toan"
    assert body["receipt_url"] is None
    client.force_login(user_named("canbo.dian"))  # official of the beneficiary unit
    assert client.get(url).json()["pay_url"] is None
    for outsider in ("doanhnghiep", "canbo.thuanan"):
        client.force_login(user_named(outsider))
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.force_login(user_named("vanphong.cds"))  # province DX office: whole province
    assert client.get(url).status_code == 200
    client.force_login(user_named("congdan"))
    assert client.get("/api/v1/payments/NOPE").status_code == 404
    vnpay_ipn_process(params=ipn_params(payment))
    body = client.get(url).json()
    assert body["status"] == "paid" and body["receipt_url"].endswith("bien-lai.pdf")


def test_receipt(client, make_payment, user_named) -> None:
    payment = make_payment(amount=1_250_000)
    client.force_login(user_named("congdan"))
    receipt_url = f"/payments/{payment.txn_ref}/bien-lai.pdf"
    assert client.get(receipt_url).status_code == 404  # not paid yet
    vnpay_ipn_process(params=ipn_params(payment))
    response = client.get(receipt_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(user_named("canbo.thuanan"))
    assert client.get(receipt_url).status_code == 404
    client.logout()
    assert client.get(receipt_url).status_code == 302  # to login
    with pytest.raises(ValueError):
        receipt_pdf(payment=make_payment())


def test_receipt_text_is_vietnamese(make_payment) -> None:
    import subprocess
    import tempfile

    payment = make_payment(amount=1_250_000)
    vnpay_ipn_process(params=ipn_params(payment))
    payment.refresh_from_db()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(receipt_pdf(payment=payment))
        fh.flush()
        text = subprocess.run(
            ["/usr/bin/pdftotext", fh.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ" in text
    assert "1.250.000 ₫" in text
    assert "Một triệu hai trăm năm mươi nghìn đồng" in text
    assert payment.receipt_number in text


def test_pages_scoped(client, make_payment, user_named) -> None:
    payment = make_payment()
    client.force_login(user_named("doanhnghiep"))
    assert client.get(payment.get_absolute_url()).status_code == 404
    assert client.get(f"/payments/{payment.txn_ref}/thanh-toan").status_code == 404
    assert client.get("/payments/").content.decode().count(payment.txn_ref) == 0
    client.force_login(user_named("canbo.dian"))
    page = client.get(payment.get_absolute_url()).content.decode()
    assert "Nhật ký giao dịch" in page
    # officials see the payment but cannot start paying it for the citizen
    assert client.get(f"/payments/{payment.txn_ref}/thanh-toan").status_code == 404
    assert payment.txn_ref in client.get("/payments/").content.decode()


def test_money_formatting() -> None:
    assert format_vnd(1_250_000) == "1.250.000 ₫"
    assert format_vnd(500) == "500 ₫"
    assert amount_in_words(0) == "Không đồng"
    assert amount_in_words(21) == "Hai mươi mốt đồng"
    assert amount_in_words(15) == "Mười lăm đồng"
    assert amount_in_words(105) == "Một trăm lẻ năm đồng"
    assert amount_in_words(1_005_000) == "Một triệu không trăm lẻ năm nghìn đồng"
    assert amount_in_words(50_000) == "Năm mươi nghìn đồng"
    assert amount_in_words(2_000_000_000) == "Hai tỷ đồng"
    assert amount_in_words(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng"


def test_expired_payment_cannot_be_started(client, make_payment, payer) -> None:
    import datetime as dt

    payment = make_payment()
    Payment.objects.filter(pk=payment.pk).update(
        expires_at=payment.created_at - dt.timedelta(seconds=1)
    )
    client.force_login(payer)
    response = client.get(f"/payments/{payment.txn_ref}/thanh-toan")
    assert response.status_code == 302 and response["Location"] == payment.get_absolute_url()
    # and a new payment is opened for the same object instead of reusing it
    fresh = payment_create(
        payer=payer,
        org_unit=OrgUnit.objects.get(code="724"),
        amount=payment.amount,
        purpose=payment.purpose,
        object_ref=payment.object_ref,
        description="Phí",
    )
    assert fresh.pk != payment.pk


def test_role_page_panel(make_payment, user_named) -> None:
    from tinhso.panels import panels_for

    make_payment()
    titles = {p.title: p for p in panels_for(user_named("canbo.dian"))}
    panel = titles["Thanh toán phí, lệ phí"]
    assert dict(panel.figures)["Chờ thanh toán"] == 1
    outsider = {p.title: p for p in panels_for(user_named("canbo.thuanan"))}
    assert dict(outsider["Thanh toán phí, lệ phí"].figures)["Chờ thanh toán"] == 0
    assert "Thanh toán phí, lệ phí" not in {p.title for p in panels_for(user_named("doanhnghiep"))}
