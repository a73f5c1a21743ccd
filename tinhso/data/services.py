"""Writes of the data app: catalogue, datastore loads, client systems, keys, grants, access
requests and the signed access log. Every state change runs in one transaction with an
``audit_record``; permissions go through ``tinhso.accounts.permissions``."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import user_can
from tinhso.audit.services import audit_record
from tinhso.data import permissions as _permissions  # noqa: F401 (registers the actions)
from tinhso.data import tabular
from tinhso.data.models import (
    AccessLevel,
    AccessLog,
    AccessLogHead,
    AccessRequest,
    ApiKey,
    ClientSystem,
    Dataset,
    DatastoreRow,
    DatastoreTable,
    Frequency,
    Grant,
    Keyword,
    Licence,
    Resource,
    Theme,
)
from tinhso.data.text import fold, search_text
from tinhso.orgs.models import OrgUnit
from tinhso.uploads import upload_too_large

TABULAR_FORMATS = {"CSV", "XLSX", "JSON"}
BATCH = 1000


def _require(actor: Any, action: str, org_unit: OrgUnit) -> None:
    """``actor=None`` is the system (commands, demo loader); a user needs the permission."""
    if actor is None:
        return
    if not user_can(user=actor, action=action, org_unit=org_unit):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với đơn vị này."))


def _vn_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- catalogue ------------------------------------------------------------------------------


def _search_text(dataset: Dataset, keywords: Iterable[str]) -> str:
    parts = [
        dataset.name.replace("-", " "),
        dataset.title,
        dataset.title_en,
        dataset.description,
        dataset.description_en,
        dataset.org_unit.name,
        dataset.spatial_label,
        *keywords,
    ]
    return search_text(" ".join(p for p in parts if p))


def keywords_get_or_create(*, names: Iterable[str]) -> list[Keyword]:
    result: list[Keyword] = []
    for raw in names:
        name = " ".join(raw.split())[:100]
        if not name:
            continue
        kw, _created = Keyword.objects.get_or_create(name=name, defaults={"folded": fold(name)})
        result.append(kw)
    return result


_DATASET_FIELDS = (
    "title",
    "title_en",
    "description",
    "description_en",
    "theme",
    "contact_name",
    "contact_email",
    "frequency",
    "licence",
    "access_level",
    "spatial_unit",
    "spatial_label",
    "temporal_start",
    "temporal_end",
    "source",
    "steward",
)


def _validate_dataset(dataset: Dataset) -> None:
    errors: dict[str, str] = {}
    try:
        validate_slug(dataset.name)
    except ValidationError:
        errors["name"] = _("Mã bộ dữ liệu chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
    if dataset.name != dataset.name.lower():
        errors["name"] = _("Mã bộ dữ liệu chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
    if not dataset.title.strip():
        errors["title"] = _("Vui lòng nhập tên bộ dữ liệu.")
    if not dataset.description.strip():
        errors["description"] = _("Vui lòng nhập mô tả.")
    if dataset.theme not in Theme.values:
        errors["theme"] = _("Lĩnh vực không hợp lệ.")
    if dataset.frequency not in Frequency.values:
        errors["frequency"] = _("Tần suất cập nhật không hợp lệ.")
    if dataset.licence not in Licence.values:
        errors["licence"] = _("Giấy phép không hợp lệ.")
    if dataset.access_level not in AccessLevel.values:
        errors["access_level"] = _("Mức truy cập không hợp lệ.")
    if dataset.access_level == AccessLevel.PUBLIC and dataset.licence == Licence.RESTRICTED:
        errors["licence"] = _("Dữ liệu công khai phải có giấy phép mở.")
    try:
        validate_email(dataset.contact_email)
    except ValidationError:
        errors["contact_email"] = _("Thư điện tử liên hệ không hợp lệ.")
    if (
        dataset.temporal_start
        and dataset.temporal_end
        and dataset.temporal_end < dataset.temporal_start
    ):
        errors["temporal_end"] = _("Thời gian kết thúc phải sau thời gian bắt đầu.")
    if Dataset.objects.filter(name=dataset.name).exclude(pk=dataset.pk).exists():
        errors["name"] = _("Mã bộ dữ liệu đã tồn tại.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def dataset_create(
    *,
    actor: Any,
    name: str,
    title: str,
    description: str,
    theme: str,
    org_unit: OrgUnit,
    contact_name: str,
    contact_email: str,
    frequency: str,
    licence: str,
    access_level: str,
    keywords: Iterable[str] = (),
    shared_with: Iterable[OrgUnit] = (),
    is_demo: bool = False,
    **extra: Any,
) -> Dataset:
    _require(actor, "data.manage", org_unit)
    unknown = set(extra) - set(_DATASET_FIELDS)
    if unknown:
        raise TypeError(f"unknown dataset fields: {sorted(unknown)}")
    now = timezone.now()
    dataset = Dataset(
        name=name,
        title=title,
        description=description,
        theme=theme,
        org_unit=org_unit,
        contact_name=contact_name,
        contact_email=contact_email,
        frequency=frequency,
        licence=licence,
        access_level=access_level,
        is_demo=is_demo,
        created_at=now,
        modified_at=now,
        **extra,
    )
    _validate_dataset(dataset)
    kws = keywords_get_or_create(names=keywords)
    dataset.search_text = _search_text(dataset, [k.name for k in kws])
    dataset.save()
    dataset.keywords.set(kws)
    units = list(shared_with)
    if units:
        dataset.shared_with.set(units)
    audit_record(
        actor=actor,
        action="data.dataset.create",
        obj=dataset,
        org_unit=org_unit,
        after={"name": name, "access_level": access_level, "theme": theme},
    )
    return dataset


@transaction.atomic
def dataset_update(
    *,
    actor: Any,
    dataset: Dataset,
    keywords: Iterable[str] | None = None,
    shared_with: Iterable[OrgUnit] | None = None,
    **changes: Any,
) -> Dataset:
    """Change catalogue fields. ``org_unit`` (a transfer) needs ``data.manage`` on both the
    current and the new owner; ``is_demo`` is for the system's own publishers."""
    _require(actor, "data.manage", dataset.org_unit)
    unknown = set(changes) - set(_DATASET_FIELDS) - {"org_unit", "is_demo"}
    if unknown:
        raise TypeError(f"unknown dataset fields: {sorted(unknown)}")
    if "org_unit" in changes:
        _require(actor, "data.manage", changes["org_unit"])
    dataset = (
        Dataset.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=dataset.pk)
    )
    before = {k: getattr(dataset, k) for k in changes}
    for key, value in changes.items():
        setattr(dataset, key, value)
    _validate_dataset(dataset)
    if keywords is not None:
        kws = keywords_get_or_create(names=keywords)
        before["keywords"] = sorted(k.name for k in dataset.keywords.all())
        changes["keywords"] = sorted(k.name for k in kws)
        dataset.keywords.set(kws)
    if shared_with is not None:
        units = list(shared_with)
        before["shared_with"] = sorted(u.code for u in dataset.shared_with.all())
        changes["shared_with"] = sorted(u.code for u in units)
        dataset.shared_with.set(units)
    names = [k.name for k in dataset.keywords.all()]
    dataset.search_text = _search_text(dataset, names)
    dataset.modified_at = timezone.now()
    dataset.save()
    audit_record(
        actor=actor,
        action="data.dataset.update",
        obj=dataset,
        org_unit=dataset.org_unit,
        before=before,
        after=changes,
    )
    return dataset


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()


