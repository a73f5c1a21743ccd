"""The open data portal: dataset list and detail, downloads, agencies, DCAT-AP."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.accounts.permissions import user_can, user_units
from tinhso.data import dcat
from tinhso.data.forms import (
    GrantForm,
)
from tinhso.data.models import (
    AccessLevel,
    Dataset,
    DatastoreRow,
    Grant,
    Resource,
    Theme,
)
from tinhso.data.selectors import (
    SearchQueryError,
    dataset_data_readable,
    dataset_get_visible,
    dataset_manageable,
    dataset_search,
    dataset_visible_q,
    datastore_query,
    datastore_table,
    public_datasets,
)
from tinhso.dbrouter import reads_from_replica
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_list

PAGE_SIZE = 20


PREVIEW_ROWS = 25


FACETS = {
    "theme": "groups",
    "org": "organization",
    "format": "res_format",
    "access": "access_level",
}


@require_GET
@reads_from_replica
def dataset_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    filters: dict[str, list[str]] = {}
    chosen: dict[str, str] = {}
    for param, facet in FACETS.items():
        value = request.GET.get(param, "").strip()
        if value:
            filters[facet] = [value]
            chosen[param] = value
    try:
        page_no = max(1, int(request.GET.get("trang", "1")))
    except ValueError:
        page_no = 1
    base = Dataset.objects.filter(dataset_visible_q(user=request.user), archived_at__isnull=True)
    try:
        found = dataset_search(
            base=base,
            q=q,
            filters=filters,
            sort="title asc" if q == "" else "",
            rows=PAGE_SIZE,
            start=(page_no - 1) * PAGE_SIZE,
            facet_fields=list(FACETS.values()),
        )
    except SearchQueryError:
        raise Http404 from None
    org_names = {
        u.code.lower().replace(".", "-"): u.name
        for u in OrgUnit.objects.filter(datasets__isnull=False).distinct()
    }
    labels = {
        "groups": {k: str(v) for k, v in Theme.choices},
        "organization": org_names,
        "access_level": {k: str(v) for k, v in AccessLevel.choices},
        "res_format": {},
    }
    facet_titles = {
        "theme": _("Lĩnh vực"),
        "org": _("Cơ quan chủ quản"),
        "format": _("Định dạng"),
        "access": _("Mức truy cập"),
    }
    facets = []
    for param, facet in FACETS.items():
        items = []
        for value, count in found.facets.get(facet, []):
            params = request.GET.copy()
            params.pop("trang", None)
            selected = chosen.get(param) == value
            if selected:
                params.pop(param, None)
            else:
                params[param] = value
            items.append(
                {
                    "label": labels[facet].get(value, value),
                    "count": count,
                    "url": "?" + params.urlencode(),
                    "selected": selected,
                }
            )
        facets.append({"title": facet_titles[param], "items": items})
    pages = max(1, -(-found.count // PAGE_SIZE))
    nav = request.GET.copy()
    nav.pop("trang", None)
    return render(
        request,
        "data/list.html",
        {
            "q": q,
            "found": found,
            "facets": facets,
            "page_no": page_no,
            "pages": pages,
            "nav_query": nav.urlencode(),
        },
    )


def _preview(table: Any) -> dict[str, Any]:
    result = datastore_query(table=table, limit=PREVIEW_ROWS)
    columns = result.columns
    numeric = [c for c in columns if c["type"] in ("int", "numeric")]
    label_col = next((c for c in columns if c["type"] in ("text", "date")), None)
    chart = None
    if numeric:
        chart = {
            "labels": [
                str(r.get(label_col["id"]) if label_col else r["_id"]) for r in result.records
            ],
            "series": [
                {
                    "id": c["id"],
                    "label": c.get("label", c["id"]),
                    "values": [r.get(c["id"]) for r in result.records],
                }
                for c in numeric
            ],
        }
    rows = [
        [(r.get(c["id"]), c["type"] in ("int", "numeric")) for c in columns] for r in result.records
    ]
    return {
        "columns": columns,
        "rows": rows,
        "total": result.total,
        "chart": chart,
        "numeric": numeric,
    }


@require_GET
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    try:
        dataset = dataset_get_visible(user=request.user, name=name)
    except Dataset.DoesNotExist:
        raise Http404 from None
    readable = dataset_data_readable(user=request.user, dataset=dataset)
    resources = list(dataset.resources.all())
    preview = None
    preview_resource = None
    if readable:
        wanted = request.GET.get("tai-nguyen", "")
        candidates = [r for r in resources if r.datastore_active]
        preview_resource = next((r for r in candidates if str(r.uuid) == wanted), None) or (
            candidates[0] if candidates else None
        )
        if preview_resource is not None:
            table = datastore_table(resource=preview_resource)
            if table is not None:
                preview = _preview(table)
    user = request.user
    can_grant = user.is_authenticated and user_can(
        user=user, action="data.grant", org_unit=dataset.org_unit
    )
    can_request = (
        user.is_authenticated
        and dataset.access_level == AccessLevel.SHARED
        and not readable
        and bool(user_units(user, roles=["officer", "head", "admin"]))
    )
    can_manage = dataset_manageable(user=user, dataset=dataset)
    grants = []
    grant_form = None
    if can_grant:
        grants = list(
            Grant.objects.filter(dataset=dataset).select_related("client__org_unit", "resource")
        )
        grant_form = GrantForm(dataset=dataset)
    return render(
        request,
        "data/detail.html",
        {
            "dataset": dataset,
            "resources": resources,
            "readable": readable,
            "preview": preview,
            "preview_resource": preview_resource,
            "can_grant": can_grant,
            "can_manage": can_manage,
            "can_request": can_request,
            "grants": grants,
            "grant_form": grant_form,
        },
    )


def _csv_stream(resource: Resource) -> Iterator[str]:
    table = datastore_table(resource=resource)
    if table is None:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.get("label", c["id"]) for c in table.columns])
    ids = [c["id"] for c in table.columns]
    rows = (
        DatastoreRow.objects.filter(table=table).order_by("row_no").values_list("data", flat=True)
    )
    for data in rows.iterator(chunk_size=2000):
        writer.writerow(["" if data.get(i) is None else data.get(i) for i in ids])
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@require_GET
def resource_download(request: HttpRequest, name: str, rid: str) -> HttpResponseBase:
    try:
        dataset = dataset_get_visible(user=request.user, name=name)
    except Dataset.DoesNotExist:
        raise Http404 from None
    if not dataset_data_readable(user=request.user, dataset=dataset):
        raise PermissionDenied(_("Bạn chưa được cấp quyền truy cập dữ liệu này."))
    resource = get_object_or_404(Resource, dataset=dataset, uuid=rid)
    if resource.file:
        return FileResponse(
            resource.file.open("rb"),
            as_attachment=True,
            filename=resource.file.name.rsplit("/", 1)[-1],
            content_type=resource.mimetype,
        )
    if resource.datastore_active:
        response = StreamingHttpResponse(
            ("\ufeff" if i == 0 else "") + chunk for i, chunk in enumerate(_csv_stream(resource))
        )
        response["Content-Type"] = "text/csv; charset=utf-8"
        response["Content-Disposition"] = f'attachment; filename="{dataset.name}.csv"'
        return response
    raise Http404


@require_GET
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = (
        orgunit_list().filter(code=code).first()
        or OrgUnit.objects.filter(code=code).order_by("-valid_from").first()
    )
    if unit is None:
        raise Http404
    datasets = (
        Dataset.objects.filter(
            dataset_visible_q(user=request.user), org_unit=unit, archived_at__isnull=True
        )
        .prefetch_related("resources")
        .order_by("title")
    )
    return render(request, "data/agency.html", {"unit": unit, "datasets": datasets})


# --- DCAT-AP --------------------------------------------------------------------------------


def _rdf_response(graph: Any, fmt: str) -> HttpResponse:
    serializer, content_type = dcat.SERIALISATIONS[fmt]
    return HttpResponse(graph.serialize(format=serializer), content_type=content_type)


@require_GET
@reads_from_replica
def catalog_rdf(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in dcat.SERIALISATIONS:
        raise Http404
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return HttpResponseBadRequest(_("page phải là số nguyên dương."))
    if page < 1:
        return HttpResponseBadRequest(_("page phải là số nguyên dương."))
    datasets = public_datasets()
    total = datasets.count()
    if page > 1 and (page - 1) * dcat.page_size() >= total:
        raise Http404
    graph = dcat.catalog_graph(
        base_url=request.build_absolute_uri("/"),
        datasets=datasets,
        page=page,
        path=request.path,
    )
    return _rdf_response(graph, fmt)


@require_GET
@reads_from_replica
def dataset_rdf(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if fmt not in dcat.SERIALISATIONS:
        raise Http404
    dataset = (
        public_datasets()
        .select_related("org_unit", "spatial_unit")
        .prefetch_related("keywords", "resources")
        .filter(name=name)
        .first()
    )
    if dataset is None:
        raise Http404
    graph = dcat.dataset_graph(base_url=request.build_absolute_uri("/"), dataset=dataset)
    return _rdf_response(graph, fmt)
