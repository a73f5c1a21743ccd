"""JSON API of the payments app (mounted by tinhso.api at /api/v1/payments)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Router, Schema
from ninja.security import django_auth

from tinhso.apierrors import ApiError
from tinhso.payments.models import Payment
from tinhso.payments.selectors import payment_can_view, payment_get

router = Router(tags=["payments"])


class PaymentOut(Schema):
    txn_ref: str
    status: str
    status_label: str
    amount: int
    currency: str = "VND"
    description: str
    purpose: str
    object_ref: str
    org_unit_code: str
    org_unit_name: str
    gateway: str
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None
    gateway_txn_no: str
    receipt_number: str | None
    receipt_url: str | None
    pay_url: str | None


@router.get(
    "/{txn_ref}",
    response=PaymentOut,
    auth=django_auth,
    summary="Trạng thái một khoản thanh toán",
    description=(
        "Dành cho người nộp và cán bộ của đơn vị thụ hưởng (trong phạm vi). Khoản không tồn "
        "tại hoặc không được xem đều trả 404 `not_found`."
    ),
)
def payment_status(request: HttpRequest, txn_ref: str) -> dict:
    payment = payment_get(txn_ref=txn_ref)
    if payment is None or not payment_can_view(user=request.user, payment=payment):
        raise ApiError("not_found", gettext("Không tìm thấy khoản thanh toán."), status=404)
    paid = payment.status == Payment.Status.PAID
    payable = (
        payment.status == Payment.Status.PENDING
        and payment.gateway != Payment.Gateway.COUNTER
        and payment.payer_id == request.user.pk
    )
    return {
        "txn_ref": payment.txn_ref,
        "status": payment.status,
        "status_label": payment.get_status_display(),
        "amount": payment.amount,
        "description": payment.description,
        "purpose": payment.purpose,
        "object_ref": payment.object_ref,
        "org_unit_code": payment.org_unit.code,
        "org_unit_name": payment.org_unit.name,
        "gateway": payment.gateway,
        "created_at": payment.created_at,
        "expires_at": payment.expires_at,
        "paid_at": payment.paid_at,
        "gateway_txn_no": payment.gateway_txn_no,
        "receipt_number": payment.receipt_number,
        "receipt_url": reverse("payments:receipt", args=[payment.txn_ref]) if paid else None,
        "pay_url": reverse("payments:start", args=[payment.txn_ref]) if payable else None,
    }
