"""Platform data published as open data through the data app's own mechanism (catalogue,
datastore versions, CKAN API, DCAT-AP, LGSP grants): org units valid today, the procedure
catalogue, and anonymised service statistics by unit and month.

Lives in ``web`` because it reads ``orgs`` and ``services`` and writes through ``data``, and
``data`` must not depend on ``services``. Idempotent: a dataset is created once, its
metadata updated only when it changes, and its resource reloaded as a new datastore version
only when the generated file differs from the current version.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from io import TextIOBase
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.db.models.functions import TruncMonth

from tinhso.data.models import (
    AccessLevel,
    Dataset,
    DatastoreTable,
    Frequency,
    Licence,
    Resource,
    Theme,
)
from tinhso.data.services import dataset_create, dataset_update, datastore_load, resource_add
from tinhso.data.text import column_id
from tinhso.feedback.opendata import (
    PUBLISHED_HEADER,
    PUBLISHED_TYPES,
    published_period,
    published_rows,
)
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_get, orgunit_list, orgunit_roots, today
from tinhso.services.models import Channel, Procedure, ProcedureChannel, ServiceDailyStat

Rows = Iterator[list[Any]]

# -- the three tables ---------------------------------------------------------------------------

ORG_HEADER = [
    "Mã",
    "Tên",
    "Tên tiếng Anh",
    "Tên ngắn",
    "Loại",
    "Kiểu",
    "Cấp",
    "Mã đơn vị cấp trên",
    "Hiệu lực từ",
]


def org_rows(*, on: dt.date) -> Rows:
    units = orgunit_list(on=on).select_related("parent").order_by("path")
    for u in units:
        yield [
            u.code,
            u.name,
            u.name_en,
            u.short_name,
            u.get_category_display(),
            u.get_kind_display(),
            u.level,
            u.parent.code if u.parent is not None else "",
            u.valid_from.isoformat(),
        ]


PROCEDURE_HEADER = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Dịch vụ công trực tuyến",
    "Bộ, ngành",
    "Thời hạn giải quyết",
    "Phí, lệ phí thấp nhất (đồng)",
    "Phí, lệ phí cao nhất (đồng)",
    "Miễn phí",
]


def _time_text(ch: ProcedureChannel) -> str:
    """ "Trực tuyến: 15 ngày", "Trực tiếp: 1 — chưa rõ đơn vị" (never a guessed unit)."""
    if ch.time_value is None and not ch.review:
        return ""
    return f"{Channel(ch.channel).label}: {ch.time_label}"


def procedure_rows(*, on: dt.date) -> Rows:
    procedures = (
        Procedure.objects.filter(is_active=True)
        .select_related("field")
        .prefetch_related("channels")
        .order_by("code")
    )
    for p in procedures.iterator(chunk_size=500):
        channels = sorted(p.channels.all(), key=lambda c: (c.order, c.channel))
        fees = [c.fee_amount for c in channels if c.fee_amount is not None]
        fee_max = [
            c.fee_amount_max if c.fee_amount_max is not None else c.fee_amount
            for c in channels
            if c.fee_amount is not None
        ]
        free = bool(channels) and all(c.fee_is_free for c in channels)
        yield [
            p.code,
            p.name,
            p.field.name if p.field is not None else "",
            "; ".join(p.level_labels),
            p.get_service_class_display() if p.service_class else "",
            p.ministry,
            "; ".join(t for t in (_time_text(c) for c in channels) if t),
            min(fees) if fees else "",
            max(fee_max) if fee_max else "",
            "true" if free else "false",
        ]


STATS_COUNTERS = [
    ("received_total", "Tiếp nhận"),
    ("received_online", "Tiếp nhận trực tuyến"),
    ("received_in_person", "Tiếp nhận trực tiếp"),
    ("received_post", "Tiếp nhận qua bưu chính"),
    ("refused", "Từ chối tiếp nhận"),
    ("withdrawn", "Rút hồ sơ"),
    ("finished_total", "Đã giải quyết"),
    ("finished_early", "Giải quyết sớm hạn"),
    ("finished_on_time", "Giải quyết đúng hạn"),
    ("finished_late", "Giải quyết trễ hạn"),
    ("results_digital", "Kết quả điện tử"),
]
STATS_HEADER = ["Mã đơn vị", "Tên đơn vị", "Tháng", *[label for _f, label in STATS_COUNTERS]]


def stats_queryset() -> Any:
    """Counters summed by receiving unit and month: only aggregates, no dossier, applicant
    or procedure-level detail leaves the services app."""
    return (
        ServiceDailyStat.objects.annotate(month=TruncMonth("day"))
        .values("org_unit_id", "org_unit__code", "org_unit__name", "month")
        .annotate(**{f: Sum(f) for f, _label in STATS_COUNTERS})
        .order_by("month", "org_unit__code", "org_unit_id")
    )


def stats_rows(*, on: dt.date) -> Rows:
    for r in stats_queryset().iterator(chunk_size=2000):
        month = r["month"]
        yield [
            r["org_unit__code"],
            r["org_unit__name"],
            f"{month.year:04d}-{month.month:02d}",
            *[r[f] or 0 for f, _label in STATS_COUNTERS],
        ]


def stats_period() -> tuple[dt.date | None, dt.date | None]:
    span = ServiceDailyStat.objects.aggregate(start=Min("day"), end=Max("day"))
    return span["start"], span["end"]


@dataclass(frozen=True)
class PlatformDataset:
    name: str
    title: str
    title_en: str
    description: str
    keywords: tuple[str, ...]
    frequency: str
    header: list[str]
    rows: Callable[..., Rows]
    types: dict[str, str]
    period: Callable[[], tuple[dt.date | None, dt.date | None]] | None = None


PLATFORM_DATASETS = [
    PlatformDataset(
        name="danh-muc-co-quan-don-vi",
        title="Danh mục cơ quan, đơn vị hành chính đang có hiệu lực",
        title_en="Government agencies and administrative units in force",
        description=(
            "Các cơ quan, đơn vị của tỉnh có hiệu lực tại ngày công bố, với mã, tên, loại, cấp "
            "và đơn vị cấp trên. Trích tự động từ danh mục tổ chức của Tỉnh Số."
        ),
        keywords=("đơn vị hành chính", "cơ quan", "tổ chức bộ máy"),
        frequency=Frequency.IRREGULAR,
        header=ORG_HEADER,
        rows=org_rows,
        types={"ma": "text", "ma_don_vi_cap_tren": "text", "cap": "int"},
    ),
    PlatformDataset(
        name="danh-muc-thu-tuc-hanh-chinh",
        title="Danh mục thủ tục hành chính",
        title_en="Catalogue of administrative procedures",
        description=(
            "Các thủ tục hành chính đang áp dụng: mã, tên, lĩnh vực, cấp thực hiện, mức dịch "
            "vụ công trực tuyến, thời hạn giải quyết theo hình thức nộp và phí, lệ phí. "
            "Trích tự động từ danh mục thủ tục của Tỉnh Số."
        ),
        keywords=("thủ tục hành chính", "dịch vụ công", "phí, lệ phí"),
        frequency=Frequency.WEEKLY,
        header=PROCEDURE_HEADER,
        rows=procedure_rows,
        types={
            "ma_thu_tuc": "text",
            "thoi_han_giai_quyet": "text",
            "phi_le_phi_thap_nhat_dong": "int",
            "phi_le_phi_cao_nhat_dong": "int",
            "mien_phi": "bool",
        },
    ),
    PlatformDataset(
        name="thong-ke-ho-so-theo-thang",
        title="Thống kê hồ sơ thủ tục hành chính theo đơn vị và tháng",
        title_en="Administrative dossiers by unit and month",
        description=(
            "Số hồ sơ tiếp nhận (theo kênh), từ chối, rút, đã giải quyết (sớm, đúng, trễ hạn) "
            "và có kết quả điện tử của từng đơn vị tiếp nhận theo tháng. Số liệu tổng hợp, "
            "ẩn danh (không có thông tin người nộp hay từng hồ sơ), tính từ hệ thống dịch vụ "
            "công của Tỉnh Số."
        ),
        keywords=("thủ tục hành chính", "hồ sơ", "thống kê", "dịch vụ công"),
        frequency=Frequency.MONTHLY,
        header=STATS_HEADER,
        rows=stats_rows,
        types={"ma_don_vi": "text", "thang": "text"}
        | {column_id(label): "int" for _f, label in STATS_COUNTERS},
        period=stats_period,
    ),
    PlatformDataset(
        name="tra-loi-phan-anh-kien-nghi",
        title="Trả lời phản ánh, kiến nghị đã công khai",
        title_en="Published answers to feedback and petitions",
        description=(
            "Các phản ánh, kiến nghị mà người gửi đồng ý và đơn vị quyết định công khai, với "
            "câu trả lời của đơn vị, thủ tục liên quan và ngày tiếp nhận, trả lời. Thông tin "
            "cá nhân (họ tên, thư điện tử, số điện thoại, số giấy tờ) đã được ẩn."
        ),
        keywords=("phản ánh, kiến nghị", "thủ tục hành chính", "dịch vụ công"),
        frequency=Frequency.WEEKLY,
        header=PUBLISHED_HEADER,
        rows=published_rows,
        types=PUBLISHED_TYPES,
        period=published_period,
    ),
]

# -- publishing ----------------------------------------------------------------------------------


@dataclass
class PublishResult:
    name: str
    created: bool
    loaded: bool
    rows: int
    version: int


def _write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> tuple[int, str]:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return count, digest


def platform_owner(code: str = "") -> OrgUnit:
    """The province: the given unit code, else the single administrative root valid today."""
    if code:
        try:
            return orgunit_get(code=code)
        except OrgUnit.DoesNotExist:
            raise ValueError(f"Không có đơn vị mã {code} đang có hiệu lực.") from None
    roots = list(orgunit_roots().filter(category=OrgUnit.Category.ADMINISTRATIVE).order_by("code"))
    if len(roots) != 1:
        raise ValueError(
            "Không xác định được đơn vị cấp tỉnh (cần đúng một đơn vị gốc); dùng --owner MÃ."
        )
    return roots[0]


def _contact() -> tuple[str, str]:
    return (
        getattr(settings, "DATA_PLATFORM_CONTACT_NAME", "Bộ phận dữ liệu nền tảng Tỉnh Số"),
        getattr(settings, "DATA_PLATFORM_CONTACT_EMAIL", "dulieu@tinhso.example.vn"),
    )


def _publish_one(spec: PlatformDataset, *, owner: OrgUnit, on: dt.date, tmp: Path) -> PublishResult:
    path = tmp / f"{spec.name}.csv"
    _count, digest = _write_csv(path, spec.header, spec.rows(on=on))
    start, end = spec.period() if spec.period else (None, None)
    contact_name, contact_email = _contact()
    meta: dict[str, Any] = {
        "title": spec.title,
        "title_en": spec.title_en,
        "description": spec.description,
        "theme": Theme.GOVERNMENT,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "frequency": spec.frequency,
        "licence": Licence.CC_BY,
        "access_level": AccessLevel.PUBLIC,
        "spatial_unit": owner,
        "spatial_label": owner.name,
        "temporal_start": start,
        "temporal_end": end,
        "source": "Dữ liệu nền tảng Tỉnh Số (công bố tự động)",
    }
    with transaction.atomic():
        dataset = Dataset.objects.select_related("org_unit").filter(name=spec.name).first()
        created = dataset is None
        if dataset is None:
            dataset = dataset_create(
                actor=None,
                name=spec.name,
                org_unit=owner,
                keywords=spec.keywords,
                is_demo=False,
                **meta,
            )
        else:
            # A dataset of the same name (e.g. the invented demo one) is taken over.
            wanted = meta | {"org_unit": owner, "is_demo": False}
            changes = {k: v for k, v in wanted.items() if getattr(dataset, k) != v}
            keywords = None
            if sorted(k.name for k in dataset.keywords.all()) != sorted(spec.keywords):
                keywords = list(spec.keywords)
            if changes or keywords is not None:
                dataset = dataset_update(actor=None, dataset=dataset, keywords=keywords, **changes)
        resource = (
            dataset.resources.filter(format=Resource.Format.CSV).order_by("position", "pk").first()
        )
        if resource is None:
            resource = resource_add(
                actor=None,
                dataset=dataset,
                name=spec.title,
                format=Resource.Format.CSV,
                description="Bảng dữ liệu CSV (UTF-8), cập nhật bằng lệnh publish_platform_data.",
            )
        current = DatastoreTable.objects.filter(resource=resource, is_current=True).first()
        if current is not None and current.source_hash == digest:
            return PublishResult(spec.name, created, False, current.row_count, current.version)
        report = datastore_load(actor=None, resource=resource, path=path, types=spec.types)
    return PublishResult(spec.name, created, True, report.rows_loaded, report.version)


def platform_publish(
    *, owner_code: str = "", on: dt.date | None = None, stdout: TextIO | TextIOBase | None = None
) -> list[PublishResult]:
    owner = platform_owner(owner_code)
    day = on or today()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in PLATFORM_DATASETS:
            result = _publish_one(spec, owner=owner, on=day, tmp=Path(tmp))
            results.append(result)
            if stdout:
                state = (
                    "tạo mới" if result.created else "cập nhật" if result.loaded else "không đổi"
                )
                stdout.write(
                    f"  {result.name}: {state}, {result.rows} dòng, phiên bản {result.version}\n"
                )
    return results
