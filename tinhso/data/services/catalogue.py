"""The catalogue: datasets, their keywords and resources, archiving and deletion."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.data import tabular
from tinhso.data.fields import DATASET_FIELD_NAMES
from tinhso.data.models import (
    AccessLevel,
    Dataset,
    Frequency,
    Grant,
    Keyword,
    Licence,
    Resource,
    Theme,
)
from tinhso.data.services.common import _require
from tinhso.data.text import fold, search_text
from tinhso.orgs.models import OrgUnit

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
    unknown = set(extra) - set(DATASET_FIELD_NAMES)
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
    unknown = set(changes) - set(DATASET_FIELD_NAMES) - {"org_unit", "is_demo"}
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
