"""Studio models (registered in the ``services`` app: ``services.models`` imports them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormRevision(models.Model):
    """One revision of a procedure's online form: an ordered list of field specifications
    (``studio.spec``). Only a draft is edited; publishing makes it the live revision and
    the previous live one superseded. A revision that dossiers point at is never changed."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đang áp dụng")
        SUPERSEDED = "superseded", _("Đã thay thế")

    procedure = models.ForeignKey(
        "services.Procedure", on_delete=models.CASCADE, related_name="form_revisions"
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=State.choices, default=State.DRAFT
    )
    fields: models.JSONField[list[dict[str, Any]], list[dict[str, Any]]] = models.JSONField(
        _("các trường"), default=list, blank=True
    )
    # the processing steps edited with this revision (``studio.steps``); None: this
    # revision leaves the procedure's process as it is
    steps: models.JSONField[list[dict[str, Any]] | None, list[dict[str, Any]] | None] = (
        models.JSONField(_("các bước xử lý"), null=True, blank=True)
    )
    # the process compiled from ``steps`` when the revision was published (new dossiers
    # follow it; dossiers already started keep theirs)
    process = models.ForeignKey(
        "services.Process", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("ghi chú thay đổi"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("ngày công bố"), null=True, blank=True)

    class Meta:
        app_label = "services"
        verbose_name = _("phiên bản biểu mẫu")
        verbose_name_plural = _("phiên bản biểu mẫu")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="form_revision_number_unique"
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(state="published"),
                name="form_revision_one_published",
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(state="draft"),
                name="form_revision_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} v{self.number} ({self.state})"


class ResultTemplate(models.Model):
    """The procedure's result document: a title and a body whose ``{placeholders}`` are
    the form's field names (plus ``so_ho_so``, ``nguoi_nop``, ``ngay``), printed into the
    signed PDF."""

    procedure = models.OneToOneField(
        "services.Procedure", on_delete=models.CASCADE, related_name="result_template"
    )
    title = models.CharField(_("tiêu đề kết quả"), max_length=255)
    body = models.TextField(_("nội dung"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "services"
        verbose_name = _("mẫu kết quả")
        verbose_name_plural = _("mẫu kết quả")

    def __str__(self) -> str:
        return self.title


class FeeAdjustment(models.Model):
    """A unit's fee for a procedure, replacing the catalogue's (audited)."""

    procedure = models.ForeignKey(
        "services.Procedure", on_delete=models.CASCADE, related_name="fee_adjustments"
    )
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"))
    reason = models.CharField(_("căn cứ"), max_length=500)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "services"
        verbose_name = _("điều chỉnh phí theo đơn vị")
        verbose_name_plural = _("điều chỉnh phí theo đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "org_unit"], name="fee_adjustment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} @ {self.org_unit_id}: {self.amount}"
