"""Notifications go through the task queue: one task per channel, retried with backoff,
sent once, links absolute; a mail server that keeps failing ends on the admins' page."""

from __future__ import annotations

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tinhso.jobs.models import FailedTask, SandboxMessage
from tinhso.jobs.testing import queue_drain
from tinhso.services.services import dossier_act

FAILS = {"left": 0}


class FlakyEmailBackend(LocmemBackend):
    """Refuses while ``FAILS["left"]`` > 0, then delivers (to ``mail.outbox``)."""

    def send_messages(self, messages):
        if FAILS["left"] > 0:
            FAILS["left"] -= 1
            raise smtplib.SMTPServerDisconnected("mail server down")
        return super().send_messages(messages)


def _queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = f"{__name__}.FlakyEmailBackend"
    settings.TINHSO_NOTIFY_SENDERS = ["email", "sms"]
    settings.TINHSO_SMS_GATEWAY = "sandbox"
    settings.SITE_URL = "https://dichvucong.binhduong.example"


def _due_now():
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_failing_email_is_retried_then_visible_to_admins_and_retryable(
    settings, submit_birth, user_named, admin_client
):
    _queue(settings)
    d = submit_birth()
    mail.outbox.clear()
    SandboxMessage.objects.all().delete()
    DBTaskResult.objects.all().delete()
    FAILS["left"] = 99
    dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    # two tasks queued with the action (email, SMS), nothing sent yet
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert mail.outbox == [] and not SandboxMessage.objects.exists()
    queue_drain()
    sms = SandboxMessage.objects.get(channel="sms")
    assert (
        d.number in sms.body
        and "https://dichvucong.binhduong.example/dich-vu-cong/tra-cuu/" in sms.body
    )
    for _ in range(4):  # the email's tries 2..5, each after its backoff
        _due_now()
        queue_drain()
    failed = FailedTask.objects.get()
    assert failed.task_path.endswith("notification_send") and len(failed.worker_ids) == 5
    assert "SMTPServerDisconnected" in failed.exception_class_path
    assert mail.outbox == []
    page = admin_client.get("/admin/jobs/failedtask/").content.decode()
    assert "notification_send" in page
    # the mail server is back: the administrator runs it again, it is sent once
    FAILS["left"] = 0
    admin_client.post(
        "/admin/jobs/failedtask/", {"action": "retry", "_selected_action": [str(failed.pk)]}
    )
    queue_drain()
    assert len(mail.outbox) == 1 and d.number in mail.outbox[0].subject
    assert "https://dichvucong.binhduong.example/dich-vu-cong/tra-cuu/?so=" in mail.outbox[0].body
    assert SandboxMessage.objects.filter(channel="sms").count() == 1  # SMS not sent again


def test_transient_email_failure_is_sent_once_after_a_retry(settings, submit_birth, user_named):
    _queue(settings)
    d = submit_birth()
    mail.outbox.clear()
    DBTaskResult.objects.all().delete()
    FAILS["left"] = 1
    dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    queue_drain()
    assert mail.outbox == []
    email_task = DBTaskResult.objects.get(task_path__endswith="notification_send", status="READY")
    assert email_task.run_after > timezone.now()  # backoff
    _due_now()
    queue_drain()
    assert len(mail.outbox) == 1
    # a duplicate run of the same message (e.g. after a crash) sends nothing
    DBTaskResult.objects.filter(pk=email_task.pk).update(status="READY", run_after=timezone.now())
    queue_drain()
    assert len(mail.outbox) == 1