@transaction.atomic
def resource_add(
    *,
    actor: Any,
    dataset: Dataset,
    name: str,
    format: str,
    path: Path | None = None,
    filename: str = "",
    description: str = "",
    kind: str = Resource.Kind.FILE,
    column_descriptions: dict[str, str] | None = None,
) -> Resource:
    """Add a resource; a file is copied into storage with its size and SHA-256."""
    _require(actor, "data.manage", dataset.org_unit)
    if format not in Resource.Format.values:
        raise ValidationError({"format": _("Định dạng không hỗ trợ: %(f)s.") % {"f": format}})
    if not name.strip():
        raise ValidationError({"name": _("Vui lòng nhập tên tài nguyên.")})
    now = timezone.now()
    position = (dataset.resources.aggregate(m=Max("position"))["m"] or 0) + 1
    resource = Resource(
        dataset=dataset,
        position=position,
        name=name,
        description=description,
        format=format,
        kind=kind,
        created_at=now,
        modified_at=now,
        schema=[
            {"id": k, "label": k, "type": "text", "description": v}
            for k, v in (column_descriptions or {}).items()
        ],
    )
    if path is not None:
        try:
            tabular.check_size(path)
        except tabular.TabularError as exc:
            raise ValidationError({"file": exc.message}) from exc
        resource.size, resource.hash = _hash_file(path)
        with path.open("rb") as fh:
            resource.file.save(filename or path.name, File(fh), save=False)
    resource.save()
    audit_record(
        actor=actor,
        action="data.resource.add",
        obj=resource,
        org_unit=dataset.org_unit,
        after={"dataset": dataset.name, "name": name, "format": format, "hash": resource.hash},
    )
    return resource


# --- datastore ------------------------------------------------------------------------------


@dataclass
class LoadReport:
    resource_id: str
    encoding: str = ""
    columns: list[dict[str, str]] = field(default_factory=list)
    rows_loaded: int = 0
    bad_count: int = 0
    bad_rows: list[tabular.BadRow] = field(default_factory=list)
    version: int = 0

    def add_bad(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad_rows) < tabular.MAX_REPORTED_BAD_ROWS:
            self.bad_rows.append(tabular.BadRow(line, reason))


class DatastoreLoadError(ValidationError):
    """The load was refused; nothing was written and the previous version stays current."""

    def __init__(self, message: str, report: LoadReport | None = None) -> None:
        super().__init__(message)
        self.report = report


def _bad_rows_message(report: LoadReport, limit: int) -> str:
    head = "; ".join(f"dòng {b.line}: {b.reason}" for b in report.bad_rows[:5])
    return _("Có %(n)s dòng lỗi (cho phép tối đa %(limit)s), không nạp dữ liệu nào. %(head)s") % {
        "n": report.bad_count,
        "limit": limit,
        "head": head,
    }


