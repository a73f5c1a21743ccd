"""Shared data platform: catalogue, datastore, inter-agency sharing.

- ``Dataset`` / ``Resource``: the catalogue. A dataset is owned by an org unit (``org_unit``)
  and has an access level: public (open data), shared (named units, plus client systems
  holding a grant) or internal (the owner unit's subtree only).
- ``DatastoreTable`` / ``DatastoreRow``: tabular resources loaded into the database as one
  generic row table with a JSON column (portable across SQLite and PostgreSQL, no DDL at
  run time). A load writes a new version in one transaction and only then becomes current,
  so a failed load leaves the previous version in place.
- ``ClientSystem`` / ``ApiKey`` / ``Grant`` / ``AccessRequest``: inter-agency sharing
  (LGSP / X-Road ideas): agencies register client systems, owners grant them access to a
  dataset or a single resource for a purpose and a period.
- ``AccessLog``: every request of a client system, hash-chained and HMAC-signed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    """The seed's priority sectors, plus government. Published as CKAN groups."""

    PLANNING = "planning", _("Quy hoạch đô thị")
    INDUSTRY = "industry", _("Công nghiệp")
    ENVIRONMENT = "environment", _("Tài nguyên và môi trường")
    TRANSPORT = "transport", _("Giao thông vận tải và logistics")
    AGRICULTURE = "agriculture", _("Nông nghiệp")
    HEALTH = "health", _("Y tế")
    EDUCATION = "education", _("Giáo dục")
    CULTURE = "culture", _("Văn hóa và du lịch")
    GOVERNMENT = "government", _("Chính quyền")


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", _("Creative Commons Ghi công 4.0 (CC BY 4.0)")
    CC0 = "cc0-1.0", _("Creative Commons CC0 1.0 (miền công cộng)")
    ODC_BY = "odc-by", _("Open Data Commons Attribution (ODC-BY)")
    RESTRICTED = "other-closed", _("Không mở: chia sẻ theo thỏa thuận giữa cơ quan")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Hằng ngày")
    WEEKLY = "weekly", _("Hằng tuần")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    ANNUAL = "annual", _("Hằng năm")
    IRREGULAR = "irregular", _("Không định kỳ")
    NEVER = "never", _("Không cập nhật")


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Công khai (dữ liệu mở)")
    SHARED = "shared", _("Chia sẻ cho đơn vị được chỉ định")
    INTERNAL = "internal", _("Nội bộ đơn vị")


