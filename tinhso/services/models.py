"""Online public services: catalogue, dossiers, workflow, deadlines, statistics.

``ServiceDailyStat``, ``ServiceMonthlyStat`` (per unit and month, no procedure: what the
dashboards read) and ``ServiceApplicantYear`` are the running aggregates that the
monitoring app reads (it never scans dossiers). They are updated by the dossier service
functions in the same transaction as each dossier event, and can be rebuilt from scratch.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.services.deadlines import Duration

STAT_COUNTERS = (
    "received_total",  # dossiers received (status 2 reached) that day
    "received_online",  # … of which submitted online (channel 2)
    "received_in_person",  # channel 1
    "received_post",  # channel 3
    "received_digitised",  # received with all their documents in electronic form
    "refused",  # not accepted (status 3)
    "withdrawn",  # withdrawn by the applicant
    "finished_total",  # processed (status 9 reached) that day
    "finished_early",
    "finished_on_time",
    "finished_late",
    "results_digital",  # finished with an electronic (signed) result
    "fees_total",  # fee payments completed that day
    "fees_online",  # … of which paid online
    "ratings_total",
    "ratings_satisfied",
    "ratings_normal",
    "ratings_unsatisfied",
    # finished early or on time after more than one supplement request: Decision 766 counts
    # these as late (its on-time rate excludes supplement time but not repeated requests)
    "finished_resupplied",
)


class StatCounters(models.Model):
    """The additive counters (``STAT_COUNTERS``) shared by the daily and monthly tables."""

    received_total = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    received_in_person = models.PositiveIntegerField(default=0)
    received_post = models.PositiveIntegerField(default=0)
    received_digitised = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    finished_total = models.PositiveIntegerField(default=0)
    finished_early = models.PositiveIntegerField(default=0)
    finished_on_time = models.PositiveIntegerField(default=0)
    finished_late = models.PositiveIntegerField(default=0)
    results_digital = models.PositiveIntegerField(default=0)
    fees_total = models.PositiveIntegerField(default=0)
    fees_online = models.PositiveIntegerField(default=0)
    ratings_total = models.PositiveIntegerField(default=0)
    ratings_satisfied = models.PositiveIntegerField(default=0)
    ratings_normal = models.PositiveIntegerField(default=0)
    ratings_unsatisfied = models.PositiveIntegerField(default=0)
    finished_resupplied = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ServiceDailyStat(StatCounters):
    """Counters per (receiving org unit, procedure, day). Additive over days and units."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    procedure_code = models.CharField(max_length=40)
    day = models.DateField()

    class Meta:
        verbose_name = _("thống kê dịch vụ theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "procedure_code", "day"], name="service_stat_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "org_unit"])]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.procedure_code} {self.day}"


class ServiceMonthlyStat(StatCounters):
    """The same counters per (receiving org unit, month), without the procedure: what the
    dashboards read for whole months. Its size is units × months, whatever the number of
    dossiers. Bumped together with ``ServiceDailyStat`` (same transaction); equal to the
    sum of the daily rows of the month (``stats_monthly_from_daily`` rebuilds it)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text=_("Ngày đầu tháng."))

    class Meta:
        verbose_name = _("thống kê dịch vụ theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "month"], name="service_month_unique")
        ]
        indexes = [models.Index(fields=["month", "org_unit"])]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month:%Y-%m}"


class ServiceApplicantYear(models.Model):
    """Distinct applicants who submitted online to a unit in a year (for "adults using
    online public services"); distinct counts cannot be summed from daily counters."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "applicant"], name="service_applicant_year_unique"
            )
        ]
        # the units an applicant already used in a year (kept in step with the scope counts)
        indexes = [models.Index(fields=["applicant", "year"], name="service_applicant_year_idx")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.year} {self.applicant_id}"


class ServiceApplicantScopeYear(models.Model):
    """How many distinct applicants submitted online to a unit or any unit below it (the
    unit's subtree by its path when they submitted) in a year: the distinct count of
    ``ServiceApplicantYear`` over the subtree, kept as a counter so that reading it costs
    the same with a thousand applicants or millions. Bumped in the transaction that notes a
    new applicant-year (``_applicant_year_note``); rebuilt by ``stats_rebuild``."""

    scope = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    applicants = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("số người nộp trực tuyến theo đơn vị và năm")
        constraints = [
            models.UniqueConstraint(fields=["scope", "year"], name="service_scope_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.year}: {self.applicants}"


# ---------------------------------------------------------------------------------------
# Working calendar
# ---------------------------------------------------------------------------------------


class CalendarDay(models.Model):
    """An administrator's entry in the working calendar: an extra day off (e.g. a
    provincial decision) or a swapped working day (a Saturday worked to bridge a holiday).
    Public holidays themselves come from the ``holidays`` package (see ``deadlines``)."""

    class Kind(models.TextChoices):
        OFF = "off", _("Ngày nghỉ bổ sung")
        WORK = "work", _("Ngày làm việc bù")

    day = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=4, choices=Kind.choices)
    note = models.CharField(_("căn cứ, ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ngày trong lịch làm việc")
        verbose_name_plural = _("lịch làm việc (ngày nghỉ, ngày làm bù)")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"


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
        return f"{span} {self.get_time_unit_display()}"


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


# the procedure studio's models (services.studio), registered in this app
from tinhso.services.studio.models import (  # noqa: E402, F401
    FeeAdjustment,
    FormRevision,
    ResultTemplate,
)