def datastore_load(
    *,
    actor: Any,
    resource: Resource,
    path: Path | None = None,
    encoding: str | None = None,
    types: dict[str, str] | None = None,
    max_bad_rows: int = 0,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> LoadReport:
    """Load a CSV/XLSX/JSON file into the datastore as a new version of ``resource``.

    Two streaming passes: the first detects the encoding, infers column types (``types``
    overrides them) and finds ragged rows; the second converts and inserts in batches, all
    in one transaction. More than ``max_bad_rows`` bad rows, or any error, rolls the whole
    load back and the previous version stays current. With ``path`` (a new upload), the
    resource's file is replaced only when the load succeeds.
    """
    dataset = resource.dataset
    _require(actor, "data.manage", dataset.org_unit)
    report = LoadReport(resource_id=str(resource.uuid))
    if resource.format not in TABULAR_FORMATS:
        raise DatastoreLoadError(
            _("Định dạng %(f)s không nạp được vào kho dữ liệu (chỉ CSV, XLSX, JSON).")
            % {"f": resource.format},
            report,
        )
    new_file = path is not None
    if path is None:
        if not resource.file:
            raise DatastoreLoadError(_("Tài nguyên chưa có tệp để nạp."), report)
        path = Path(resource.file.path)
    try:
        scan = tabular.scan(path, resource.format, encoding=encoding, types=types)
    except tabular.TabularError as exc:
        raise DatastoreLoadError(exc.message, report) from exc
    report.encoding = scan.encoding
    report.columns = [c.as_dict() for c in scan.columns]
    for bad in scan.bad_rows:
        report.add_bad(bad.line, bad.reason)
    report.bad_count = scan.bad_count
    if report.bad_count > max_bad_rows:
        raise DatastoreLoadError(_bad_rows_message(report, max_bad_rows), report)
    if on_total:
        on_total(scan.rows)
    size, digest = _hash_file(path)
    stored_new = ""
    try:
        with transaction.atomic():
            locked = Resource.objects.select_for_update().get(pk=resource.pk)
            version = (locked.tables.aggregate(m=Max("version"))["m"] or 0) + 1
            table = DatastoreTable.objects.create(
                resource=locked,
                version=version,
                is_current=False,
                columns=report.columns,
                encoding=scan.encoding,
                source_hash=digest,
                loaded_at=timezone.now(),
                loaded_by=actor if getattr(actor, "pk", None) else None,
            )
            batch: list[DatastoreRow] = []
            row_no = 0
            text_columns = {c.id for c in scan.columns if c.type == "text"}
            for line, record, search, reason in tabular.records(path, resource.format, scan):
                if record is None:
                    if reason:
                        report.add_bad(line, reason)
                        if report.bad_count > max_bad_rows:
                            raise DatastoreLoadError(
                                _bad_rows_message(report, max_bad_rows), report
                            )
                    continue
                row_no += 1
                folded = {
                    k: fold(v) for k, v in record.items() if k in text_columns and v is not None
                }
                batch.append(
                    DatastoreRow(
                        table=table, row_no=row_no, data=record, search=search, folded=folded
                    )
                )
                if len(batch) >= BATCH:
                    DatastoreRow.objects.bulk_create(batch)
                    if progress:
                        progress(len(batch))
                    batch = []
            if batch:
                DatastoreRow.objects.bulk_create(batch)
                if progress:
                    progress(len(batch))
            previous = list(locked.tables.filter(is_current=True))
            for old in previous:
                old.delete()
            table.row_count = row_no
            table.is_current = True
            table.save(update_fields=["row_count", "is_current"])
            descriptions = {c.get("id"): c.get("description", "") for c in locked.schema}
            locked.schema = [
                {**c, "description": descriptions.get(c["id"], "")} for c in report.columns
            ]
            locked.datastore_active = True
            locked.modified_at = timezone.now()
            if new_file:
                with path.open("rb") as fh:
                    old_name = locked.file.name if locked.file else ""
                    locked.file.save(path.name, File(fh), save=False)
                stored_new = locked.file.name
                if old_name:
                    # only once the new row is committed: a rollback must find the old file
                    storage = locked.file.storage
                    transaction.on_commit(lambda: storage.delete(old_name))
            locked.size, locked.hash = size, digest
            locked.save()
            Dataset.objects.filter(pk=dataset.pk).update(modified_at=locked.modified_at)
            report.rows_loaded = row_no
            report.version = version
            audit_record(
                actor=actor,
                action="data.datastore.load",
                obj=locked,
                org_unit=dataset.org_unit,
                after={
                    "version": version,
                    "rows": row_no,
                    "bad_rows": report.bad_count,
                    "hash": digest,
                    "encoding": scan.encoding,
                },
            )
    except BaseException as exc:
        if stored_new:  # the rows pointing at it rolled back: the new file is an orphan
            resource.file.storage.delete(stored_new)
        if isinstance(exc, tabular.TabularError):
            raise DatastoreLoadError(exc.message, report) from exc
        raise
    resource.refresh_from_db()
    return report


def datastore_load_upload(
    *, actor: Any, resource: Resource, upload: Any, **options: Any
) -> LoadReport:
    """Load an uploaded file (Django ``UploadedFile``): size-checked before it is read."""
    limit = tabular.max_file_bytes()
    if upload_too_large(upload, limit):
        raise DatastoreLoadError(
            _("Tệp quá lớn: %(size)s byte, giới hạn %(limit)s byte.")
            % {"size": upload.size, "limit": limit}
        )
    with tempfile.TemporaryDirectory() as tmp:
        target = _upload_to(upload, Path(tmp))
        try:
            tabular.check_content(target, resource.format)
        except tabular.TabularError as exc:
            raise DatastoreLoadError(exc.message) from exc
        return datastore_load(actor=actor, resource=resource, path=target, **options)


def _upload_to(upload: Any, directory: Path) -> Path:
    """Copy an upload into ``directory`` under a safe version of its own name."""
    name = get_valid_filename(Path(upload.name or "tai-lieu").name) or "tai-lieu"
    target = directory / name[-120:]
    with target.open("wb") as out:
        if hasattr(upload, "chunks"):
            for chunk in upload.chunks():
                out.write(chunk)
        else:
            shutil.copyfileobj(upload, out)
    return target


def _check_upload_size(upload: Any) -> None:
    limit = tabular.max_file_bytes()
    if upload_too_large(upload, limit):
        raise ValidationError(
            {
                "file": _("Tệp quá lớn: %(size)s byte, giới hạn %(limit)s byte.")
                % {
                    "size": f"{upload.size:,}".replace(",", "."),
                    "limit": f"{limit:,}".replace(",", "."),
                }
            }
        )


def resource_add_upload(
    *,
    actor: Any,
    dataset: Dataset,
    name: str,
    upload: Any,
    description: str = "",
    types: dict[str, str] | None = None,
) -> tuple[Resource, LoadReport | None]:
    """Add a resource from an uploaded file. The format comes from the file name and is
    checked against the content; tabular files (CSV, XLSX, JSON) are loaded into the
    datastore. All or nothing: a refused file or a failed load leaves no resource behind
    (``DatastoreLoadError`` carries the row-level report)."""
    _require(actor, "data.manage", dataset.org_unit)
    _check_upload_size(upload)
    try:
        fmt = tabular.format_from_filename(upload.name or "")
    except tabular.TabularError as exc:
        raise ValidationError({"file": exc.message}) from exc
    with tempfile.TemporaryDirectory() as tmp:
        target = _upload_to(upload, Path(tmp))
        try:
            tabular.check_content(target, fmt)
        except tabular.TabularError as exc:
            raise ValidationError({"file": exc.message}) from exc
        with transaction.atomic():
            if fmt not in TABULAR_FORMATS:
                resource = resource_add(
                    actor=actor,
                    dataset=dataset,
                    name=name,
                    format=fmt,
                    path=target,
                    filename=target.name,
                    description=description,
                )
                return resource, None
            resource = resource_add(
                actor=actor, dataset=dataset, name=name, format=fmt, description=description
            )
            report = datastore_load(actor=actor, resource=resource, path=target, types=types)
    resource.refresh_from_db()
    return resource, report


def resource_replace_upload(
    *, actor: Any, resource: Resource, upload: Any, types: dict[str, str] | None = None
) -> LoadReport | None:
    """Replace a resource's file with a new upload of the same format. Tabular resources
    are reloaded as a new datastore version; a refused file or a failed load leaves the
    previous file and version in place."""
    dataset = resource.dataset
    _require(actor, "data.manage", dataset.org_unit)
    _check_upload_size(upload)
    try:
        fmt = tabular.format_from_filename(upload.name or "")
    except tabular.TabularError as exc:
        raise ValidationError({"file": exc.message}) from exc
    if fmt != resource.format:
        raise ValidationError(
            {
                "file": _(
                    "Tài nguyên này có định dạng %(want)s; tệp mới là %(got)s. Hãy thêm tài "
                    "nguyên mới nếu muốn đổi định dạng."
                )
                % {"want": resource.format, "got": fmt}
            }
        )
    with tempfile.TemporaryDirectory() as tmp:
        target = _upload_to(upload, Path(tmp))
        try:
            tabular.check_content(target, fmt)
        except tabular.TabularError as exc:
            raise ValidationError({"file": exc.message}) from exc
        if fmt in TABULAR_FORMATS:
            return datastore_load(actor=actor, resource=resource, path=target, types=types)
        _file_replace(actor=actor, resource=resource, path=target)
    return None


@transaction.atomic
def _file_replace(*, actor: Any, resource: Resource, path: Path) -> Resource:
    locked = Resource.objects.select_for_update().select_related("dataset").get(pk=resource.pk)
    before = {"hash": locked.hash, "size": locked.size}
    old_name = locked.file.name if locked.file else ""
    locked.size, locked.hash = _hash_file(path)
    with path.open("rb") as fh:
        locked.file.save(path.name, File(fh), save=False)
    locked.modified_at = timezone.now()
    locked.save()
    Dataset.objects.filter(pk=locked.dataset_id).update(modified_at=locked.modified_at)
    if old_name:
        storage = locked.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    audit_record(
        actor=actor,
        action="data.resource.replace",
        obj=locked,
        org_unit=locked.dataset.org_unit,
        before=before,
        after={"hash": locked.hash, "size": locked.size},
    )
    resource.refresh_from_db()
    return locked


@transaction.atomic
def resource_delete(*, actor: Any, resource: Resource) -> None:
    """Delete a resource, its datastore versions and its file. Refused while a grant names
    this resource (revoke or let the grant lapse is not enough: grants are evidence)."""
    dataset = resource.dataset
    _require(actor, "data.manage", dataset.org_unit)
    if Grant.objects.filter(resource=resource).exists():
        raise ValidationError(
            _(
                "Tài nguyên này đã được cấp quyền riêng cho hệ thống kết nối nên không xóa được "
                "(quyền cấp là chứng cứ). Hãy lưu trữ cả bộ dữ liệu, hoặc thay tệp mới."
            )
        )
    file_name = resource.file.name if resource.file else ""
    storage = resource.file.storage
    info = {"dataset": dataset.name, "name": resource.name, "hash": resource.hash}
    audit_record(
        actor=actor,
        action="data.resource.delete",
        obj=resource,
        org_unit=dataset.org_unit,
        before=info,
    )
    resource.delete()
    Dataset.objects.filter(pk=dataset.pk).update(modified_at=timezone.now())
    if file_name:
        transaction.on_commit(lambda: storage.delete(file_name))


@transaction.atomic
def dataset_archive(*, actor: Any, dataset: Dataset, archived: bool = True) -> Dataset:
    """Archive (hide from the catalogue, the CKAN API, DCAT-AP and LGSP) or restore."""
    _require(actor, "data.manage", dataset.org_unit)
    locked = (
        Dataset.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=dataset.pk)
    )
    if archived == (locked.archived_at is not None):
        raise ValidationError(
            _("Bộ dữ liệu đã được lưu trữ.") if archived else _("Bộ dữ liệu chưa bị lưu trữ.")
        )
    before = {"archived_at": locked.archived_at}
    locked.archived_at = timezone.now() if archived else None
    locked.modified_at = timezone.now()
    locked.save(update_fields=["archived_at", "modified_at"])
    audit_record(
        actor=actor,
        action="data.dataset.archive" if archived else "data.dataset.restore",
        obj=locked,
        org_unit=locked.org_unit,
        before=before,
        after={"archived_at": locked.archived_at},
    )
    return locked


