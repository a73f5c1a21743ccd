"""The datastore: loading a tabular resource's rows (file or upload)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.data import tabular
from tinhso.data.models import (
    Dataset,
    DatastoreRow,
    DatastoreTable,
    Resource,
)
from tinhso.data.services.catalogue import _hash_file
from tinhso.data.services.common import _require
from tinhso.data.text import fold

TABULAR_FORMATS = {"CSV", "XLSX", "JSON"}


BATCH = 1000


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
    head = "; ".join(
        _("dòng %(line)s: %(reason)s") % {"line": b.line, "reason": b.reason}
        for b in report.bad_rows[:5]
    )
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
    options: dict[str, Any] = {
        "encoding": encoding,
        "types": types,
        "max_bad_rows": max_bad_rows,
        "progress": progress,
        "on_total": on_total,
    }
    if path is not None:
        return _load_file(actor, resource, report, path=path, new_file=True, **options)
    if not resource.file:
        raise DatastoreLoadError(_("Tài nguyên chưa có tệp để nạp."), report)
    # the stored file may be in object storage (no local path): load a local copy
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / (get_valid_filename(Path(resource.file.name).name) or "tai-lieu")
        with resource.file.open("rb") as src, local.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        resource.file.close()
        return _load_file(actor, resource, report, path=local, new_file=False, **options)


def _load_file(
    actor: Any,
    resource: Resource,
    report: LoadReport,
    *,
    path: Path,
    new_file: bool,
    encoding: str | None,
    types: dict[str, str] | None,
    max_bad_rows: int,
    progress: Callable[[int], None] | None,
    on_total: Callable[[int], None] | None,
) -> LoadReport:
    dataset = resource.dataset
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
    if (error := tabular.size_error(upload.size)) is not None:
        raise DatastoreLoadError(error)
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
