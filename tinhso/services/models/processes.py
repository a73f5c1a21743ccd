"""Processes (OpenCPS-like: process → steps → actions) and the statuses, channels and
roles they use."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------
# Processes (OpenCPS-like: process → steps → actions)
# ---------------------------------------------------------------------------------------


class Status(models.IntegerChoices):
    """National portal status codes 1–10; 0 is our own draft (never sent anywhere)."""

    DRAFT = 0, _("Đang soạn")
    NEW = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    NOT_ACCEPTED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT = 5, _("Yêu cầu bổ sung giấy tờ")
    FINANCIAL = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


PAUSING_STATUSES = (Status.SUPPLEMENT, Status.FINANCIAL)


class Channel(models.IntegerChoices):
    IN_PERSON = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Dịch vụ bưu chính")


class ActorRole(models.TextChoices):
    APPLICANT = "applicant", _("Người nộp hồ sơ")
    OFFICER = "officer", _("Cán bộ")
    HEAD = "head", _("Lãnh đạo đơn vị")
    SYSTEM = "system", _("Hệ thống (thanh toán, ký số)")


class Process(models.Model):
    code = models.SlugField(_("mã quy trình"), max_length=40, unique=True)
    name = models.CharField(_("tên quy trình"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    is_default = models.BooleanField(_("quy trình mặc định"), default=False)
    is_active = models.BooleanField(
        _("đang áp dụng"),
        default=False,
        help_text=_("Chỉ quy trình hợp lệ mới được áp dụng; soạn xong các bước rồi bật."),
    )

    class Meta:
        verbose_name = _("quy trình")
        verbose_name_plural = _("quy trình")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="process_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(_("mã bước"), max_length=40)
    name = models.CharField(_("tên bước"), max_length=255)
    status = models.PositiveSmallIntegerField(_("trạng thái quốc gia"), choices=Status.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_start = models.BooleanField(_("bước bắt đầu"), default=False)
    is_end = models.BooleanField(_("bước kết thúc"), default=False)
    time_share = models.PositiveSmallIntegerField(
        _("tỷ lệ thời gian (%)"),
        null=True,
        blank=True,
        help_text=_("Phần thời hạn giải quyết dành cho bước này (để trống: không giới hạn)."),
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["process", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["process", "code"], name="process_step_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProcessAction(models.Model):
    """A transition between steps, taken by one role (within the receiving unit's scope)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="actions")
    code = models.SlugField(_("mã thao tác"), max_length=40)
    name = models.CharField(_("tên thao tác"), max_length=255)
    from_step = models.ForeignKey(
        ProcessStep, on_delete=models.CASCADE, related_name="actions_out", verbose_name=_("từ bước")
    )
    to_step = models.ForeignKey(
        ProcessStep, on_delete=models.CASCADE, related_name="actions_in", verbose_name=_("đến bước")
    )
    role = models.CharField(_("vai trò thực hiện"), max_length=10, choices=ActorRole.choices)
    comment_required = models.BooleanField(_("bắt buộc ghi lý do"), default=False)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("thao tác")
        verbose_name_plural = _("thao tác")
        ordering = ["process", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "from_step", "code"], name="process_action_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name
