"""Feedback and petitions (phản ánh, kiến nghị) from citizens and businesses.

A ``Feedback`` is received by the provincial receiving office (its ``org_unit`` at first),
classified and forwarded to the responsible unit (``org_unit`` then), answered by the unit
(officer drafts, head approves) within 15 working days of receipt, optionally published
without personal data, and rated by the sender. ``FeedbackMonthlyStat`` holds the running
counters per (responsible unit, month), kept in the transaction of each write like the
dossier counters, and rebuilt by ``feedback_stats_rebuild``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PROCEDURE = "procedure", _("Quy định thủ tục hành chính")
    DOSSIER = "dossier", _("Việc giải quyết hồ sơ")
    CONDUCT = "conduct", _("Hành vi, thái độ của cán bộ")
    PLATFORM = "platform", _("Nền tảng Tỉnh Số")
    OTHER = "other", _("Nội dung khác")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận, chờ phân loại")
    PROCESSING = "processing", _("Đang xử lý")
    APPROVAL = "approval", _("Chờ lãnh đạo duyệt trả lời")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng (ngoài thẩm quyền)")


OPEN_STATUSES = (FeedbackStatus.RECEIVED, FeedbackStatus.PROCESSING, FeedbackStatus.APPROVAL)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    UNSATISFIED = "unsatisfied", _("Không hài lòng")


class Outcome(models.TextChoices):
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Trễ hạn")
    NONE = "", _("—")


class Feedback(models.Model):
    number = models.CharField(_("số phản ánh"), max_length=30, unique=True)
    tracking_hash = models.CharField(max_length=64, help_text=_("SHA-256 của mã tra cứu."))
    category = models.CharField(_("loại"), max_length=12, choices=Category.choices)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    text = models.TextField(_("nội dung"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
    )
    sender_name = models.CharField(_("người gửi"), max_length=255)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    sender_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    publish_consent = models.BooleanField(_("đồng ý công khai (đã ẩn thông tin cá nhân)"))
    procedure = models.ForeignKey(
        "services.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thủ tục"),
    )
    dossier = models.ForeignKey(
        "services.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("hồ sơ"),
    )
    about_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan được phản ánh"),
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị xử lý"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("ngày tiếp nhận"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    forwarded_at = models.DateTimeField(null=True, blank=True)
    answer_draft = models.TextField(_("dự thảo trả lời"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    close_reason = models.TextField(_("lý do đóng"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        _("kết quả đúng hạn"), max_length=8, choices=Outcome.choices, blank=True
    )
    publish_proposed = models.BooleanField(default=False)
    public_subject = models.CharField(_("tiêu đề công khai"), max_length=255, blank=True)
    public_question = models.TextField(_("nội dung công khai"), blank=True)
    published_at = models.DateTimeField(_("ngày công khai"), null=True, blank=True)
    rating = models.CharField(_("đánh giá"), max_length=12, choices=Rating.choices, blank=True)
    rating_reason = models.TextField(_("lý do không hài lòng"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        indexes = [
            models.Index(fields=["org_unit", "status", "due_at"], name="feedback_queue_idx"),
            models.Index(fields=["sender", "-received_at"], name="feedback_sender_idx"),
            models.Index(fields=["status", "due_at"], name="feedback_status_due_idx"),
            models.Index(fields=["published_at"], name="feedback_published_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class FeedbackEvent(models.Model):
    """The history shown on the tracking page (``public``) and to officials (all)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=30)
    action_name = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=FeedbackStatus.choices)
    comment = models.TextField(blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["feedback", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.action_name}"


class FeedbackFile(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="files")
    event = models.ForeignKey(
        FeedbackEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    file = models.FileField(upload_to="feedback/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["feedback", "pk"]

    def __str__(self) -> str:
        return self.original_name


class FeedbackRoute(models.Model):
    """A default route: feedback of ``category`` (about ``procedure``, or any procedure when
    empty) goes to ``org_unit``. Without a route the procedure's receiving unit, the unit
    the feedback is about or the dossier's unit is proposed."""

    category = models.CharField(_("loại"), max_length=12, choices=Category.choices)
    procedure = models.ForeignKey(
        "services.Procedure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thủ tục"),
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị xử lý")
    )

    class Meta:
        verbose_name = _("tuyến chuyển mặc định")
        verbose_name_plural = _("tuyến chuyển mặc định")
        constraints = [
            models.UniqueConstraint(fields=["category", "procedure"], name="feedback_route_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.procedure_id or '*'} → {self.org_unit_id}"


class FeedbackCounter(models.Model):
    """Daily sequence for feedback numbers (``PAKN-YYMMDD-NNNN``)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


FEEDBACK_COUNTERS = (
    "received",  # feedback received (by month of receipt) now held by the unit
    "handled",  # answered or closed (month of the answer/closing)
    "handled_on_time",
    "handled_late",
    "satisfied",  # ratings of the answer (month of the rating)
    "unsatisfied",
    "dossiers_complained",  # distinct dossiers of the unit with a first complaint that month
)


class FeedbackMonthlyStat(models.Model):
    """Counters per (unit, month); additive over units and months."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text=_("Ngày đầu tháng."))
    received = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    handled_on_time = models.IntegerField(default=0)
    handled_late = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    dossiers_complained = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("thống kê phản ánh theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month"], name="feedback_month_unique")
        ]
        indexes = [models.Index(fields=["month", "org_unit"], name="feedback_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month:%Y-%m}"
