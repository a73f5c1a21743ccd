"""Concurrent duplicate IPNs record one payment (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tinhso.orgs.models import OrgUnit
from tinhso.payments.models import Payment, PaymentEvent
from tinhso.payments.services import payment_create, vnpay_ipn_process

from .conftest import PURPOSE, ipn_params


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_ipns_record_one_payment(demo_users, user_named, recorder) -> None:
    payment = payment_create(
        payer=user_named("congdan"),
        org_unit=OrgUnit.objects.get(code="724"),
        amount=75_000,
        purpose=PURPOSE,
        object_ref="race-1",
        description="Lệ phí",
    )
    params = ipn_params(payment)
    workers = 8
    barrier = threading.Barrier(workers)
    codes: list[str] = []
    lock = threading.Lock()

    def send() -> None:
        from django.db import connections

        try:
            barrier.wait()
            code = vnpay_ipn_process(params=params).code
            with lock:
                codes.append(code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert connection.vendor == "postgresql"
    assert sorted(codes) == ["00"] + ["02"] * (workers - 1)
    assert recorder.paid == [payment.txn_ref]
    assert Payment.objects.filter(status="paid").count() == 1
    assert PaymentEvent.objects.filter(payment=payment, kind="ipn").count() == workers
