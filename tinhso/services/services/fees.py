"""Fees: online payment (payments app) and cash at the counter."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import (
    user_can,
)
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.services.models import (
    Dossier,
    Status,
)
from tinhso.services.services.changes import _lock_dossier
from tinhso.services.services.hooks import dossier_payment_confirmed

# ---------------------------------------------------------------------------------------
# Fees: online payment (payments app) and cash at the counter
# ---------------------------------------------------------------------------------------

FEE_PURPOSE = "dossier_fee"
RESULT_PURPOSE = "dossier_result"


def _fee_description(dossier: Dossier) -> str:
    # Stored as the payment's content: printed on the (Vietnamese, legal) e-receipt and sent
    # to the gateway as the order information, so Vietnamese whatever the payer's language.
    return f"Phí, lệ phí hồ sơ {dossier.number} — {dossier.procedure.name[:120]}"


def _fee_check_payable(dossier: Dossier | None) -> Dossier:
    if dossier is None:
        raise PermissionDenied(_("Không tìm thấy hồ sơ."))
    if dossier.status != Status.FINANCIAL or not dossier.fee_amount:
        raise ValidationError(_("Hồ sơ này hiện không có khoản phí, lệ phí cần nộp."))
    if dossier.fee_paid_at is not None:
        raise ValidationError(_("Phí, lệ phí của hồ sơ này đã được nộp."))
    return dossier


def dossier_fee_pay_start(*, user: AnyUser, dossier_id: int, client_ip: str | None = None) -> Any:
    """The applicant opens (or resumes) the online payment of the fee; returns the
    ``Payment`` (send the browser to ``payments:start``)."""
    from tinhso.payments.services import payment_create

    dossier = Dossier.objects.select_related("procedure", "org_unit").filter(pk=dossier_id).first()
    if dossier is None or dossier.applicant_id is None or dossier.applicant_id != user.pk:
        raise PermissionDenied(_("Không tìm thấy hồ sơ của bạn."))
    _fee_check_payable(dossier)
    return payment_create(
        payer=user,
        org_unit=dossier.org_unit,
        amount=int(dossier.fee_amount or 0),
        purpose=FEE_PURPOSE,
        object_ref=str(dossier.pk),
        description=_fee_description(dossier),
        next_url=reverse("services:dossier", args=[dossier.pk]),
        client_ip=client_ip,
    )


def dossier_fee_collect_at_counter(*, officer: Any, dossier_id: int) -> Any:
    """An officer of the receiving unit takes the fee in cash at the counter (gateway
    "counter"): the payment is recorded and the dossier resumes, in one transaction."""
    from tinhso.payments.services import payment_counter_confirm, payment_create

    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        # permission first: whether a dossier exists or awaits a fee is not told to others
        if dossier is None or not user_can(
            user=officer, action="services.act.officer", org_unit=dossier.org_unit
        ):
            raise PermissionDenied(_("Bạn không có quyền thu phí cho hồ sơ này."))
        dossier = _fee_check_payable(dossier)
        payment = payment_create(
            payer=dossier.applicant or officer,
            org_unit=dossier.org_unit,
            amount=int(dossier.fee_amount or 0),
            purpose=FEE_PURPOSE,
            object_ref=str(dossier.pk),
            description=_fee_description(dossier),
            gateway="counter",
            next_url=reverse("services:dossier", args=[dossier.pk]),
        )
        return payment_counter_confirm(actor=officer, payment=payment)


def on_fee_paid(payment: Any) -> None:
    """payments' success callback for "dossier_fee" (inside the payment's transaction;
    raising rolls the payment back, so only a missing dossier raises)."""
    try:
        dossier_id = int(payment.object_ref)
    except ValueError as exc:
        raise ValidationError(f"bad dossier reference {payment.object_ref!r}") from exc
    dossier = Dossier.objects.filter(pk=dossier_id).only("fee_amount").first()
    if dossier is not None and dossier.fee_amount != payment.amount:
        audit_record(
            actor=None,
            action="services.dossier_fee_amount_mismatch",
            obj=dossier,
            extra={"payment": payment.txn_ref, "paid": payment.amount, "due": dossier.fee_amount},
        )
    dossier_payment_confirmed(
        dossier_id=dossier_id,
        online=payment.gateway != "counter",
        paid_at=payment.paid_at or timezone.now(),
        payment_ref=payment.txn_ref,
    )
