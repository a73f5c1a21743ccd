"""Reads of the payments app."""

from __future__ import annotations

from django.db.models import QuerySet

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_can, visible_q
from tinhso.accounts.usertypes import AnyUser
from tinhso.payments import permissions as _permissions  # noqa: F401  (registers actions)
from tinhso.payments.models import Payment, PaymentEvent


def payment_get(*, txn_ref: str) -> Payment | None:
    return Payment.objects.select_related("payer", "org_unit").filter(txn_ref=txn_ref[:40]).first()


def payment_can_view(*, user: AnyUser, payment: Payment) -> bool:
    """The payer, or an official whose scope covers the beneficiary unit."""
    return user_can(user=user, action="payments.view", obj=payment)


def payment_list_visible(*, user: AnyUser) -> QuerySet[Payment]:
    """Payments the user may see: their own plus those of the units in their scope."""
    if not isinstance(user, User):  # anonymous
        return Payment.objects.none()
    return (
        Payment.objects.filter(visible_q(user, "payments.view"))
        .select_related("payer", "org_unit")
        .distinct()
    )


def payments_for_object(*, purpose: str, object_ref: str) -> QuerySet[Payment]:
    """All payments opened for the caller's object, newest first."""
    return Payment.objects.filter(purpose=purpose, object_ref=object_ref).order_by("-created_at")


def payment_paid_for_object(*, purpose: str, object_ref: str) -> Payment | None:
    return (
        payments_for_object(purpose=purpose, object_ref=object_ref)
        .filter(status=Payment.Status.PAID)
        .first()
    )


def payment_events(*, payment: Payment) -> QuerySet[PaymentEvent]:
    return PaymentEvent.objects.filter(payment=payment).order_by("created_at", "pk")
