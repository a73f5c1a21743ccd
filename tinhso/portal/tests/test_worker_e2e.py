"""The demo's promise, with a real worker process: submitting a dossier queues an email, an
SMS and the national portal synchronisation; nothing is sent while no worker runs; a
started worker delivers all three (email and SMS sandboxes, national portal sandbox)."""

from __future__ import annotations

import signal

import pytest
from django_tasks_db.models import DBTaskResult

from tinhso.jobs.models import SandboxMessage
from tinhso.jobs.tests.test_engine import _wait, _worker
from tinhso.portal.models import SandboxReceipt
from tinhso.services.models import PortalOutbox


@pytest.mark.django_db(transaction=True)
def test_submission_is_delivered_by_the_worker(tmp_path, settings, submit_birth):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TINHSO_NOTIFY_SENDERS = ["email", "sms"]
    d = submit_birth()
    # no worker: all of it waits in the queue and the outbox
    assert DBTaskResult.objects.filter(status="READY").count() == 2  # email, SMS
    assert not SandboxMessage.objects.exists() and not SandboxReceipt.objects.exists()
    assert PortalOutbox.objects.filter(dossier=d, delivered_at__isnull=True).count() == 1
    worker = _worker(tmp_path, periodic=True)
    try:
        _wait(lambda: SandboxReceipt.objects.filter(dossier_number=d.number).exists(), 90)
        _wait(lambda: SandboxMessage.objects.filter(channel__in=["email", "sms"]).count() == 2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    email = SandboxMessage.objects.get(channel="email")
    assert d.number in email.subject and "http://127.0.0.1:8000/dich-vu-cong/tra-cuu/" in email.body
    assert SandboxMessage.objects.get(channel="sms").to == d.applicant_phone
    receipt = SandboxReceipt.objects.get(dossier_number=d.number)
    assert receipt.service == "DongBoHoSoMC" and receipt.payload["TrangThaiHoSo"] == 1
    assert PortalOutbox.objects.get(dossier=d).delivered_at is not None
