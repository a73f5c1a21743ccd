"""The read actions of the CKAN Action API (registered with ``@action``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tinhso.data.ckan.base import (
    ACTIONS,
    CKAN_VERSION,
    DATASTORE_ROWS_MAX,
    ROWS_MAX,
    Invalid,
    NotFound,
    SearchError,
    _bool,
    _int,
    _json_dict,
    _list,
    _required,
    action,
)
from tinhso.data.ckan.dicts import (
    _abs,
    _public_get,
    _public_resource,
    group_dict,
    organization_dict,
    package_dict,
    resource_dict,
)
from tinhso.data.models import Licence, Theme
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

# --- actions --------------------------------------------------------------------------------


@action
def status_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Site information."""
    return {
        "site_title": "Tỉnh Số",
        "site_description": _("Danh mục dữ liệu dùng chung và dữ liệu mở"),
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
        raise NotFound(_("Không có action: %(name)s") % {"name": name})
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
        raise NotFound(_("Không tìm thấy tổ chức."))
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
        raise NotFound(_("Không tìm thấy nhóm."))
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
        raise NotFound(
            _('Tài nguyên "%(id)s" chưa có trong kho dữ liệu (datastore).') % {"id": ident}
        )
    limit = min(_int(data, "limit", 100), DATASTORE_ROWS_MAX)
    offset = _int(data, "offset", 0)
    records_format = str(data.get("records_format") or "objects")
    if records_format != "objects":
        raise Invalid(
            _("records_format: chỉ hỗ trợ objects"), {"records_format": ["Only 'objects'"]}
        )
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
