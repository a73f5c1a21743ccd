"""The applicant's document store (issue 15): see ``tinhso.services.store``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.services.models.dossiers import Dossier


class StoredDocument(models.Model):
    """An item of an applicant's document store ("Kho dữ liệu của tôi"): a signed result
    they received or an attachment an official accepted, typed by ``services.doctypes``.
    The file is the accepted one (same storage name, never copied)."""

    class Source(models.TextChoices):
        ATTACHMENT = "attachment", _("Giấy tờ đã được tiếp nhận")
        RESULT = "result", _("Kết quả giải quyết (đã ký số)")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_documents"
    )
    doc_type = models.CharField(_("loại giấy tờ"), max_length=40)
    title = models.CharField(_("tên giấy tờ"), max_length=300)
    source = models.CharField(_("nguồn"), max_length=12, choices=Source.choices)
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="+", verbose_name=_("hồ sơ gốc")
    )
    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(_("ngày tiếp nhận, cấp"))

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu của người nộp")
        ordering = ["owner", "-accepted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "dossier", "sha256"], name="stored_document_unique"
            )
        ]
        indexes = [models.Index(fields=["owner", "doc_type"], name="stored_document_type_idx")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.doc_type} {self.title[:60]}"