@transaction.atomic
def dataset_delete(*, actor: Any, dataset: Dataset) -> None:
    """Delete a dataset that was never shared with a client system or requested; otherwise
    it must be archived (its grants and requests stay as evidence)."""
    _require(actor, "data.manage", dataset.org_unit)
    if Grant.objects.filter(dataset=dataset).exists() or dataset.access_requests.exists():
        raise ValidationError(
            _(
                "Bộ dữ liệu đã có quyền truy cập hoặc yêu cầu truy cập nên không xóa được; "
                "hãy lưu trữ bộ dữ liệu."
            )
        )
    storage_files = [(r.file.storage, r.file.name) for r in dataset.resources.all() if r.file]
    audit_record(
        actor=actor,
        action="data.dataset.delete",
        obj=dataset,
        org_unit=dataset.org_unit,
        before={
            "name": dataset.name,
            "title": dataset.title,
            "resources": [r.name for r in dataset.resources.all()],
        },
    )
    dataset.delete()

    def remove_files() -> None:
        for storage, name in storage_files:
            storage.delete(name)

    transaction.on_commit(remove_files)


# --- client systems and keys ----------------------------------------------------------------

KEY_PREFIX = "tsk"


def apikey_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def client_register(
    *,
    actor: Any,
    org_unit: OrgUnit,
    code: str,
    name: str,
    description: str = "",
    contact_email: str = "",
    is_demo: bool = False,
) -> ClientSystem:
    _require(actor, "data.client", org_unit)
    errors: dict[str, str] = {}
    try:
        validate_slug(code)
    except ValidationError:
        errors["code"] = _("Mã hệ thống chỉ gồm chữ không dấu, số, gạch ngang.")
    if ClientSystem.objects.filter(code=code).exists():
        errors["code"] = _("Mã hệ thống đã tồn tại.")
    if not name.strip():
        errors["name"] = _("Vui lòng nhập tên hệ thống.")
    if errors:
        raise ValidationError(errors)
    client = ClientSystem.objects.create(
        org_unit=org_unit,
        code=code,
        name=name,
        description=description,
        contact_email=contact_email,
        is_demo=is_demo,
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="data.client.register",
        obj=client,
        org_unit=org_unit,
        after={"code": code, "name": name},
    )
    return client


