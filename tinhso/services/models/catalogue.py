"""The catalogue: fields, procedures, their receiving agencies, channels (time, fee),
document parts and e-form fields."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tinhso.services.deadlines import Duration
from tinhso.services.models.processes import Channel, Process

# ---------------------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------------------


class ProcedureField(models.Model):
    """Lĩnh vực (e.g. Hộ tịch, Xây dựng)."""

    name = models.CharField(_("tên lĩnh vực"), max_length=255, unique=True)
    search_text = models.CharField(max_length=255, editable=False, default="")

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    class ServiceClass(models.TextChoices):
        FULL = "full", _("Toàn trình")
        PARTIAL = "partial", _("Một phần")
        NONE = "", _("Chưa xác định")

    LEVEL_CHOICES = (
        ("ministry", _("Cấp bộ")),
        ("province", _("Cấp tỉnh")),
        ("district", _("Cấp huyện")),
        ("commune", _("Cấp xã")),
        ("other", _("Cơ quan khác")),
    )

    class FeeTiming(models.TextChoices):
        BEFORE = "before", _("Khi tiếp nhận (trước khi xử lý)")
        AFTER = "after", _("Sau khi xử lý (trước khi phê duyệt, trả kết quả)")

    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.TextField(editable=False, default="")
    field = models.ForeignKey(
        ProcedureField,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("lĩnh vực"),
    )
    levels = models.CharField(
        _("cấp thực hiện"),
        max_length=80,
        blank=True,
        help_text=_("Mã cấp, phân cách bằng dấu phẩy, có dấu phẩy ở hai đầu: ,commune,"),
    )
    ministry = models.CharField(_("bộ, ngành"), max_length=40, blank=True)
    decision_no = models.CharField(_("số quyết định công bố"), max_length=120, blank=True)
    procedure_type = models.CharField(_("loại thủ tục"), max_length=255, blank=True)
    applicants = models.TextField(_("đối tượng thực hiện"), blank=True)
    competent_agency_text = models.TextField(_("cơ quan có thẩm quyền (văn bản)"), blank=True)
    steps_text = models.TextField(_("trình tự thực hiện"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result_name = models.CharField(_("kết quả"), max_length=500, blank=True)
    result_code = models.CharField(_("mã kết quả"), max_length=40, blank=True)
    # the kind of document the result is (``services.doctypes``): kept in the applicant's
    # document store under this type
    result_doc_type = models.CharField(_("loại giấy tờ của kết quả"), max_length=40, blank=True)
    service_class = models.CharField(
        _("dịch vụ công trực tuyến"), max_length=8, choices=ServiceClass.choices, blank=True
    )
    legacy_level = models.PositiveSmallIntegerField(
        _("mức độ (cũ, 1–4)"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 5)]
    )
    process = models.ForeignKey(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("quy trình riêng"),
        help_text=_("Để trống: theo quy trình mặc định."),
    )
    fee_timing = models.CharField(
        _("thời điểm nộp phí, lệ phí"),
        max_length=8,
        choices=FeeTiming.choices,
        default=FeeTiming.BEFORE,
        help_text=_(
            "Khi thủ tục có phí, lệ phí: yêu cầu nộp ngay khi tiếp nhận hồ sơ, hoặc sau khi "
            "thẩm định xong (trước khi lãnh đạo phê duyệt, trả kết quả)."
        ),
    )
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    raw = models.JSONField(_("văn bản gốc"), default=dict, blank=True)
    parse_problems = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level_list(self) -> list[str]:
        return [lv for lv in self.levels.split(",") if lv]

    @property
    def level_labels(self) -> list[str]:
        labels = dict(self.LEVEL_CHOICES)
        return [str(labels.get(lv, lv)) for lv in self.level_list]


class ProcedureAgency(models.Model):
    """An org unit that receives dossiers of a procedure (effective-dated)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="agencies")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("cơ quan tiếp nhận")
        verbose_name_plural = _("cơ quan tiếp nhận")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "org_unit", "valid_from"], name="procedure_agency_unique"
            )
        ]
        indexes = [models.Index(fields=["org_unit", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.procedure_id} @ {self.org_unit_id}"


class ProcedureChannel(models.Model):
    class TimeUnit(models.TextChoices):
        WORKING_DAY = "working_day", _("ngày làm việc")
        DAY = "day", _("ngày")
        MONTH = "month", _("tháng")
        HOUR = "hour", _("giờ")
        UNKNOWN = "", _("chưa rõ đơn vị")

    class Review(models.TextChoices):
        """Why the imported time or fee waits for an official to settle it."""

        NONE = "", _("Không cần rà soát")
        NO_UNIT = "no_unit", _("Thời hạn không ghi đơn vị")
        AMBIGUOUS = "ambiguous", _("Thời hạn và phí dính liền, không tách được")
        CONFLICTING = "conflicting", _("Các nguồn ghi thời hạn khác nhau")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="channels")
    channel = models.PositiveSmallIntegerField(_("hình thức nộp"), choices=Channel.choices)
    time_value = models.DecimalField(
        _("thời hạn"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    time_value_max = models.DecimalField(
        _("thời hạn tối đa"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=12, choices=TimeUnit.choices, blank=True
    )
    fee_amount = models.PositiveBigIntegerField(_("phí, lệ phí"), null=True, blank=True)
    fee_amount_max = models.PositiveBigIntegerField(_("phí tối đa"), null=True, blank=True)
    fee_currency = models.CharField(_("đơn vị tiền"), max_length=3, blank=True)
    fee_is_free = models.BooleanField(_("miễn phí"), default=False)
    fee_per_copy = models.BooleanField(
        _("thu theo số bản"),
        default=False,
        help_text=_("Mức phí tính cho mỗi bản: phí phải nộp = mức phí × số bản yêu cầu."),
    )
    description = models.TextField(_("mô tả"), blank=True)
    raw = models.TextField(_("văn bản gốc"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    review = models.CharField(
        _("cần rà soát"), max_length=12, choices=Review.choices, blank=True, default=""
    )
    time_source = models.CharField(
        _("nguồn thời hạn"),
        max_length=12,
        blank=True,
        help_text=_("column: cột thời gian; description: mô tả; official: cán bộ xác nhận."),
    )

    class Meta:
        verbose_name = _("cách thức thực hiện")
        verbose_name_plural = _("cách thức thực hiện")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.get_channel_display()}"

    @property
    def duration(self) -> Duration | None:
        """The legal processing time with its unit (a range is due at its upper bound);
        None when the source states no time or no unit: never a guessed unit."""
        if self.time_value is None or not self.time_unit or self.review:
            return None
        value = self.time_value_max if self.time_value_max is not None else self.time_value
        return Duration(value, self.time_unit)

    @property
    def needs_review(self) -> bool:
        """The time or fee is not settled: the channel cannot take online dossiers."""
        return bool(self.review) or (self.time_value is not None and not self.time_unit)

    @property
    def time_label(self) -> str:
        """ "15 ngày làm việc", "3–5 ngày", "1 — chưa rõ đơn vị", "Không có thông tin"."""
        if self.time_value is None:
            if self.review == self.Review.AMBIGUOUS:
                return str(_("Chưa rõ (cần rà soát)"))
            return str(_("Không có thông tin"))
        span = _num(self.time_value)
        if self.time_value_max is not None and self.time_value_max != self.time_value:
            span += f"–{_num(self.time_value_max)}"
        if not self.time_unit:
            return f"{span} — {_('chưa rõ đơn vị')}"
        return _time_span(span, self.time_value_max or self.time_value, self.time_unit)


def _time_span(span: str, last: Decimal, unit: str) -> str:
    """ "15 ngày làm việc" in the active language with its plural ("1 working day", "3–5
    days", "1,5 days"): the count that picks the form is the span's last value, a fraction
    counting as plural (gettext counts whole numbers)."""
    n = int(last) if last == int(last) else 2
    if unit == ProcedureChannel.TimeUnit.WORKING_DAY:
        text = ngettext("%(span)s ngày làm việc", "%(span)s ngày làm việc", n)
    elif unit == ProcedureChannel.TimeUnit.DAY:
        text = ngettext("%(span)s ngày", "%(span)s ngày", n)
    elif unit == ProcedureChannel.TimeUnit.MONTH:
        text = ngettext("%(span)s tháng", "%(span)s tháng", n)
    elif unit == ProcedureChannel.TimeUnit.HOUR:
        text = ngettext("%(span)s giờ", "%(span)s giờ", n)
    else:
        return f"{span} {unit}"
    return text % {"span": span}


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


class DocumentPart(models.Model):
    DEFAULT_TYPES = "pdf,jpg,png"

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="parts")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.TextField(_("tên giấy tờ"))
    group = models.CharField(_("nhóm"), max_length=120, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=True)
    copies = models.PositiveSmallIntegerField(_("số lượng"), null=True, blank=True)
    copy_kind = models.CharField(_("loại bản"), max_length=60, blank=True)
    accepted_types = models.CharField(
        _("định dạng chấp nhận"), max_length=80, default=DEFAULT_TYPES
    )
    form_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=255, blank=True)
    raw = models.TextField(_("văn bản gốc"), blank=True)
    # the kind of document (``services.doctypes``, e.g. "giay-khai-sinh"): a document of
    # this type in the applicant's store can be reused instead of an upload
    doc_type = models.CharField(_("loại giấy tờ"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "pk"]

    def __str__(self) -> str:
        return self.name[:80]

    @property
    def type_list(self) -> list[str]:
        return [t.strip().lower() for t in self.accepted_types.split(",") if t.strip()]


class FormField(models.Model):
    """A field of the procedure's e-form (typed, validated by ``services.eform``)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Văn bản")
        TEXTAREA = "textarea", _("Đoạn văn")
        DATE = "date", _("Ngày")
        NUMBER = "number", _("Số")
        CHOICE = "choice", _("Lựa chọn")
        CITIZEN_ID = "citizen_id", _("Số định danh cá nhân")
        PHONE = "phone", _("Số điện thoại")
        EMAIL = "email", _("Thư điện tử")
        COPIES = "copies", _("Số bản (số nguyên)")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_fields")
    name = models.SlugField(_("tên trường"), max_length=60)
    label = models.CharField(_("nhãn"), max_length=255)
    kind = models.CharField(_("kiểu"), max_length=12, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("bắt buộc"), default=True)
    choices = models.JSONField(_("các lựa chọn"), default=list, blank=True)
    help_text = models.CharField(_("hướng dẫn"), max_length=255, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("trường biểu mẫu")
        verbose_name_plural = _("biểu mẫu điện tử")
        ordering = ["procedure", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "name"], name="form_field_unique")
        ]

    def __str__(self) -> str:
        return self.label
