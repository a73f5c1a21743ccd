"""Digital-transformation monitoring: indicators, targets, plan tasks, unit reports with
approval, scoring methodologies (DTI, Decision 766) and their results.

Computed indicators are not stored: they are read on demand from the services app's
running aggregates (``ServiceMonthlyStat``, ``ServiceDailyStat``, ``ServiceApplicantYear``).
Reported and imported values are stored per (indicator, reporting unit, period) with
revisions.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.monitoring.stored import stored_display


class Pillar(models.TextChoices):
    AWARENESS = "awareness", _("Nhận thức số")
    INSTITUTIONS = "institutions", _("Thể chế số")
    INFRASTRUCTURE = "infrastructure", _("Hạ tầng số")
    HUMAN_RESOURCES = "human_resources", _("Nhân lực số")
    INFORMATION_SECURITY = "information_security", _("An toàn thông tin mạng")
    DIGITAL_GOVERNMENT = "digital_government", _("Chính quyền số")
    DIGITAL_ECONOMY = "digital_economy", _("Kinh tế số")
    DIGITAL_SOCIETY = "digital_society", _("Xã hội số")


FOUNDATION_PILLARS = (
    Pillar.AWARENESS,
    Pillar.INSTITUTIONS,
    Pillar.INFRASTRUCTURE,
    Pillar.HUMAN_RESOURCES,
    Pillar.INFORMATION_SECURITY,
)


class PeriodType(models.TextChoices):
    MONTH = "month", _("Tháng")
    QUARTER = "quarter", _("Quý")
    YEAR = "year", _("Năm")


class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", "%"
        COUNT = "count", _("số lượng")
        VND = "vnd", _("đồng")
        POINTS = "points", _("điểm")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Càng cao càng tốt")
        LOWER = "lower", _("Càng thấp càng tốt")

    class Method(models.TextChoices):
        COMPUTED = "computed", _("Tính tự động từ dữ liệu nền tảng")
        REPORTED = "reported", _("Đơn vị báo cáo, kèm minh chứng")
        IMPORTED = "imported", _("Số liệu thống kê nhập vào")

    class Scope(models.TextChoices):
        UNIT = "unit", _("Mỗi đơn vị báo cáo số liệu của mình")
        PROVINCE = "province", _("Số liệu toàn tỉnh, do đơn vị chủ trì báo cáo")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    pillar = models.CharField(_("trụ cột / nhóm"), max_length=30, choices=Pillar.choices)
    unit = models.CharField(_("đơn vị tính"), max_length=10, choices=Unit.choices)
    direction = models.CharField(
        _("chiều"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    method = models.CharField(_("cách thu thập"), max_length=10, choices=Method.choices)
    scope = models.CharField(_("phạm vi"), max_length=10, choices=Scope.choices, default="unit")
    computation = models.CharField(
        _("công thức tính tự động"),
        max_length=40,
        blank=True,
        help_text=_(
            "Khóa của phép tính trên dữ liệu dịch vụ công (chỉ với chỉ tiêu tính tự động)."
        ),
    )
    numerator_label = models.CharField(_("tử số"), max_length=255, blank=True)
    denominator_label = models.CharField(_("mẫu số"), max_length=255, blank=True)
    factor = models.DecimalField(_("hệ số"), max_digits=12, decimal_places=4, default=Decimal(1))
    period_type = models.CharField(
        _("kỳ báo cáo"), max_length=10, choices=PeriodType.choices, default=PeriodType.YEAR
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("hạn báo cáo (ngày sau cuối kỳ)"), default=10
    )
    jump_threshold = models.DecimalField(
        _("ngưỡng biến động cần giải trình"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Chênh lệch so với kỳ trước vượt ngưỡng này thì phải có giải trình."),
    )
    responsible_units = models.ManyToManyField(
        "orgs.OrgUnit", verbose_name=_("đơn vị chịu trách nhiệm"), blank=True, related_name="+"
    )
    legal_source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    source_url = models.CharField(_("nguồn tham khảo"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["pillar", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_percent(self) -> bool:
        return self.unit == self.Unit.PERCENT

    @property
    def has_ratio(self) -> bool:
        return bool(self.numerator_label and self.denominator_label)


class Target(models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Giá trị nền")
        ENTERED = "entered", _("Chỉ tiêu được giao")
        INTERPOLATED = "interpolated", _("Nội suy")
        ADJUSTED = "adjusted", _("Nội suy, đã điều chỉnh")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=16, decimal_places=4)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default="entered")
    comparator = models.CharField(
        _("so sánh"), max_length=2, default=">=", help_text=_("'>=', '>', '<=', '<' hoặc '='.")
    )
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("chỉ tiêu theo năm")
        verbose_name_plural = _("chỉ tiêu theo năm")
        ordering = ["indicator", "org_unit", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "year"], name="monitoring_target_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.indicator.code} {self.org_unit_id} {self.year}: {self.comparator}{self.value}"
        )

    @property
    def source_display(self) -> str:
        """The source in the current language when the platform wrote it (an interpolated or
        cascaded target); a catalogue's or a user's source as it is."""
        return stored_display(self.source)


class PlanTask(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa triển khai")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")
        CANCELLED = "cancelled", _("Dừng thực hiện")

    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="+"
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đứng đầu chịu trách nhiệm"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    deadline = models.DateField(_("thời hạn"))
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("chỉ tiêu liên quan"), blank=True, related_name="tasks"
    )
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="plantask_progress_max")
        ]

    def __str__(self) -> str:
        return self.title


class ReportedValue(models.Model):
    """One revision of a unit's value for an indicator and period.

    ``org_unit`` is the reporting (responsible) unit, whose officer enters and whose head
    approves; ``subject`` is the unit the value describes (the province for province-wide
    statistics, otherwise the reporting unit itself).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Đã gửi, chờ lãnh đạo duyệt")
        APPROVED = "approved", _("Lãnh đạo đã duyệt, chờ tỉnh tiếp nhận")
        ACCEPTED = "accepted", _("Đã được tiếp nhận (khóa)")
        RETURNED = "returned", _("Bị trả lại")
        SUPERSEDED = "superseded", _("Đã được thay bằng bản sửa")

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("đơn vị báo cáo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    period_type = models.CharField(max_length=10, choices=PeriodType.choices)
    period = models.CharField(_("kỳ"), max_length=10, help_text="2024, 2024-Q3, 2024-07")
    year = models.PositiveSmallIntegerField()
    revision = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=4)
    numerator = models.DecimalField(
        _("tử số"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("mẫu số"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    comment = models.TextField(_("giải trình"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    return_comment = models.TextField(_("lý do trả lại"), blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("số liệu báo cáo")
        verbose_name_plural = _("số liệu báo cáo")
        ordering = ["-year", "period", "indicator__code", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "subject", "period", "revision"],
                name="monitoring_value_revision_unique",
            ),
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "subject", "period"],
                condition=Q(is_current=True),
                name="monitoring_value_one_current",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.org_unit} {self.period} r{self.revision}"

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.SUPERSEDED)

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ValueTransition(models.Model):
    """History of a reported value: every move of the approval workflow."""

    value = models.ForeignKey(ReportedValue, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.value_id}: {self.from_status} → {self.to_status}"


class Evidence(models.Model):
    value = models.ForeignKey(ReportedValue, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="monitoring/evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.original_name


# --- scoring methodologies ----------------------------------------------------------------


class Methodology(models.Model):
    class Subjects(models.TextChoices):
        SERVICE_UNITS = "service_units", _("Các đơn vị tiếp nhận, giải quyết hồ sơ")
        DEPARTMENTS_DISTRICTS = "departments_districts", _("Sở, ngành và cấp huyện")
        PROVINCES = "provinces", _("Tỉnh, thành phố")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang áp dụng")
        DRAFT = "draft", _("Dự thảo / chưa đủ thành phần")
        RETIRED = "retired", _("Hết hiệu lực")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    legal_source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    subjects = models.CharField(_("đối tượng"), max_length=30, choices=Subjects.choices)
    max_points = models.DecimalField(_("tổng điểm"), max_digits=8, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    note = models.TextField(blank=True)
    valid_from = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MainIndicator(models.Model):
    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="main_indicators"
    )
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=255)
    pillar = models.CharField(max_length=30, choices=Pillar.choices, blank=True)
    max_points = models.DecimalField(max_digits=8, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["methodology", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "code"], name="main_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Component(models.Model):
    class Rule(models.TextChoices):
        RATIO = "ratio", _("Tỷ lệ × điểm tối đa")
        STEPS = "steps", _("Theo bậc")
        BEST = "best", _("So với đơn vị cao nhất")
        MINMAX = "minmax", _("Chuẩn hóa min–max với ngưỡng cố định")

    class Basis(models.TextChoices):
        CRITERION = "criterion", _("Tiêu chí của Quyết định, tính đúng công thức công bố")
        APPROXIMATION = "approximation", _("Nền tảng tính xấp xỉ tiêu chí")
        UNMEASURED = "unmeasured", _("Nền tảng chưa đo được: không tính điểm")

    main = models.ForeignKey(MainIndicator, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=255)
    max_points = models.DecimalField(max_digits=8, decimal_places=2)
    rule = models.CharField(max_length=10, choices=Rule.choices)
    params = models.JSONField(default=dict, blank=True)
    metric = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("Phép tính trên dữ liệu dịch vụ công (nếu không lấy từ chỉ tiêu)."),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="components"
    )
    evidence = models.CharField(_("tài liệu minh chứng"), max_length=255, blank=True)
    verifier = models.CharField(_("cơ quan thẩm định"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    basis = models.CharField(
        _("căn cứ thành phần"), max_length=14, choices=Basis.choices, blank=True
    )
    definition = models.TextField(_("định nghĩa"), blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)

    class Meta:
        ordering = ["main", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["main", "code"], name="component_code"),
            models.CheckConstraint(
                condition=~Q(metric="") | Q(indicator__isnull=False),
                name="component_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def evidence_display(self) -> str:
        """The evidence in the current language when it is the platform's default."""
        return stored_display(self.evidence)


class IndexResult(models.Model):
    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="results")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=10)
    points = models.DecimalField(max_digits=10, decimal_places=2)
    score = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Điểm quy về thang 0–1."),
    )
    group = models.CharField(max_length=20, blank=True, help_text="department / district / …")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()
    measured_max = models.DecimalField(
        _("điểm tối đa của các thành phần đo được"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Trống: mọi thành phần đều đo được (tổng điểm tối đa của bộ chỉ số)."),
    )

    class Meta:
        ordering = ["methodology", "period", "group", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "org_unit", "period"], name="index_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.methodology.code} {self.org_unit} {self.period}: {self.points}"


class ComponentResult(models.Model):
    result = models.ForeignKey(IndexResult, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    raw_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    points = models.DecimalField(max_digits=8, decimal_places=2)
    detail = models.CharField(max_length=255, blank=True)
    evidence_value = models.ForeignKey(
        ReportedValue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    measured = models.BooleanField(
        _("đo được"), default=True, help_text=_("Sai: nền tảng chưa đo được, không tính điểm.")
    )

    class Meta:
        ordering = ["component__main__order", "component__order"]
        constraints = [
            models.UniqueConstraint(fields=["result", "component"], name="component_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.component.code}: {self.points}"

    @property
    def detail_display(self) -> str:
        """The detail in the current language (stored in Vietnamese)."""
        return stored_display(self.detail)