@transaction.atomic
def apikey_issue(
    *, actor: Any, client: ClientSystem, secret: str | None = None
) -> tuple[ApiKey, str]:
    """Issue a key; the plaintext is returned once and only its SHA-256 is stored.

    Keys are 256-bit random secrets, so a fast hash is enough (no password stretching)."""
    _require(actor, "data.client", client.org_unit)
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():  # pragma: no cover (2^-32)
        prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}_{prefix}_{secret or secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        client=client,
        prefix=prefix,
        key_hash=apikey_hash(raw),
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="data.apikey.issue",
        obj=key,
        org_unit=client.org_unit,
        after={"client": client.code, "prefix": prefix},
    )
    return key, raw


@transaction.atomic
def apikey_revoke(*, actor: Any, key: ApiKey, at: dt.datetime | None = None) -> ApiKey:
    _require(actor, "data.client", key.client.org_unit)
    key = (
        ApiKey.objects.select_for_update(of=("self",))
        .select_related("client__org_unit")
        .get(pk=key.pk)
    )
    if key.revoked_at is not None and key.revoked_at <= timezone.now():
        raise ValidationError(_("Khóa này đã bị thu hồi."))
    key.revoked_at = at or timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="data.apikey.revoke",
        obj=key,
        org_unit=key.client.org_unit,
        after={"client": key.client.code, "prefix": key.prefix, "revoked_at": key.revoked_at},
    )
    return key


