"""The link to the national public-service portal. The outbox itself is
``services.PortalOutbox`` (written in the dossier's transaction); here are the
administrators' dead-letter view of it and the in-platform sandbox of the portal."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.services.models import PortalOutbox


class _DeadManager(models.Manager["DeadLetter"]):
    def get_queryset(self) -> models.QuerySet[DeadLetter]:
        return super().get_queryset().filter(dead=True, delivered_at__isnull=True)


class DeadLetter(PortalOutbox):
    """Messages the portal refused until the last try: the dossier's later messages wait
    behind them (order per dossier), until an administrator sends them again."""

    objects = _DeadManager()  # type: ignore[misc]  # a proxy narrowing the base manager (django-stubs types the base one)

    class Meta:
        proxy = True
        verbose_name = _("tin gửi Cổng DVCQG bị lỗi")
        verbose_name_plural = _("tin gửi Cổng DVCQG bị lỗi (dead letter)")


class SandboxConfig(models.Model):
    """How the sandbox portal behaves (one row): to rehearse failures in the demo."""

    class Mode(models.TextChoices):
        OK = "ok", _("Bình thường")
        FAIL = "fail", _("Lỗi (HTTP 503)")
        TIMEOUT = "timeout", _("Nhận nhưng không trả lời (quá thời gian)")
        SLOW = "slow", _("Trả lời chậm")
        ACK_TWICE = "ack_twice", _("Xác nhận hai lần")

    mode = models.CharField(_("chế độ"), max_length=10, choices=Mode.choices, default=Mode.OK)
    delay_seconds = models.FloatField(_("độ trễ khi chậm (giây)"), default=2.0)

    class Meta:
        verbose_name = _("cấu hình cổng thử nghiệm")
        verbose_name_plural = _("cấu hình cổng thử nghiệm")

    def __str__(self) -> str:
        return str(self.get_mode_display())


class SandboxReceipt(models.Model):
    """What the sandbox portal received, in arrival order. A message whose key it already
    has is recorded as a duplicate and not applied again (as the portal must)."""

    service = models.CharField(_("dịch vụ"), max_length=40)
    key = models.CharField(_("mã giao dịch"), max_length=80, db_index=True)
    dossier_number = models.CharField(_("số hồ sơ"), max_length=60, db_index=True)
    payload = models.JSONField(_("nội dung"))
    duplicate = models.BooleanField(_("trùng (đã nhận trước đó)"), default=False)
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tin cổng thử nghiệm đã nhận")
        verbose_name_plural = _("Cổng DVCQG thử nghiệm: tin đã nhận")

    def __str__(self) -> str:
        return f"{self.service} {self.dossier_number}"
