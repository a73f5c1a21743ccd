"""Resources from uploaded files: adding and replacing a resource's file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.data import tabular
from tinhso.data.models import (
    Dataset,
    Resource,
)
from tinhso.data.services.catalogue import _hash_file, resource_add
from tinhso.data.services.common import _require
from tinhso.data.services.datastore import (
    TABULAR_FORMATS,
    LoadReport,
    _upload_to,
    datastore_load,
)


def _check_upload_size(upload: Any) -> None:
    if (error := tabular.size_error(upload.size)) is not None:
        raise ValidationError({"file": error})


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
