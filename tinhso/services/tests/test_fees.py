"""Fees: requested per the procedure's timing (status 6, clock paused), paid online through
the sandbox bank (IPN → payments callback → dossier) or in cash at the counter. Double,
late and missing IPNs leave the dossier paid once and resumed once."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tinhso.payments.models import Payment, PaymentEvent, SandboxTransaction
from tinhso.payments.sandbox import sandbox_deliver_due
from tinhso.payments.services import payments_reconcile, vnpay_ipn_process
from tinhso.services.models import Dossier, DossierEvent, ServiceDailyStat, Status
from tinhso.services.services import (
    dossier_act,
    dossier_fee_collect_at_counter,
    dossier_fee_pay_start,
)

pytestmark = pytest.mark.django_db


def act(user, d, code, **kw):
    return dossier_act(user=user, dossier_id=d.pk, action_code=code, version=d.version, **kw)


@pytest.fixture
def owed(submit_copy, user_named, settings):
    """A fee-paying dossier received by the Dĩ An officer: waiting for the fee."""
    settings.PAYMENTS_SANDBOX_BACKGROUND = False
    return act(user_named("canbo.dian"), submit_copy(), "receive")


def to_bank(client, dossier) -> SandboxTransaction:
    """The applicant clicks "Nộp phí trực tuyến" and lands on the sandbox bank page."""
    r = client.post(f"/dich-vu-cong/ho-so/{dossier.pk}/nop-phi/")
    assert r.status_code == 302 and "/thanh-toan" in r["Location"]
    r = client.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith("/payments/sandbox/pay?")
    page = client.get(r["Location"])
    assert page.status_code == 200 and "8.000 ₫" in page.content.decode()
    return SandboxTransaction.objects.get()


def decide(client, txn, decision="approve", mode="normal") -> str:
    r = client.post(
        "/payments/sandbox/pay", {"token": txn.token, "decision": decision, "mode": mode}
    )
    assert r.status_code == 302
    return r["Location"]


def paid_events(d) -> int:
    return DossierEvent.objects.filter(dossier=d, action="paid").count()


def fee_stats(d) -> tuple[int, int]:
    row = ServiceDailyStat.objects.get(org_unit=d.org_unit, procedure_code=d.procedure.code)
    return row.fees_total, row.fees_online


@pytest.fixture
def applicant_client(client, user_named):
    client.force_login(user_named("congdan"))
    return client


def test_fee_requested_at_receipt_pauses_the_clock(owed):
    assert owed.status == Status.FINANCIAL
    assert owed.step.code == "payment_receipt"
    assert owed.fee_amount == 8000 and owed.fee_paid_at is None
    assert owed.paused_since is not None and owed.due_at is not None
    assert list(owed.events.values_list("action", flat=True)) == [
        "submit",
        "receive",
        "request_fee",
    ]


def test_my_dossiers_offers_online_payment(owed, applicant_client):
    html = applicant_client.get("/dich-vu-cong/ho-so-cua-toi/").content.decode()
    assert "Nộp phí trực tuyến" in html and "8.000 ₫" in html


def test_pay_online_ipn_twice_records_once_and_resumes_once(owed, applicant_client):
    txn = to_bank(applicant_client, owed)
    back = decide(applicant_client, txn, mode="twice")
    d = Dossier.objects.get(pk=owed.pk)
    assert d.status == Status.RECEIVED and d.paused_since is None
    assert d.fee_paid_at is not None and d.fee_paid_online
    assert paid_events(d) == 1 and d.pauses.count() == 1 and d.pauses.get().ended_at
    assert fee_stats(d) == (1, 1)
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PAID and payment.receipt_number
    codes = PaymentEvent.objects.filter(kind="ipn").values_list("result_code", flat=True)
    assert list(codes) == ["00", "02"]
    # the browser return only shows a message; the dossier page shows the receipt
    assert "Thanh toán thành công" in applicant_client.get(back).content.decode()
    page = applicant_client.get(f"/dich-vu-cong/ho-so/{d.pk}/").content.decode()
    assert "Biên lai điện tử (PDF)" in page and "Nộp phí trực tuyến" not in page
    receipt = applicant_client.get(f"/payments/{payment.txn_ref}/bien-lai.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_due_date_moves_by_the_paused_time(owed):
    due_before = owed.due_at
    # paid the next working day: the due moment moves by the working time waited
    later = timezone.now() + dt.timedelta(days=3)
    from tinhso.services.services import dossier_payment_confirmed

    Dossier.objects.filter(pk=owed.pk).update(paused_since=owed.paused_since)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        d = dossier_payment_confirmed(dossier_id=owed.pk, online=True, paid_at=later)
    assert d.status == Status.RECEIVED
    assert d.due_at > due_before


def test_late_ipn(owed, applicant_client):
    txn = to_bank(applicant_client, owed)
    back = decide(applicant_client, txn, mode="late")
    # the browser is back before the IPN: nothing recorded, dossier still waits
    assert "đang chờ xác nhận" in applicant_client.get(back).content.decode()
    assert Dossier.objects.get(pk=owed.pk).status == Status.FINANCIAL
    assert sandbox_deliver_due(now=timezone.now() + dt.timedelta(minutes=5)) == 1
    d = Dossier.objects.get(pk=owed.pk)
    assert d.status == Status.RECEIVED and paid_events(d) == 1
    assert sandbox_deliver_due(now=timezone.now() + dt.timedelta(minutes=5)) == 0
    assert fee_stats(d) == (1, 1)


def test_missing_ipn_settled_by_reconciliation_then_replayed_ipn(owed, applicant_client):
    txn = to_bank(applicant_client, owed)
    back = decide(applicant_client, txn, mode="never")
    assert Dossier.objects.get(pk=owed.pk).status == Status.FINANCIAL
    lines = payments_reconcile(older_than=dt.timedelta(0))
    assert [line.after for line in lines] == ["paid"]
    d = Dossier.objects.get(pk=owed.pk)
    assert d.status == Status.RECEIVED and d.fee_paid_at is not None and paid_events(d) == 1
    # the gateway's IPN finally arrives (replayed from the return URL's signed params)
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
    assert vnpay_ipn_process(params=params).code == "02"
    d = Dossier.objects.get(pk=owed.pk)
    assert paid_events(d) == 1 and d.pauses.count() == 1 and fee_stats(d) == (1, 1)


def test_forged_ipn_changes_nothing(owed, applicant_client):
    txn = to_bank(applicant_client, owed)
    decide(applicant_client, txn, mode="never")
    payment = Payment.objects.get()
    forged = {"vnp_TxnRef": payment.txn_ref, "vnp_Amount": "800000", "vnp_ResponseCode": "00"}
    assert vnpay_ipn_process(params={**forged, "vnp_SecureHash": "00"}).code == "97"
    d = Dossier.objects.get(pk=owed.pk)
    assert d.status == Status.FINANCIAL and d.fee_paid_at is None


def test_cancel_at_bank_then_pay_again(owed, applicant_client):
    txn = to_bank(applicant_client, owed)
    decide(applicant_client, txn, decision="cancel")
    first = Payment.objects.get()
    assert first.status == Payment.Status.CANCELLED
    assert Dossier.objects.get(pk=owed.pk).status == Status.FINANCIAL
    second = dossier_fee_pay_start(user=owed.applicant, dossier_id=owed.pk)
    assert second.pk != first.pk and second.status == Payment.Status.PENDING


def test_pay_start_rules(owed, user_named, submit_copy):
    again = dossier_fee_pay_start(user=owed.applicant, dossier_id=owed.pk)
    assert dossier_fee_pay_start(user=owed.applicant, dossier_id=owed.pk).pk == again.pk
    assert again.amount == 8000 and again.object_ref == str(owed.pk)
    with pytest.raises(PermissionDenied):
        dossier_fee_pay_start(user=user_named("doanhnghiep"), dossier_id=owed.pk)
    not_received = submit_copy()
    with pytest.raises(ValidationError):
        dossier_fee_pay_start(user=not_received.applicant, dossier_id=not_received.pk)


def test_cash_at_the_counter_for_an_in_person_dossier(copy_proc, user_named, ward_dian):
    from tinhso.services.services import ApplicantInfo, dossier_register_in_person

    from .conftest import COPY_FORM

    officer = user_named("canbo.dian")
    d = dossier_register_in_person(
        officer=officer,
        procedure=copy_proc,
        org_unit=ward_dian,
        applicant=ApplicantInfo(name="Lê Văn Tám", id_number="074090001234"),
        form_data=COPY_FORM,
        files={},
    )
    assert d.status == Status.FINANCIAL
    with pytest.raises(PermissionDenied):
        dossier_fee_collect_at_counter(officer=user_named("canbo.thuanan"), dossier_id=d.pk)
    payment = dossier_fee_collect_at_counter(officer=officer, dossier_id=d.pk)
    assert payment.gateway == "counter" and payment.status == Payment.Status.PAID
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and not d.fee_paid_online and fee_stats(d) == (1, 0)
    with pytest.raises(ValidationError):
        dossier_fee_collect_at_counter(officer=officer, dossier_id=d.pk)


def test_fee_after_processing(submit_birth, birth, user_named):
    """Fee timing "after": requested when the officer forwards for approval; the head can
    approve only once it is paid."""
    from tinhso.services.services import dossier_payment_confirmed

    birth.channels.update(fee_amount=20_000, fee_currency="VND", fee_is_free=False)
    birth.fee_timing = "after"
    birth.save(update_fields=["fee_timing"])
    officer, head = user_named("canbo.dian"), user_named("lanhdao.dian")
    d = act(officer, submit_birth(), "receive")
    assert d.status == Status.RECEIVED  # not yet
    d = act(officer, d, "assign")
    d = act(officer, d, "forward")
    assert d.status == Status.FINANCIAL and d.step.code == "payment_approval" and d.paused_since
    with pytest.raises(ValidationError):
        act(head, d, "approve")
    d = dossier_payment_confirmed(dossier_id=d.pk, online=True, paid_at=timezone.now())
    assert d.step.code == "approval" and d.paused_since is None
    d = act(head, d, "approve")
    assert d.status == Status.PROCESSED


def test_free_procedure_is_not_paused(submit_birth, user_named):
    d = act(user_named("canbo.dian"), submit_birth(), "receive")
    assert d.status == Status.RECEIVED and d.fee_amount is None


def test_process_upgrade_adds_new_steps(services_demo):
    from tinhso.services import workflow
    from tinhso.services.models import Process, ProcessAction, ProcessStep

    process = Process.objects.get(is_default=True)
    ProcessAction.objects.filter(
        process=process, code__in=["request_fee", "deliver_online"]
    ).delete()
    ProcessStep.objects.filter(process=process, code="payment_receipt").delete()
    workflow._UPGRADED.discard(process.pk)
    workflow.process_ensure_default()
    assert process.steps.filter(code="payment_receipt").exists()
    assert ProcessAction.objects.filter(process=process, code="request_fee").count() == 2
    assert workflow.process_validate(process=process) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_ipns_resume_the_dossier_once(submit_copy, user_named, settings):
    import threading

    from django.db import connection, connections

    from tinhso.payments import vnpay

    settings.PAYMENTS_SANDBOX_BACKGROUND = False
    d = act(user_named("canbo.dian"), submit_copy(), "receive")
    payment = dossier_fee_pay_start(user=d.applicant, dossier_id=d.pk)
    params = vnpay.signed_params(
        {
            "vnp_TmnCode": settings.VNPAY_TMN_CODE,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": "Le phi",
            "vnp_PayDate": "20260101103000",
            "vnp_ResponseCode": "00",
            "vnp_TransactionNo": "14000001",
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": payment.txn_ref,
        },
        settings.VNPAY_HASH_SECRET,
    )
    workers = 6
    barrier = threading.Barrier(workers)
    codes: list[str] = []
    lock = threading.Lock()

    def send() -> None:
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
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.RECEIVED and paid_events(d) == 1 and fee_stats(d) == (1, 1)
