"""The CKAN dictionaries of the catalogue: organization, group, resource, package."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tinhso.data.ckan.base import NotFound
from tinhso.data.dcat import LICENCE_URIS
from tinhso.data.fields import DATASET_FIELDS, ckan_extra_value
from tinhso.data.models import Dataset, Licence, Resource, Theme
from tinhso.data.selectors import (
    org_name,
    public_datasets,
)

# --- dictionaries ---------------------------------------------------------------------------


def _abs(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def organization_dict(unit: Any, *, package_count: int | None = None) -> dict[str, Any]:
    result = {
        "id": str(unit.pk),
        "name": org_name(unit.code),
        "title": unit.name,
        "display_name": unit.name,
        "description": unit.name_en or "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": unit.valid_from.isoformat() + "T00:00:00",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(theme: str, *, package_count: int | None = None) -> dict[str, Any]:
    label = str(Theme(theme).label)
    result = {
        "id": theme,
        "name": theme,
        "title": label,
        "display_name": label,
        "description": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def resource_dict(request: HttpRequest, ds: Dataset, res: Resource) -> dict[str, Any]:
    return {
        "id": str(res.uuid),
        "package_id": str(ds.uuid),
        "name": res.name,
        "description": res.description,
        "format": res.format,
        "mimetype": res.mimetype,
        "url": _abs(request, f"/du-lieu/{ds.name}/tai-nguyen/{res.uuid}/tai-ve/"),
        "url_type": "upload" if res.kind == Resource.Kind.FILE else "datastore",
        "size": res.size,
        "hash": f"sha256:{res.hash}" if res.hash else "",
        "created": res.created_at.replace(tzinfo=None).isoformat(),
        "last_modified": res.modified_at.replace(tzinfo=None).isoformat(),
        "metadata_modified": res.modified_at.replace(tzinfo=None).isoformat(),
        "position": res.position,
        "state": "active",
        "datastore_active": res.datastore_active,
        "schema": {"fields": res.schema} if res.schema else "",
    }


def package_dict(request: HttpRequest, ds: Dataset) -> dict[str, Any]:
    tags = [
        {
            "id": str(k.pk),
            "name": k.name,
            "display_name": k.name,
            "state": "active",
            "vocabulary_id": None,
        }
        for k in ds.keywords.all()
    ]
    resources = [resource_dict(request, ds, r) for r in ds.resources.all()]
    extras = sorted(
        [{"key": "is_demo", "value": "true" if ds.is_demo else "false"}]
        + [
            {"key": f.ckan.removeprefix("extras:"), "value": ckan_extra_value(getattr(ds, f.name))}
            for f in DATASET_FIELDS
            if f.ckan.startswith("extras:")
        ],
        key=lambda extra: extra["key"],
    )
    return {
        "id": str(ds.uuid),
        "name": ds.name,
        "title": ds.title,
        "notes": ds.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": ds.licence != Licence.RESTRICTED,
        "license_id": ds.licence,
        "license_title": str(Licence(ds.licence).label),
        "license_url": LICENCE_URIS[ds.licence],
        "author": ds.org_unit.name,
        "author_email": None,
        "maintainer": ds.contact_name,
        "maintainer_email": ds.contact_email,
        "url": _abs(request, f"/du-lieu/{ds.name}/"),
        "version": None,
        "metadata_created": ds.created_at.replace(tzinfo=None).isoformat(),
        "metadata_modified": ds.modified_at.replace(tzinfo=None).isoformat(),
        "owner_org": str(ds.org_unit_id),
        "organization": organization_dict(ds.org_unit),
        "groups": [group_dict(ds.theme)],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": extras,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _public_get(ident: str) -> Dataset:
    qs = public_datasets().select_related("org_unit").prefetch_related("keywords", "resources")
    ds = qs.filter(name=ident).first()
    if ds is None and len(ident) == 36:
        try:
            ds = qs.filter(uuid=ident).first()
        except Exception:
            ds = None
    if ds is None:
        raise NotFound(_("Không tìm thấy bộ dữ liệu."))
    return ds


def _public_resource(ident: str) -> Resource:
    try:
        res = (
            Resource.objects.select_related("dataset__org_unit")
            .filter(dataset__in=public_datasets(), uuid=ident)
            .first()
        )
    except Exception:
        res = None
    if res is None:
        raise NotFound(_("Không tìm thấy tài nguyên."))
    return res
