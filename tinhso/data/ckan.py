"""CKAN-compatible Action API (read-only) over the public catalogue.

``/api/3/action/<name>`` (and ``/api/action/<name>``, which the ``ckanapi`` client uses)
answer GET (query string) or POST (JSON body) with CKAN's envelope::

    {"help": "...", "success": true, "result": ...}
    {"help": "...", "success": false, "error": {"__type": "Not Found Error", "message": ...}}

Only public datasets exist for this API: a shared or internal dataset is answered exactly
like a missing one (404), so not even its existence leaks. The API is anonymous by design
(session cookies are ignored); agencies read shared data through the LGSP API with a key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from tinhso.data.dcat import LICENCE_URIS
from tinhso.data.models import Dataset, Licence, Resource, Theme
from tinhso.data.selectors import (
    DatastoreQueryError,
    SearchQueryError,
    dataset_search,
    datastore_query,
    datastore_table,
    org_code_from_name,
    org_name,
    organizations_publishing,
    public_datasets,
    tags_public,
)
from tinhso.dbrouter import reads_from_replica

CKAN_VERSION = "2.10.4"
ROWS_MAX = 1000
DATASTORE_ROWS_MAX = 32000
WRITE_ACTIONS = (
    "_create",
    "_update",
    "_patch",
    "_delete",
    "_purge",
    "datastore_upsert",
    "member_",
)


class CkanError(Exception):
    status = 400
    type = "Bad Request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(CkanError):
    status = 404
    type = "Not Found Error"


class NotAuthorized(CkanError):
    status = 403
    type = "Authorization Error"


class Invalid(CkanError):
    status = 409
    type = "Validation Error"


class SearchError(CkanError):
    status = 409
    type = "Search Query Error"


Action = Callable[[HttpRequest, dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}


def action(fn: Action) -> Action:
    ACTIONS[fn.__name__] = fn
    return fn


# --- parameters -----------------------------------------------------------------------------


INT_MAX = 1_000_000  # every integer parameter is bounded: beyond it is a validation error


def _int(
    data: dict[str, Any], key: str, default: int, *, minimum: int = 0, maximum: int = INT_MAX
) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{key}: phải là số nguyên", {key: ["Invalid integer"]}) from None
    if number < minimum:
        raise Invalid(f"{key}: phải ≥ {minimum}", {key: [f"Must be at least {minimum}"]})
    if number > maximum:
        raise Invalid(f"{key}: phải ≤ {maximum}", {key: [f"Must be at most {maximum}"]})
    return number


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                raise Invalid(f"{key}: JSON không hợp lệ", {key: ["Invalid JSON list"]}) from None
        else:
            value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{key}: phải là danh sách chuỗi", {key: ["Must be a list of strings"]})
    return value


def _json_dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise Invalid(f"{key}: JSON không hợp lệ", {key: ["Invalid JSON object"]}) from None
    if not isinstance(value, dict):
        raise Invalid(f"{key}: phải là đối tượng JSON", {key: ["Must be a JSON object"]})
    return value


def _required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise Invalid(f"Thiếu tham số {key}", {key: ["Missing value"]})
    return str(value)


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
    extras = [
        {"key": "access_level", "value": ds.access_level},
        {"key": "frequency", "value": ds.frequency},
        {"key": "is_demo", "value": "true" if ds.is_demo else "false"},
        {"key": "spatial_text", "value": ds.spatial_label},
        {
            "key": "temporal_start",
            "value": ds.temporal_start.isoformat() if ds.temporal_start else "",
        },
        {"key": "temporal_end", "value": ds.temporal_end.isoformat() if ds.temporal_end else ""},
        {"key": "title_en", "value": ds.title_en},
        {"key": "source", "value": ds.source},
    ]
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
        raise NotFound("Không tìm thấy bộ dữ liệu.")
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
        raise NotFound("Không tìm thấy tài nguyên.")
    return res


# --- actions --------------------------------------------------------------------------------


@action
def status_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Site information."""
    return {
        "site_title": "Tỉnh Số",
        "site_description": "Danh mục dữ liệu dùng chung và dữ liệu mở",
        "site_url": _abs(request, "/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "vi",
        "extensions": ["datastore", "dcat"],
    }


@action
def help_show(request: HttpRequest, data: dict[str, Any]) -> str:
    """The documentation of an action (``name``)."""
    name = _required(data, "name")
    if name not in ACTIONS:
        raise NotFound(f"Không có action: {name}")
    return (ACTIONS[name].__doc__ or "").strip()


@action
def package_list(request: HttpRequest, data: dict[str, Any]) -> list[str]:
    """Names of the public datasets (``limit``, ``offset``)."""
    limit = _int(data, "limit", 0)
    offset = _int(data, "offset", 0)
    qs = public_datasets().order_by("name").values_list("name", flat=True)
    if limit:
        return list(qs[offset : offset + limit])
    return list(qs[offset:])


@action
def package_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """One public dataset by ``id`` (name or UUID)."""
    return package_dict(request, _public_get(_required(data, "id")))


@action
def package_search(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Search public datasets: ``q``, ``fq``, ``sort``, ``rows`` (≤ 1000), ``start``,
    ``facet.field``, ``facet.limit``, ``facet.mincount``."""
    rows = min(_int(data, "rows", 10), ROWS_MAX)
    start = _int(data, "start", 0)
    facet_fields = _list(data, "facet.field")
    facet_limit = _int(data, "facet.limit", 50, minimum=-1)
    mincount = _int(data, "facet.mincount", 1)
    try:
        found = dataset_search(
            base=public_datasets(),
            q=str(data.get("q") or ""),
            fq=str(data.get("fq") or ""),
            sort=str(data.get("sort") or ""),
            rows=rows,
            start=start,
            facet_fields=facet_fields,
            facet_limit=facet_limit if facet_limit >= 0 else 10_000,
        )
    except SearchQueryError as exc:
        raise SearchError(str(exc)) from exc
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    org_titles: dict[str, str] = {}
    if "organization" in found.facets:
        from tinhso.orgs.models import OrgUnit

        codes = [org_code_from_name(n) for n, _c in found.facets["organization"]]
        org_titles = {org_name(u.code): u.name for u in OrgUnit.objects.filter(code__in=codes)}
    for name, items in found.facets.items():
        kept = [(value, n) for value, n in items if n >= mincount]
        facets[name] = dict(kept)

        def display(value: str, facet: str = name) -> str:
            if facet == "organization":
                return org_titles.get(value, value)
            if facet == "groups":
                return str(Theme(value).label)
            if facet == "license_id":
                return str(Licence(value).label)
            return value

        search_facets[name] = {
            "title": name,
            "items": [{"name": v, "display_name": display(v), "count": n} for v, n in kept],
        }
    return {
        "count": found.count,
        "results": [package_dict(request, ds) for ds in found.results],
        "sort": str(data.get("sort") or "score desc, metadata_modified desc"),
        "facets": facets,
        "search_facets": search_facets,
    }


def _org_queryset() -> QuerySet[Any]:
    return organizations_publishing().order_by("name")


@action
def organization_list(request: HttpRequest, data: dict[str, Any]) -> list[Any]:
    """Organisations (org units) publishing open data; ``all_fields``, ``limit``, ``offset``."""
    qs = _org_queryset()
    sort = str(data.get("sort") or "title asc")
    if sort.startswith("package_count"):
        qs = qs.order_by("-package_count" if "desc" in sort else "package_count", "name")
    limit = _int(data, "limit", 0)
    offset = _int(data, "offset", 0)
    units = list(qs[offset : offset + limit] if limit else qs[offset:])
    if _bool(data, "all_fields", False):
        return [organization_dict(u, package_count=u.package_count) for u in units]
    return [org_name(u.code) for u in units]


@action
def organization_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """One organisation by ``id`` (its number or name); ``include_datasets``."""
    ident = _required(data, "id")
    qs = _org_queryset()
    unit = qs.filter(pk=int(ident)).first() if ident.isdigit() and len(ident) < 10 else None
    if unit is None:
        unit = qs.filter(code=org_code_from_name(ident)).first()
    if unit is None:
        raise NotFound("Không tìm thấy tổ chức.")
    result = organization_dict(unit, package_count=unit.package_count)
    if _bool(data, "include_datasets", False):
        datasets = (
            public_datasets()
            .filter(org_unit=unit)
            .select_related("org_unit")
            .prefetch_related("keywords", "resources")
            .order_by("name")[:1000]
        )
        result["packages"] = [package_dict(request, d) for d in datasets]
    result["users"] = []
    return result


def _theme_counts() -> dict[str, int]:
    from django.db.models import Count

    return {
        r["theme"]: r["n"]
        for r in public_datasets().values("theme").annotate(n=Count("pk")).order_by()
    }


@action
def group_list(request: HttpRequest, data: dict[str, Any]) -> list[Any]:
    """Groups: the themes (priority sectors); ``all_fields``."""
    counts = _theme_counts()
    themes = [t for t in Theme.values if counts.get(t)]
    if _bool(data, "all_fields", False):
        return [group_dict(t, package_count=counts[t]) for t in themes]
    return themes


@action
def group_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """One group (theme) by ``id``."""
    ident = _required(data, "id")
    counts = _theme_counts()
    if ident not in Theme.values or not counts.get(ident):
        raise NotFound("Không tìm thấy nhóm.")
    return group_dict(ident, package_count=counts[ident]) | {"users": [], "packages": []}


@action
def tag_list(request: HttpRequest, data: dict[str, Any]) -> list[Any]:
    """Keywords of public datasets; ``query`` (diacritics-insensitive), ``all_fields``."""
    tags = list(tags_public(query=str(data.get("query") or "")))
    if _bool(data, "all_fields", False):
        return [
            {"id": str(t.pk), "name": t.name, "display_name": t.name, "vocabulary_id": None}
            for t in tags
        ]
    return [t.name for t in tags]


@action
def resource_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """One resource of a public dataset by ``id``."""
    res = _public_resource(_required(data, "id"))
    return resource_dict(request, res.dataset, res)


@action
def datastore_search(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Rows of a loaded resource: ``resource_id``, ``filters``, ``q``, ``limit``, ``offset``,
    ``sort``, ``fields``, ``include_total``."""
    ident = _required(data, "resource_id")
    res = _public_resource(ident)
    table = datastore_table(resource=res)
    if table is None:
        raise NotFound(f'Tài nguyên "{ident}" chưa có trong kho dữ liệu (datastore).')
    limit = min(_int(data, "limit", 100), DATASTORE_ROWS_MAX)
    offset = _int(data, "offset", 0)
    records_format = str(data.get("records_format") or "objects")
    if records_format != "objects":
        raise Invalid("records_format: chỉ hỗ trợ objects", {"records_format": ["Only 'objects'"]})
    q = data.get("q") or ""
    if isinstance(q, str) and q.strip().startswith("{"):
        q = _json_dict(data, "q")
    try:
        result = datastore_query(
            table=table,
            filters=_json_dict(data, "filters"),
            q=q,
            sort=str(data.get("sort") or ""),
            limit=limit,
            offset=offset,
            fields=_list(data, "fields") or None,
            include_total=_bool(data, "include_total", True),
        )
    except DatastoreQueryError as exc:
        raise Invalid(exc.message, {exc.field: [exc.message]}) from exc
    path = reverse("data:ckan_action", args=["datastore_search"])
    base = {"resource_id": ident}
    if limit != 100:
        base["limit"] = str(limit)
    links = {
        "start": f"{path}?{urlencode(base)}",
        "next": f"{path}?{urlencode(base | {'offset': offset + limit})}",
    }
    out: dict[str, Any] = {
        "resource_id": ident,
        "fields": [{"id": "_id", "type": "int"}]
        + [
            {
                "id": c["id"],
                "type": c["type"],
                "info": {"label": c.get("label", c["id"]), "notes": c.get("description", "")},
            }
            for c in result.columns
        ],
        "records": result.records,
        "records_format": "objects",
        "limit": limit,
        "offset": offset,
        "include_total": result.total is not None,
        "_links": links,
    }
    if result.total is not None:
        out["total"] = result.total
        out["total_was_estimated"] = False
    if data.get("sort"):
        out["sort"] = str(data["sort"])
    return out


# --- the view -------------------------------------------------------------------------------


def _envelope(request: HttpRequest, name: str, **body: Any) -> dict[str, Any]:
    help_path = reverse("data:ckan_action", args=["help_show"])
    return {"help": _abs(request, f"{help_path}?{urlencode({'name': name})}"), **body}


def _error(request: HttpRequest, name: str, exc: CkanError) -> JsonResponse:
    error: dict[str, Any] = {"__type": exc.type, "message": f"{exc.type}: {exc.message}"}
    error.update(exc.fields)
    return JsonResponse(
        _envelope(request, name, success=False, error=error),
        status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )


def _request_data(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        if request.content_type == "application/json" or (
            request.body and request.body.lstrip()[:1] in (b"{", b"[")
        ):
            try:
                payload = json.loads(request.body or b"{}")
            except ValueError as exc:
                raise CkanError(f"Bad request - JSON Error: {exc}") from exc
            if not isinstance(payload, dict):
                raise CkanError("Bad request - JSON Error: cần một đối tượng JSON")
            return payload
        source = request.POST
    else:
        source = request.GET
    return {k: (v[0] if len(v) == 1 else v) for k, v in source.lists()}


@csrf_exempt
@reads_from_replica
def action_view(request: HttpRequest, name: str) -> JsonResponse:
    if request.method not in ("GET", "POST"):
        resp = _error(request, name, CkanError("Bad request - chỉ nhận GET hoặc POST"))
        resp.status_code = 405
        resp["Allow"] = "GET, POST"
        return resp
    fn = ACTIONS.get(name)
    try:
        if fn is None:
            if any(marker in name for marker in WRITE_ACTIONS):
                raise NotAuthorized(
                    "API này chỉ đọc: dữ liệu được cập nhật qua cổng quản trị của cơ quan."
                )
            raise CkanError(f"Bad request - Action name not known: {name}")
        data = _request_data(request)
        result = fn(request, data)
    except CkanError as exc:
        return _error(request, name, exc)
    return JsonResponse(
        _envelope(request, name, success=True, result=result),
        json_dumps_params={"ensure_ascii": False},
    )
