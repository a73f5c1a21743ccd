"""Dossiers, their pauses, files and history events, the numbering counters and the
national portal's outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.services.deadlines import Duration
from tinhso.services.models.catalogue import DocumentPart, Procedure
from tinhso.services.models.processes import Channel, Process, ProcessStep, Status

# ---------------------------------------------------------------------------------------
# Dossiers
# ---------------------------------------------------------------------------------------


class Dossier(models.Model):
    class Outcome(models.TextChoices):
        EARLY = "early", _("Sớm hạn")
        ON_TIME = "on_time", _("Đúng hạn")
        LATE = "late", _("Trễ hạn")
        NONE = "", _("—")

    number = models.CharField(_("số hồ sơ"), max_length=60, unique=True, null=True, blank=True)
    # a random secret printed on the receipt: public tracking shows personal details only
    # with it (the number is sequential, the citizen ID number guessable)
    tracking_code = models.CharField(_("mã tra cứu"), max_length=16, blank=True, default="")
    # the client's Idempotency-Key of the submission (API) or the web form's one-time token:
    # a retry with the same key returns this dossier instead of creating a second one
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, editable=False)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="+")
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=Status.choices, default=Status.DRAFT
    )
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan tiếp nhận"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    applicant_name = models.CharField(_("người nộp"), max_length=255)
    applicant_id_number = models.CharField(_("số định danh người nộp"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    identity_source = models.CharField(_("nguồn định danh người nộp"), max_length=40, blank=True)
    identity_level = models.PositiveSmallIntegerField(
        _("mức định danh người nộp"), null=True, blank=True
    )
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    # the studio revision the form was filled in under (None: the typed FormField rows)
    form_revision = models.ForeignKey(
        "services.FormRevision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("phiên bản biểu mẫu"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cán bộ tiếp nhận trực tiếp (kênh 1, 3)."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ xử lý"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    budget_minutes = models.PositiveIntegerField(null=True, blank=True)
    duration_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    duration_unit = models.CharField(_("đơn vị thời hạn"), max_length=12, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    step_entered_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("ngày có kết quả"), null=True, blank=True)
    outcome = models.CharField(
        _("kết quả đúng hạn"), max_length=8, choices=Outcome.choices, blank=True
    )
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    received_digitised = models.BooleanField(default=False)
    # when the parts became electronic (submission, or an official's scans of a paper
    # dossier) and who marked a paper dossier digitised
    digitised_at = models.DateTimeField(null=True, blank=True)
    digitised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ số hóa"),
    )
    # document parts received, and of them reused from the applicant's store (at receipt)
    parts_total = models.PositiveSmallIntegerField(default=0)
    parts_reused = models.PositiveSmallIntegerField(default=0)
    # Hooks for the next issue (fees, signed results, ratings); services calls payments
    # and signing, never the other way round.
    fee_amount = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), null=True, blank=True)
    fee_paid_at = models.DateTimeField(null=True, blank=True)
    fee_paid_online = models.BooleanField(default=False)
    result_digital = models.BooleanField(_("kết quả điện tử"), default=False)
    result_ref = models.CharField(max_length=120, blank=True)
    result_post_ref = models.CharField(_("mã bưu gửi kết quả"), max_length=40, blank=True)
    result_downloaded_at = models.DateTimeField(
        _("người nộp tải kết quả lần đầu"), null=True, blank=True
    )
    rating = models.CharField(max_length=12, blank=True)
    rating_comment = models.TextField(_("góp ý của người nộp"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["org_unit", "status", "due_at"], name="dossier_queue_idx"),
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_idx"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due_idx"),
            models.Index(fields=["received_at"], name="dossier_received_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="dossier_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def duration(self) -> Duration | None:
        """The legal processing time fixed at receipt (None: no deadline)."""
        if self.duration_value is None or not self.duration_unit:
            return None
        return Duration(self.duration_value, self.duration_unit)

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class DossierPause(models.Model):
    """A period while the dossier waited on the applicant (the legal clock stopped)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    status = models.PositiveSmallIntegerField(choices=Status.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "started_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.started_at:%d/%m/%Y %H:%M}"


class DossierFile(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", _("Thành phần hồ sơ")
        SUPPLEMENT = "supplement", _("Bổ sung")
        RESULT = "result", _("Kết quả")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    part = models.ForeignKey(
        DocumentPart, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.APPLICATION)
    file = models.FileField(upload_to="dossiers/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # taken from the applicant's document store instead of uploaded
    reused_from = models.ForeignKey(
        "StoredDocument", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # a scan of a paper part, uploaded by the official who digitised the dossier
    is_scan = models.BooleanField(default=False)

    class Meta:
        ordering = ["dossier", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """The dossier's history: who, when, from which status to which, comment."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=40)
    action_name = models.CharField(max_length=255)
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    from_step = models.CharField(max_length=255, blank=True)
    to_step = models.CharField(max_length=255, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "at", "pk"]
        indexes = [models.Index(fields=["dossier", "at"], name="dossier_event_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action_name}"


class DossierCounter(models.Model):
    """Daily sequence per agency for dossier numbers; the row is locked while numbering."""

    agency_code = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="dossier_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day} {self.last}"


class PortalOutbox(models.Model):
    """Messages for the national public-service portal (Cổng DVCQG), written by ``_event``
    in the same transaction as the dossier's change: a dossier's creation, then each change
    of its status. ``tinhso.portal`` delivers them (in order per dossier, idempotently) and
    keeps the delivery fields; services only appends rows and never reads them, so the
    dependency stays portal → services."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Đồng bộ hồ sơ mới")
        STATUS = "status", _("Cập nhật tiến độ")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(DossierEvent, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(_("tạo lúc"))
    # delivery (tinhso.portal)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    dead = models.BooleanField(_("ngừng gửi (lỗi)"), default=False)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tin gửi Cổng DVCQG")
        verbose_name_plural = _("tin gửi Cổng DVCQG")
        indexes = [
            models.Index(
                fields=["dossier", "id"],
                name="portal_outbox_pending_idx",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.pk} {self.kind}"