@transaction.atomic
def apikey_rotate(
    *, actor: Any, client: ClientSystem, grace: dt.timedelta | None = None
) -> tuple[ApiKey, str]:
    """Issue a new key and revoke the others (after ``grace``, default immediately)."""
    _require(actor, "data.client", client.org_unit)
    new_key, raw = apikey_issue(actor=actor, client=client)
    until = timezone.now() + (grace or dt.timedelta(0))
    for old in client.keys.exclude(pk=new_key.pk).filter(revoked_at__isnull=True):
        apikey_revoke(actor=actor, key=old, at=until)
    return new_key, raw


# --- grants and access requests -------------------------------------------------------------


def _unit_entitled(dataset: Dataset, unit: OrgUnit) -> bool:
    """Is ``unit`` (or a unit above it) among the dataset's named units, or the owner?"""
    if unit.path.startswith(dataset.org_unit.path):
        return True
    return any(unit.path.startswith(u.path) for u in dataset.shared_with.all())


@transaction.atomic
def grant_create(
    *,
    actor: Any,
    client: ClientSystem,
    dataset: Dataset,
    purpose: str,
    valid_from: dt.date,
    valid_until: dt.date,
    resource: Resource | None = None,
    request: AccessRequest | None = None,
) -> Grant:
    _require(actor, "data.grant", dataset.org_unit)
    errors: dict[str, str] = {}
    if not purpose.strip():
        errors["purpose"] = _("Vui lòng nêu mục đích sử dụng dữ liệu.")
    if valid_until < valid_from:
        errors["valid_until"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    if resource is not None and resource.dataset_id != dataset.pk:
        errors["resource"] = _("Tài nguyên không thuộc bộ dữ liệu này.")
    if dataset.access_level == AccessLevel.INTERNAL:
        errors["dataset"] = _(
            "Bộ dữ liệu nội bộ không được chia sẻ; hãy đổi mức truy cập thành “chia sẻ” trước."
        )
    elif dataset.access_level == AccessLevel.SHARED and not _unit_entitled(
        dataset, client.org_unit
    ):
        errors["client"] = _(
            "Cơ quan quản lý hệ thống (%(unit)s) không nằm trong danh sách đơn vị được chia sẻ "
            "bộ dữ liệu này."
        ) % {"unit": client.org_unit.name}
    if not client.is_active:
        errors["client"] = _("Hệ thống kết nối đã bị ngừng.")
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.create(
        client=client,
        dataset=dataset,
        resource=resource,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=actor if getattr(actor, "pk", None) else None,
        request=request,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="data.grant.create",
        obj=grant,
        org_unit=dataset.org_unit,
        after={
            "client": client.code,
            "dataset": dataset.name,
            "resource": str(resource.uuid) if resource else None,
            "purpose": purpose,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: Grant) -> Grant:
    _require(actor, "data.grant", grant.dataset.org_unit)
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("dataset__org_unit")
        .get(pk=grant.pk)
    )
    if grant.revoked_at is not None:
        raise ValidationError(_("Quyền truy cập này đã bị thu hồi."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if getattr(actor, "pk", None) else None
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="data.grant.revoke",
        obj=grant,
        org_unit=grant.dataset.org_unit,
        after={"revoked_at": grant.revoked_at},
    )
    return grant


@transaction.atomic
def access_request_create(
    *,
    actor: Any,
    dataset: Dataset,
    unit: OrgUnit,
    purpose: str,
    valid_from: dt.date,
    valid_until: dt.date,
    client: ClientSystem | None = None,
) -> AccessRequest:
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied(_("Vui lòng đăng nhập."))
    _require(actor, "data.request", unit)
    errors: dict[str, str] = {}
    if dataset.access_level == AccessLevel.PUBLIC:
        errors["dataset"] = _("Dữ liệu công khai: không cần xin quyền truy cập.")
    elif dataset.access_level == AccessLevel.INTERNAL:
        errors["dataset"] = _("Dữ liệu nội bộ không nhận yêu cầu truy cập.")
    if not purpose.strip():
        errors["purpose"] = _("Vui lòng nêu mục đích sử dụng dữ liệu.")
    if valid_until < valid_from:
        errors["valid_until"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    if valid_until < timezone.localdate():
        errors["valid_until"] = _("Thời hạn đã qua.")
    if client is not None and client.org_unit_id != unit.pk:
        errors["client"] = _("Hệ thống kết nối phải thuộc đơn vị gửi yêu cầu.")
    if AccessRequest.objects.filter(
        dataset=dataset, requesting_unit=unit, status=AccessRequest.Status.PENDING
    ).exists():
        errors["dataset"] = _("Đơn vị đã có một yêu cầu đang chờ duyệt cho bộ dữ liệu này.")
    if errors:
        raise ValidationError(errors)
    req = AccessRequest.objects.create(
        dataset=dataset,
        requesting_unit=unit,
        requested_by=actor,
        client=client,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="data.request.create",
        obj=req,
        org_unit=dataset.org_unit,
        after={"dataset": dataset.name, "unit": unit.code, "purpose": purpose},
    )
    return req


@transaction.atomic
def access_request_decide(
    *, actor: Any, request: AccessRequest, approve: bool, note: str = ""
) -> AccessRequest:
    """The owner unit's head approves (the unit is added to the named units and, if a client
    system was named, a grant is issued for the requested period) or rejects."""
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied(_("Vui lòng đăng nhập."))
    _require(actor, "data.grant", request.dataset.org_unit)
    req = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("dataset__org_unit", "requesting_unit", "client__org_unit")
        .get(pk=request.pk)
    )
    if req.status != AccessRequest.Status.PENDING:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Vui lòng nêu lý do từ chối.")})
    req.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.REJECTED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_note = note
    req.save()
    if approve:
        req.dataset.shared_with.add(req.requesting_unit)
        if req.client is not None:
            grant_create(
                actor=actor,
                client=req.client,
                dataset=req.dataset,
                purpose=req.purpose,
                valid_from=req.valid_from,
                valid_until=req.valid_until,
                request=req,
            )
    audit_record(
        actor=actor,
        action="data.request.approve" if approve else "data.request.reject",
        obj=req,
        org_unit=req.dataset.org_unit,
        after={"status": req.status, "note": note},
    )
    return req


# --- the signed access log ------------------------------------------------------------------

LOG_CHAIN = "lgsp"


def accesslog_key() -> bytes:
    """The HMAC key of the access log: ``settings.DATA_LOG_HMAC_KEY`` (set it in production,
    kept apart from SECRET_KEY), else derived from SECRET_KEY."""
    configured = getattr(settings, "DATA_LOG_HMAC_KEY", "")
    if configured:
        return configured.encode("utf-8")
    return hashlib.sha256(b"tinhso.data.accesslog:" + settings.SECRET_KEY.encode("utf-8")).digest()


def accesslog_digest(
    *,
    seq: int,
    prev_hash: str,
    created_at: dt.datetime,
    client_code: str,
    key_prefix: str,
    dataset_name: str,
    resource_id: str,
    grant_id: str,
    action: str,
    outcome: str,
    status: int,
    rows: int,
    params: dict[str, Any],
    ip_address: str,
) -> str:
    payload = json.dumps(
        [
            seq,
            prev_hash,
            created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            client_code,
            key_prefix,
            dataset_name,
            resource_id,
            grant_id,
            action,
            outcome,
            status,
            rows,
            params,
            ip_address,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def accesslog_sign(digest: str) -> str:
    return hmac.new(accesslog_key(), digest.encode("ascii"), hashlib.sha256).hexdigest()


def accesslog_append(
    *,
    client: ClientSystem | None,
    action: str,
    outcome: str,
    status: int,
    key_prefix: str = "",
    dataset: Dataset | None = None,
    resource: Resource | None = None,
    grant: Grant | None = None,
    rows: int = 0,
    params: dict[str, Any] | None = None,
    ip: str = "",
) -> AccessLog:
    """Append one request to the hash chain, signed. Runs in its own transaction so that a
    refused request is logged too."""
    clean_params = json.loads(json.dumps(params or {}, default=str))
    with transaction.atomic():
        head, _created = AccessLogHead.objects.get_or_create(name=LOG_CHAIN)
        head = AccessLogHead.objects.select_for_update().get(pk=head.pk)
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "prev_hash": head.last_hash,
            "created_at": timezone.now(),
            "client_code": client.code if client else "",
            "key_prefix": key_prefix,
            "dataset_name": dataset.name if dataset else "",
            "resource_id": str(resource.uuid) if resource else "",
            "grant_id": str(grant.uuid) if grant else "",
            "action": action,
            "outcome": outcome,
            "status": status,
            "rows": rows,
            "params": clean_params,
            "ip_address": ip or "",
        }
        digest = accesslog_digest(**fields)
        entry = AccessLog.objects.create(
            **fields,
            hash=digest,
            signature=accesslog_sign(digest),
            client=client,
            dataset=dataset,
            owner_unit=dataset.org_unit if dataset else None,
        )
        head.seq = fields["seq"]
        head.last_hash = digest
        head.save(update_fields=["seq", "last_hash"])
    return entry


# --- authenticating and authorising client systems ------------------------------------------


class SharingError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        *,
        client: ClientSystem | None = None,
        key_prefix: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.client = client
        self.key_prefix = key_prefix


def _check_key(key: ApiKey) -> tuple[ClientSystem, ApiKey]:
    now = timezone.now()
    if key.revoked_at is not None and key.revoked_at <= now:
        raise SharingError(
            "key_revoked",
            _("Khóa API đã bị thu hồi lúc %(t)s. Hãy dùng khóa mới của hệ thống.")
            % {"t": timezone.localtime(key.revoked_at).strftime("%H:%M %d/%m/%Y")},
            401,
            client=key.client,
            key_prefix=key.prefix,
        )
    if not key.client.is_active:
        raise SharingError(
            "client_disabled",
            _("Hệ thống kết nối đã bị ngừng."),
            403,
            client=key.client,
            key_prefix=key.prefix,
        )
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.client, key


def lgsp_authenticate(*, raw_key: str) -> tuple[ClientSystem, ApiKey]:
    """The client system and key for a presented API key (or an OAuth2 access token issued
    at ``/lgsp/token``, see ``tinhso.data.oauth``), or ``SharingError``."""
    raw_key = (raw_key or "").strip()
    if not raw_key:
        raise SharingError(
            "missing_key",
            _("Thiếu khóa API: gửi trong header X-API-Key hoặc Authorization: Bearer."),
            401,
        )
    if not raw_key.startswith(KEY_PREFIX + "_"):
        return _token_authenticate(raw_key)
    parts = raw_key.split("_", 2)
    key = None
    if len(parts) == 3:
        key = ApiKey.objects.select_related("client__org_unit").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, apikey_hash(raw_key)):
        raise SharingError("invalid_key", _("Khóa API không hợp lệ."), 401)
    return _check_key(key)


def _token_authenticate(token: str) -> tuple[ClientSystem, ApiKey]:
    """An OAuth2 access token issued by django-oauth-toolkit (``tinhso.data.oauth``): valid,
    with the ``lgsp`` scope, and its API key still valid (revocation stops it at once)."""
    from oauth2_provider.models import get_access_token_model

    access = (
        get_access_token_model()
        .objects.select_related("lgsp__key__client__org_unit")
        .filter(token_checksum=hashlib.sha256(token.encode("utf-8")).hexdigest())
        .first()
    )
    link = getattr(access, "lgsp", None) if access is not None else None
    if access is None or link is None or not access.allow_scopes(["lgsp"]):
        raise SharingError("invalid_key", _("Khóa API không hợp lệ."), 401)
    if access.is_expired():
        raise SharingError("token_expired", _("Mã truy cập đã hết hạn."), 401)
    return _check_key(link.key)


def rate_limit() -> int:
    return int(getattr(settings, "DATA_LGSP_RATE_LIMIT", 120))


def lgsp_rate_check(*, client: ClientSystem) -> None:
    """At most ``DATA_LGSP_RATE_LIMIT`` requests per client per minute (the Django cache)."""
    window = int(timezone.now().timestamp() // 60)
    key = f"data:lgsp:rate:{client.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > rate_limit():
        raise SharingError(
            "rate_limited",
            _("Vượt giới hạn %(n)s yêu cầu mỗi phút. Vui lòng thử lại sau.") % {"n": rate_limit()},
            429,
        )


def lgsp_token_scopes(*, raw_key: str) -> frozenset[str] | None:
    """The scopes of a presented OAuth2 access token; None for an API key (which reaches
    every current grant of its system)."""
    from oauth2_provider.models import get_access_token_model

    raw_key = (raw_key or "").strip()
    if not raw_key or raw_key.startswith(KEY_PREFIX + "_"):
        return None
    scope = (
        get_access_token_model()
        .objects.filter(token_checksum=hashlib.sha256(raw_key.encode("utf-8")).hexdigest())
        .values_list("scope", flat=True)
        .first()
    )
    return frozenset((scope or "").split())


def lgsp_authorise(
    *,
    client: ClientSystem,
    dataset: Dataset,
    resource: Resource | None = None,
    scopes: frozenset[str] | None = None,
) -> Grant:
    """The grant that lets ``client`` read ``dataset`` (or ``resource``) today, or the
    clearest reason why not. For dataset metadata (``resource=None``) a grant on any of its
    resources is enough; for rows, the grant must cover the dataset or that resource. With
    an access token, its scopes must also name the dataset (``dataset:<name>``)."""
    if scopes is not None and f"dataset:{dataset.name}" not in scopes:
        raise SharingError(
            "insufficient_scope",
            _(
                "Mã truy cập không bao gồm bộ dữ liệu “%(what)s”. Hãy xin mã truy cập mới "
                "(phạm vi dataset:%(name)s)."
            )
            % {"what": dataset.title, "name": dataset.name},
            403,
        )
    if dataset.archived_at is not None:
        raise SharingError(
            "dataset_archived",
            _("Bộ dữ liệu “%(what)s” đã được đơn vị chủ quản lưu trữ, không còn chia sẻ.")
            % {"what": dataset.title},
            410,
        )
    grants = list(Grant.objects.filter(client=client, dataset=dataset).order_by("-created_at"))
    if resource is not None:
        grants = [g for g in grants if g.resource_id in (None, resource.pk)]
    today = timezone.localdate()
    for g in grants:
        if g.revoked_at is None and g.valid_from <= today <= g.valid_until:
            return g
    if not grants:
        raise SharingError(
            "no_grant",
            _("Hệ thống “%(client)s” chưa được cấp quyền truy cập “%(what)s”.")
            % {"client": client.name, "what": resource.name if resource else dataset.title},
            403,
        )
    latest = grants[0]
    if latest.revoked_at is not None:
        raise SharingError(
            "grant_revoked",
            _("Quyền truy cập đã bị thu hồi ngày %(d)s.")
            % {"d": _vn_date(timezone.localtime(latest.revoked_at).date())},
            403,
        )
    if latest.valid_from > today:
        raise SharingError(
            "grant_not_started",
            _("Quyền truy cập có hiệu lực từ ngày %(d)s.") % {"d": _vn_date(latest.valid_from)},
            403,
        )
    raise SharingError(
        "grant_expired",
        _("Quyền truy cập đã hết hạn ngày %(d)s.") % {"d": _vn_date(latest.valid_until)},
        403,
    )
