"""Datastore loads run by a worker (issue 13): the web request only checks and stores the
upload; a task builds the new version.

- ``datastore_load_request``: the request's part. Permission, size, format and content are
  checked (a bad file is refused at once, nothing stored); the upload is stored (local disk or
  S3-compatible storage), a ``DatastoreLoad`` row and its task are written in one transaction.
- ``datastore_load_execute``: the worker's part. Two streaming passes as the synchronous
  ``datastore_load``; the rows go in in batches, each batch committed with the progress, into
  a version that is not current; one short transaction at the end makes it current, replaces
  the resource's file (the old one is deleted after commit) and writes the audit entry. Until
  then the previous version is the one served. A refused file (bad rows, bad encoding) ends the
  load as FAILED with its report; any other error removes the partial version and lets the task
  engine retry; a run after a crash starts the version again.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.data import tabular
from tinhso.data.models import Dataset, DatastoreLoad, DatastoreRow, DatastoreTable, Resource
from tinhso.data.services import datastore as _datastore
from tinhso.data.services.catalogue import _hash_file, resource_add, resource_delete
from tinhso.data.services.common import _require
from tinhso.data.services.datastore import TABULAR_FORMATS, _upload_to
from tinhso.data.services.uploads import _check_upload_size
from tinhso.data.text import fold
from tinhso.files import atomic_with_files

S = DatastoreLoad.Status


class LoadRefusedError(Exception):
    """The file cannot be loaded (not retried): the load ends FAILED with this message."""

    def __init__(self, message: str, bad_rows: list[tabular.BadRow] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.bad_rows = bad_rows or []


def datastore_load_request(
    *,
    actor: Any,
    dataset: Dataset,
    upload: Any,
    resource: Resource | None = None,
    name: str = "",
    description: str = "",
    types: dict[str, str] | None = None,
) -> DatastoreLoad:
    """Queue the load of an uploaded CSV/XLSX/JSON file: into ``resource`` (a new version), or
    into a new resource ``name`` of ``dataset``. Bad input raises ``ValidationError`` on
    ``file`` and stores nothing."""
    from tinhso.data.tasks import datastore_load_run
    from tinhso.jobs.engine import enqueue

    _require(actor, "data.manage", dataset.org_unit)
    _check_upload_size(upload)
    try:
        fmt = tabular.format_from_filename(upload.name or "")
    except tabular.TabularError as exc:
        raise ValidationError({"file": exc.message}) from exc
    if fmt not in TABULAR_FORMATS:
        raise ValidationError({"file": _("Chỉ tệp CSV, XLSX, JSON được nạp vào kho dữ liệu.")})
    if resource is not None and fmt != resource.format:
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
        with atomic_with_files() as stored:
            new_resource = resource is None
            if resource is None:
                resource = resource_add(
                    actor=actor, dataset=dataset, name=name, format=fmt, description=description
                )
            load = DatastoreLoad(
                resource=resource,
                dataset=dataset,
                new_resource=new_resource,
                requested_by=actor if getattr(actor, "pk", None) else None,
                filename=target.name,
                types=types or {},
            )
            with target.open("rb") as fh:
                load.file.save(target.name, File(fh), save=False)
            stored.append((load.file.storage, load.file.name))
            load.save()
            audit_record(
                actor=actor,
                action="data.datastore.load_request",
                obj=resource,
                org_unit=dataset.org_unit,
                after={"load": str(load.uuid), "file": target.name},
            )
            enqueue(datastore_load_run, load_id=load.pk)
    return load


def _copy_from_storage(load: DatastoreLoad, directory: Path) -> Path:
    target = directory / (get_valid_filename(load.filename) or "tai-lieu")
    with load.file.open("rb") as src, target.open("wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    load.file.close()
    return target


def datastore_load_execute(*, load_id: int) -> str:
    """Run one load (idempotent: a finished load is left alone). Returns its status."""
    load = DatastoreLoad.objects.select_related("dataset__org_unit", "resource").get(pk=load_id)
    if load.finished:
        return load.status
    if load.resource is None:
        _fail(load, _("Tài nguyên đã bị xóa trước khi nạp xong."))
        return S.FAILED
    if load.table_id:  # a run that crashed left a partial version: start it again
        DatastoreTable.objects.filter(pk=load.table_id, is_current=False).delete()
    DatastoreLoad.objects.filter(pk=load.pk).update(
        status=S.RUNNING, started_at=timezone.now(), rows_done=0, table=None
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _copy_from_storage(load, Path(tmp))
        try:
            _build(load, path)
        except LoadRefusedError as exc:
            _discard_partial(load)
            _fail(load, exc.message, exc.bad_rows)
            return S.FAILED
        except BaseException:
            _discard_partial(load)
            raise
    return S.DONE


def _discard_partial(load: DatastoreLoad) -> None:
    table_id = DatastoreLoad.objects.filter(pk=load.pk).values_list("table_id", flat=True).get()
    if table_id:
        DatastoreTable.objects.filter(pk=table_id, is_current=False).delete()


def _fail(load: DatastoreLoad, message: str, bad_rows: list[tabular.BadRow] | None = None) -> None:
    bad_rows = bad_rows or []
    with transaction.atomic():
        DatastoreLoad.objects.filter(pk=load.pk).update(
            status=S.FAILED,
            error=message,
            bad_rows=[[b.line, b.reason] for b in bad_rows[: tabular.MAX_REPORTED_BAD_ROWS]],
            finished_at=timezone.now(),
            table=None,
        )
        storage, name = load.file.storage, load.file.name
        transaction.on_commit(lambda: storage.delete(name))
        resource = load.resource
        if (
            load.new_resource
            and resource is not None
            and not resource.tables.filter(is_current=True).exists()
        ):
            # the resource was added for this load: all or nothing, as before the worker
            resource_delete(actor=None, resource=resource)


def _bad_rows_message(bad_count: int, bad_rows: list[tabular.BadRow]) -> str:
    head = "; ".join(
        _("dòng %(line)s: %(reason)s") % {"line": b.line, "reason": b.reason} for b in bad_rows[:5]
    )
    return _("Có %(n)s dòng lỗi (cho phép tối đa %(limit)s), không nạp dữ liệu nào. %(head)s") % {
        "n": bad_count,
        "limit": 0,
        "head": head,
    }


def _build(load: DatastoreLoad, path: Path) -> None:
    resource = load.resource
    assert resource is not None
    try:
        scan = tabular.scan(path, resource.format, types=load.types or None)
    except tabular.TabularError as exc:
        raise LoadRefusedError(exc.message) from exc
    if scan.bad_count:
        raise LoadRefusedError(_bad_rows_message(scan.bad_count, scan.bad_rows), scan.bad_rows)
    columns = [c.as_dict() for c in scan.columns]
    DatastoreLoad.objects.filter(pk=load.pk).update(rows_total=scan.rows)
    size, digest = _hash_file(path)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        version = (locked.tables.aggregate(m=Max("version"))["m"] or 0) + 1
        table = DatastoreTable.objects.create(
            resource=locked,
            version=version,
            is_current=False,
            columns=columns,
            encoding=scan.encoding,
            source_hash=digest,
            loaded_at=timezone.now(),
            loaded_by=load.requested_by,
        )
        DatastoreLoad.objects.filter(pk=load.pk).update(table=table)
    text_columns = {c.id for c in scan.columns if c.type == "text"}
    batch: list[DatastoreRow] = []
    row_no = 0

    def flush() -> None:
        with transaction.atomic():  # each batch is committed with the progress
            DatastoreRow.objects.bulk_create(batch)
            DatastoreLoad.objects.filter(pk=load.pk).update(rows_done=F("rows_done") + len(batch))
        batch.clear()

    try:
        for line, record, search, reason in tabular.records(path, resource.format, scan):
            if record is None:
                if reason:
                    bad = [tabular.BadRow(line, reason)]
                    raise LoadRefusedError(_bad_rows_message(1, bad), bad)
                continue
            row_no += 1
            folded = {k: fold(v) for k, v in record.items() if k in text_columns and v is not None}
            batch.append(
                DatastoreRow(table=table, row_no=row_no, data=record, search=search, folded=folded)
            )
            if len(batch) >= _datastore.BATCH:
                flush()
        if batch:
            flush()
    except tabular.TabularError as exc:
        raise LoadRefusedError(exc.message) from exc
    _make_current(load, table, columns=columns, rows=row_no, size=size, digest=digest)


@transaction.atomic
def _make_current(
    load: DatastoreLoad,
    table: DatastoreTable,
    *,
    columns: list[dict],
    rows: int,
    size: int,
    digest: str,
) -> None:
    """The one short transaction: the new version becomes the current one."""
    assert load.resource is not None
    locked = Resource.objects.select_for_update().select_related("dataset").get(pk=load.resource.pk)
    locked.tables.filter(is_current=True).delete()
    table.row_count = rows
    table.is_current = True
    table.save(update_fields=["row_count", "is_current"])
    descriptions = {c.get("id"): c.get("description", "") for c in locked.schema}
    locked.schema = [{**c, "description": descriptions.get(c["id"], "")} for c in columns]
    locked.datastore_active = True
    locked.modified_at = timezone.now()
    old_name = locked.file.name if locked.file else ""
    locked.file.name = load.file.name  # the stored upload becomes the resource's file
    locked.size, locked.hash = size, digest
    locked.save()
    if old_name and old_name != locked.file.name:
        storage = locked.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))  # a rollback keeps it
    Dataset.objects.filter(pk=locked.dataset_id).update(modified_at=locked.modified_at)
    DatastoreLoad.objects.filter(pk=load.pk).update(
        status=S.DONE, rows_done=rows, version=table.version, finished_at=timezone.now()
    )
    audit_record(
        actor=load.requested_by,
        action="data.datastore.load",
        obj=locked,
        org_unit=locked.dataset.org_unit,
        after={
            "version": table.version,
            "rows": rows,
            "bad_rows": 0,
            "hash": digest,
            "encoding": table.encoding,
            "load": str(load.uuid),
        },
    )


def upload_is_tabular(*, upload: Any) -> bool:
    """Whether an upload goes to the datastore (through a worker) by its name; its content
    is checked by ``datastore_load_request``."""
    try:
        return tabular.format_from_filename(upload.name or "") in TABULAR_FORMATS
    except tabular.TabularError:
        return False