class Keyword(models.Model):
    name = models.CharField(_("từ khóa"), max_length=100, unique=True)
    folded = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        verbose_name = _("từ khóa")
        verbose_name_plural = _("từ khóa")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(_("mã bộ dữ liệu"), max_length=100, unique=True)
    title = models.CharField(_("tên"), max_length=255)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    description = models.TextField(_("mô tả"))
    description_en = models.TextField(_("mô tả tiếng Anh"), blank=True)
    theme = models.CharField(_("lĩnh vực"), max_length=20, choices=Theme.choices)
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="datasets")
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("đơn vị chủ quản"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phụ trách"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stewarded_datasets",
    )
    contact_name = models.CharField(_("đầu mối liên hệ"), max_length=255)
    contact_email = models.EmailField(_("thư điện tử liên hệ"))
    frequency = models.CharField(_("tần suất cập nhật"), max_length=12, choices=Frequency.choices)
    licence = models.CharField(_("giấy phép"), max_length=20, choices=Licence.choices)
    access_level = models.CharField(
        _("mức truy cập"), max_length=10, choices=AccessLevel.choices, db_index=True
    )
    shared_with = models.ManyToManyField(
        "orgs.OrgUnit",
        verbose_name=_("chia sẻ cho đơn vị"),
        blank=True,
        related_name="shared_datasets",
    )
    spatial_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("phạm vi không gian"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    spatial_label = models.CharField(_("phạm vi không gian (mô tả)"), max_length=255, blank=True)
    temporal_start = models.DateField(_("thời gian từ"), null=True, blank=True)
    temporal_end = models.DateField(_("thời gian đến"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    is_demo = models.BooleanField(default=False, help_text=_("Số liệu minh họa, không chính thức."))
    archived_at = models.DateTimeField(
        _("lưu trữ lúc"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Bộ dữ liệu đã lưu trữ không còn hiện trong danh mục và không chia sẻ."),
    )
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField(db_index=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("bộ dữ liệu")
        verbose_name_plural = _("bộ dữ liệu")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(temporal_start__isnull=True)
                | Q(temporal_end__isnull=True)
                | Q(temporal_end__gte=models.F("temporal_start")),
                name="dataset_temporal_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.access_level == AccessLevel.PUBLIC and self.archived_at is None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Resource(models.Model):
    class Format(models.TextChoices):
        CSV = "CSV", "CSV"
        XLSX = "XLSX", "XLSX"
        JSON = "JSON", "JSON"
        GEOJSON = "GeoJSON", "GeoJSON"

    class Kind(models.TextChoices):
        FILE = "file", _("Tệp")
        LIVE = "live", _("Bảng dữ liệu trực tiếp")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    format = models.CharField(_("định dạng"), max_length=10, choices=Format.choices)
    kind = models.CharField(_("loại"), max_length=5, choices=Kind.choices, default=Kind.FILE)
    file = models.FileField(upload_to="data/resources/", blank=True, max_length=255)
    schema = models.JSONField(
        _("lược đồ"),
        default=list,
        blank=True,
        help_text=_("Danh sách cột: id, label, type, description."),
    )
    size = models.BigIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    hash = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()
    datastore_active = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("tài nguyên")
        verbose_name_plural = _("tài nguyên")
        ordering = ["dataset", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def org_unit(self) -> object:
        return self.dataset.org_unit

    @property
    def mimetype(self) -> str:
        return {
            "CSV": "text/csv",
            "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "JSON": "application/json",
            "GeoJSON": "application/geo+json",
        }[self.format]


class DatastoreTable(models.Model):
    """One loaded version of a tabular resource; exactly one version is current."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="tables")
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=False)
    columns = models.JSONField(default=list)  # [{"id", "label", "type"}]
    row_count = models.PositiveIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "version"], name="datastore_version"),
            models.UniqueConstraint(
                fields=["resource"], condition=Q(is_current=True), name="datastore_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.version}"


class DatastoreRow(models.Model):
    table = models.ForeignKey(DatastoreTable, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField()
    data = models.JSONField()
    search = models.TextField(default="")  # folded text of the whole row (full-text ``q``)
    folded = models.JSONField(default=dict)  # folded text columns (per-column ``q``)

    class Meta:
        indexes = [models.Index(fields=["table", "row_no"])]

    def __str__(self) -> str:
        return f"{self.table} #{self.row_no}"


class ClientSystem(models.Model):
    """A system of an agency that consumes shared data (an X-Road "client subsystem")."""

    code = models.SlugField(_("mã hệ thống"), max_length=60, unique=True)
    name = models.CharField(_("tên hệ thống"), max_length=255)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("cơ quan quản lý"),
        on_delete=models.PROTECT,
        related_name="client_systems",
    )
    description = models.TextField(_("mô tả"), blank=True)
    contact_email = models.EmailField(_("thư điện tử kỹ thuật"), blank=True)
    is_active = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("hệ thống kết nối")
        verbose_name_plural = _("hệ thống kết nối")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """An API key: only ``prefix`` (an identifier) and a SHA-256 of the secret are stored."""

    client = models.ForeignKey(ClientSystem, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client.code}:{self.prefix}"


class LgspToken(models.Model):
    """An OAuth2 access token (django-oauth-toolkit, client credentials) and the API key the
    client system authenticated with: the token stops as soon as that key is revoked or the
    system disabled."""

    access_token = models.OneToOneField(
        "oauth2_provider.AccessToken", on_delete=models.CASCADE, related_name="lgsp"
    )
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="tokens")

    def __str__(self) -> str:
        return f"{self.key} → token {self.access_token_id}"


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Từ chối")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="access_requests")
    requesting_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="data_access_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_access_requests"
    )
    client = models.ForeignKey(
        ClientSystem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.TextField(_("mục đích sử dụng"))
    valid_from = models.DateField(_("từ ngày"))
    valid_until = models.DateField(_("đến hết ngày"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requesting_unit} → {self.dataset}"

    @property
    def org_unit(self) -> object:
        return self.dataset.org_unit


class Grant(models.Model):
    """The owner's permission for a client system to read a dataset (or one resource)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ClientSystem, on_delete=models.PROTECT, related_name="grants")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="grants")
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    purpose = models.TextField(_("mục đích sử dụng"))
    valid_from = models.DateField(_("từ ngày"))
    valid_until = models.DateField(_("đến hết ngày"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    request = models.ForeignKey(
        AccessRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="grants"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="grant_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.resource or self.dataset}"

    @property
    def org_unit(self) -> object:
        return self.dataset.org_unit


class AccessLogHead(models.Model):
    name = models.CharField(max_length=40, unique=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.name}@{self.seq}"


class AccessLog(models.Model):
    """One request of a client system. Hash-chained (``prev_hash`` → ``hash``, by
    ``tinhso.audit.chain`` like the audit log: one chain per shard of the client system) and
    signed (``signature`` = HMAC-SHA256 of ``hash`` with the data log key). The hash covers
    the snapshot fields (codes, names), never the foreign keys, which only serve queries.
    Entries written before the log was sharded form the one chain ``lgsp``."""

    chain = models.CharField(max_length=40, default="lgsp", editable=False)
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    client = models.ForeignKey(
        ClientSystem, on_delete=models.SET_NULL, null=True, related_name="access_logs"
    )
    client_code = models.CharField(max_length=60)
    key_prefix = models.CharField(max_length=16, blank=True)
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dataset = models.ForeignKey(
        Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_logs"
    )
    dataset_name = models.CharField(max_length=100, blank=True)
    resource_id = models.CharField(max_length=36, blank=True)
    grant_id = models.CharField(max_length=36, blank=True)
    action = models.CharField(max_length=40)
    outcome = models.CharField(max_length=20)
    status = models.PositiveSmallIntegerField()
    rows = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict)
    ip_address = models.CharField(max_length=45, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="data_accesslog_chain_seq")
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.client_code} {self.action} {self.outcome}"

    @property
    def org_unit(self) -> object:
        return self.owner_unit


class DatastoreLoad(models.Model):
    """A datastore load run by a worker: the uploaded file waits in storage, the worker
    builds the new version in batches (each committed, with the progress) and makes it
    current in one short transaction at the end; until then the previous version stays live."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang nạp")
        DONE = "done", _("Đã nạp xong")
        FAILED = "failed", _("Không nạp được")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(
        Resource, on_delete=models.SET_NULL, null=True, blank=True, related_name="loads"
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="loads")
    new_resource = models.BooleanField(default=False)  # the resource was added for this load
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    file = models.FileField(upload_to="data/loads/%Y/%m/", max_length=255)
    filename = models.CharField(max_length=255)
    types = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    table = models.ForeignKey(
        DatastoreTable, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(null=True, blank=True)
    bad_count = models.PositiveIntegerField(default=0)
    bad_rows = models.JSONField(default=list, blank=True)  # [[line, reason], ...]
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nạp dữ liệu")
        verbose_name_plural = _("lượt nạp dữ liệu")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
