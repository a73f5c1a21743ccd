"""Issue 14, one permission layer: a payment is its payer's and the officials' of the
beneficiary unit's scope (``payments.view`` with ``owner="payer"`` in
``tinhso.accounts.permissions``); nobody else sees or cancels it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tinhso.accounts.permissions import user_can, visible_q
from tinhso.payments.models import Payment
from tinhso.payments.selectors import payment_list_visible
from tinhso.payments.services import payment_cancel

pytestmark = pytest.mark.django_db


def test_payment_pages_answer_the_owner_and_the_unit_only(
    client: Any, make_payment: Any, user_named: Any
) -> None:
    payment = make_payment()
    url = f"/payments/{payment.txn_ref}/"
    for name, status in (
        ("congdan", 200),  # the payer
        ("canbo.dian", 200),  # an official of the beneficiary unit (724)
        ("doanhnghiep", 404),  # another applicant
        ("canbo.thuanan", 404),  # an official of another unit (725)
    ):
        client.force_login(user_named(name))
        assert client.get(url).status_code == status, name
        listed = client.get("/payments/").content.decode()
        assert (payment.txn_ref in listed) == (status == 200), name


def test_the_layer_decides_for_objects_and_querysets(make_payment: Any, user_named: Any) -> None:
    payment = make_payment()
    for name, allowed in (
        ("congdan", True),
        ("canbo.dian", True),
        ("vanphong.cds", True),  # the province's DX office: the whole province
        ("admin", True),
        ("doanhnghiep", False),
        ("canbo.thuanan", False),
    ):
        user = user_named(name)
        assert user_can(user=user, action="payments.view", obj=payment) is allowed, name
        in_qs = Payment.objects.filter(visible_q(user, "payments.view"), pk=payment.pk).exists()
        assert in_qs is allowed, name
        assert payment_list_visible(user=user).filter(pk=payment.pk).exists() is allowed, name


def test_only_the_payer_or_the_units_head_cancels(make_payment: Any, user_named: Any) -> None:
    payment = make_payment(gateway=Payment.Gateway.COUNTER)
    for name in ("doanhnghiep", "lanhdao.thuanan", "canbo.dian"):
        with pytest.raises(PermissionDenied):
            payment_cancel(actor=user_named(name), payment=payment)
    payment_cancel(actor=user_named("congdan"), payment=payment)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
