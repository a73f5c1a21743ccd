"""Bookkeeping of the task engine. The queue itself is django-tasks-db's ``DBTaskResult``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class WorkerHeartbeat(models.Model):
    """A running worker process; a worker whose heartbeat is stale is dead (``kill -9``,
    lost machine) and the tasks it had claimed are put back in the queue."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("tiến trình xử lý nền")
        verbose_name_plural = _("tiến trình xử lý nền")

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class PeriodicRun(models.Model):
    """One row per (periodic job, time slot): the unique constraint makes sure that, with
    any number of workers, a slot is enqueued once."""

    name = models.CharField(max_length=120)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="jobs_periodic_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%d/%m/%Y %H:%M}"


class TaskEffect(models.Model):
    """Idempotency keys: an effect recorded here has happened and is not done again when
    a task runs a second time (after a crash or a retry)."""

    key = models.CharField(max_length=255, unique=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class _FailedManager(models.Manager["FailedTask"]):
    def get_queryset(self) -> models.QuerySet[FailedTask]:
        return super().get_queryset().filter(status="FAILED")


class FailedTask(DBTaskResult):
    """The queue's rows that failed after their last try (the administrators' page)."""

    objects = _FailedManager()  # type: ignore[misc,assignment]  # a proxy narrowing the base manager (django-stubs types the base one)

    class Meta:
        proxy = True
        verbose_name = _("tác vụ lỗi")
        verbose_name_plural = _("tác vụ lỗi (đã hết số lần thử)")


class SandboxMessage(models.Model):
    """What the in-platform sandboxes of outbound channels "sent" (SMS gateway, demo
    email): visible to administrators, never leaves the platform."""

    channel = models.CharField(_("kênh"), max_length=20)
    to = models.CharField(_("người nhận"), max_length=255)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    sent_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("tin nhắn (hộp thử)")
        verbose_name_plural = _("tin nhắn (hộp thử SMS, email)")

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}"
