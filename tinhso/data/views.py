"""Portal pages (catalogue, dataset, agency, access requests, client systems, usage) and the
DCAT-AP endpoints. Views only translate HTTP; rules live in services and selectors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.models import User
from tinhso.accounts.permissions import scope_paths, user_can, user_units
from tinhso.data import dcat
from tinhso.data.forms import (
    AccessRequestForm,
    ClientForm,
    DatasetForm,
    DecisionForm,
    GrantForm,
    ResourceReplaceForm,
    ResourceUploadForm,
)
from tinhso.data.models import (
    AccessLevel,
    AccessRequest,
    ApiKey,
    ClientSystem,
    Dataset,
    DatastoreRow,
    Grant,
    Resource,
    Theme,
)
from tinhso.data.selectors import (
    SearchQueryError,
    accesslog_for_owner,
    clients_for,
    dataset_data_readable,
    dataset_get_visible,
    dataset_manageable,
    dataset_search,
    dataset_visible_q,
    datasets_managed,
    datastore_query,
    datastore_table,
    public_datasets,
    requests_made,
    requests_to_decide,
    units_managed,
    usage_for_owner,
)
from tinhso.data.services import (
    TABULAR_FORMATS,
    DatastoreLoadError,
    access_request_create,
    access_request_decide,
    apikey_issue,
    apikey_revoke,
    apikey_rotate,
    client_register,
    dataset_archive,
    dataset_create,
    dataset_delete,
    dataset_update,
    datastore_load_request,
    grant_create,
    grant_revoke,
    resource_add_upload,
    resource_delete,
    resource_replace_upload,
    upload_is_tabular,
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


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


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


@login_required
@require_http_methods(["GET", "POST"])
def access_request_view(request: HttpRequest, name: str) -> HttpResponse:
    try:
        dataset = dataset_get_visible(user=request.user, name=name)
    except Dataset.DoesNotExist:
        raise Http404 from None
    units = user_units(request.user, roles=["officer", "head", "admin"])
    if not units:
        raise PermissionDenied(_("Chỉ cán bộ của một đơn vị mới gửi được yêu cầu truy cập."))
    clients = list(ClientSystem.objects.filter(org_unit__in=units).select_related("org_unit"))
    form = AccessRequestForm(request.POST or None, units=units, clients=clients)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.pk == data["unit"])
        client = next((c for c in clients if c.pk == data["client"]), None)
        try:
            access_request_create(
                actor=request.user,
                dataset=dataset,
                unit=unit,
                purpose=data["purpose"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                client=client,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("Đã gửi yêu cầu. Lãnh đạo đơn vị chủ quản sẽ xem xét và phê duyệt.")
            )
            return redirect("data:detail", name=dataset.name)
    return render(request, "data/request_form.html", {"dataset": dataset, "form": form})


@login_required
@require_GET
def manage_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "data/requests.html",
        {
            "to_decide": requests_to_decide(user=request.user)[:200],
            "made": requests_made(user=request.user)[:200],
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(AccessRequest.objects.select_related("dataset__org_unit"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Dữ liệu gửi lên không hợp lệ."))
    try:
        access_request_decide(
            actor=request.user,
            request=req,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ghi nhận quyết định."))
    return redirect("data:requests")


@login_required
@require_POST
def grant_create_view(request: HttpRequest, name: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset.objects.select_related("org_unit"), name=name)
    if not user_can(user=request.user, action="data.grant", org_unit=dataset.org_unit):
        raise PermissionDenied
    form = GrantForm(request.POST, dataset=dataset)
    if form.is_valid():
        data = form.cleaned_data
        try:
            grant_create(
                actor=request.user,
                client=data["client"],
                dataset=dataset,
                resource=data["resource"],
                purpose=data["purpose"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã cấp quyền truy cập."))
    else:
        messages.error(request, _("Vui lòng kiểm tra lại thông tin cấp quyền."))
    return redirect("data:detail", name=dataset.name)


@login_required
@require_POST
def grant_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Grant.objects.select_related("dataset__org_unit"), pk=pk)
    try:
        grant_revoke(actor=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã thu hồi quyền truy cập."))
    return redirect("data:detail", name=grant.dataset.name)


@login_required
@require_http_methods(["GET", "POST"])
def manage_clients(request: HttpRequest) -> HttpResponse:
    units = user_units(request.user, roles=["officer", "head", "admin"])
    form = ClientForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.pk == data["unit"]), None)
        if unit is None:
            raise PermissionDenied
        try:
            client = client_register(
                actor=request.user,
                org_unit=unit,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                contact_email=data["contact_email"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã đăng ký hệ thống. Hãy cấp khóa API."))
            return redirect("data:client", pk=client.pk)
    return render(
        request,
        "data/clients.html",
        {"clients": clients_for(user=request.user), "form": form, "can_register": bool(units)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(clients_for(user=request.user), pk=pk)
    new_key = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "issue":
                _key, new_key = apikey_issue(actor=request.user, client=client)
            elif op == "rotate":
                _key, new_key = apikey_rotate(actor=request.user, client=client)
            elif op == "revoke":
                key = get_object_or_404(ApiKey, client=client, pk=request.POST.get("key", 0))
                apikey_revoke(actor=request.user, key=key)
                messages.success(request, _("Đã thu hồi khóa."))
            else:
                return HttpResponseBadRequest(_("Thao tác không hợp lệ."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    response = render(
        request,
        "data/client_detail.html",
        {
            "client": client,
            "keys": client.keys.all(),
            "grants": client.grants.select_related("dataset", "resource"),
            "new_key": new_key,
        },
    )
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "data/usage.html",
        {
            "summary": usage_for_owner(user=request.user)[:500],
            "entries": accesslog_for_owner(user=request.user),
        },
    )


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
        return HttpResponseBadRequest("page phải là số nguyên dương.")
    if page < 1:
        return HttpResponseBadRequest("page phải là số nguyên dương.")
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


# --- publishing: datasets and resources maintained by their owner units -----------------------


def _manageable_or_403(request: HttpRequest, name: str) -> Dataset:
    """The dataset if the user may maintain it: 404 when the user cannot even see it, 403
    when they see it but their scope does not cover the owner unit."""
    dataset = get_object_or_404(
        Dataset.objects.select_related("org_unit").prefetch_related("keywords", "shared_with"),
        name=name,
    )
    if dataset_manageable(user=request.user, dataset=dataset):
        return dataset
    if not Dataset.objects.filter(dataset_visible_q(user=request.user), pk=dataset.pk).exists():
        raise Http404
    raise PermissionDenied(_("Bạn không có quyền quản lý bộ dữ liệu của đơn vị này."))


def _dataset_form(request: HttpRequest, *, editing: bool, **kw: Any) -> DatasetForm:
    owners = units_managed(user=request.user)
    all_units = orgunit_list().order_by("path")
    stewards = (
        User.objects.filter(
            kind=User.Kind.OFFICIAL, memberships__org_unit__in=owners, is_active=True
        )
        .distinct()
        .order_by("username")
    )
    return DatasetForm(
        request.POST or None,
        owner_units=owners,
        all_units=all_units,
        stewards=stewards,
        editing=editing,
        **kw,
    )


def _dataset_changes(data: dict[str, Any]) -> dict[str, Any]:
    keys = (
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
    return {k: data[k] for k in keys}


@login_required
@require_GET
def manage_datasets(request: HttpRequest) -> HttpResponse:
    if scope_paths(request.user, "data.manage") == []:
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị mới quản lý được bộ dữ liệu."))
    return render(
        request, "data/manage_datasets.html", {"datasets": datasets_managed(user=request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create_view(request: HttpRequest) -> HttpResponse:
    if scope_paths(request.user, "data.manage") == []:
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị mới tạo được bộ dữ liệu."))
    form = _dataset_form(request, editing=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dataset = dataset_create(
                actor=request.user,
                name=data["name"],
                org_unit=data["org_unit"],
                keywords=data["keywords"],
                shared_with=data["shared_with"],
                **_dataset_changes(data),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo bộ dữ liệu. Hãy thêm tài nguyên (tệp dữ liệu)."))
            return redirect("data:resource_add", name=dataset.name)
    return render(request, "data/dataset_form.html", {"form": form, "dataset": None})


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit_view(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _manageable_or_403(request, name)
    form = _dataset_form(request, editing=True, initial=DatasetForm.initial_for(dataset))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = _dataset_changes(data)
        if data["org_unit"].pk != dataset.org_unit_id:
            changes["org_unit"] = data["org_unit"]
        try:
            dataset_update(
                actor=request.user,
                dataset=dataset,
                keywords=data["keywords"],
                shared_with=data["shared_with"],
                **changes,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin bộ dữ liệu."))
            return redirect("data:detail", name=dataset.name)
    return render(request, "data/dataset_form.html", {"form": form, "dataset": dataset})


@login_required
@require_POST
def dataset_archive_view(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _manageable_or_403(request, name)
    try:
        dataset_archive(
            actor=request.user, dataset=dataset, archived=request.POST.get("op") != "restore"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã khôi phục bộ dữ liệu.")
            if request.POST.get("op") == "restore"
            else _("Đã lưu trữ bộ dữ liệu: không còn hiện trong danh mục và không chia sẻ."),
        )
    return redirect("data:detail", name=dataset.name)


@login_required
@require_POST
def dataset_delete_view(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _manageable_or_403(request, name)
    try:
        dataset_delete(actor=request.user, dataset=dataset)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("data:detail", name=dataset.name)
    messages.success(request, _("Đã xóa bộ dữ liệu."))
    return redirect("data:manage")


@login_required
@require_http_methods(["GET", "POST"])
def resource_add_view(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _manageable_or_403(request, name)
    form = ResourceUploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if upload_is_tabular(upload=data["file"]):  # loaded by a worker
                    load = datastore_load_request(
                        actor=request.user,
                        dataset=dataset,
                        name=data["name"],
                        description=data["description"],
                        upload=data["file"],
                    )
                    return redirect("data:load_status", name=dataset.name, load_id=load.uuid)
                _resource, loaded = resource_add_upload(
                    actor=request.user,
                    dataset=dataset,
                    name=data["name"],
                    description=data["description"],
                    upload=data["file"],
                )
            except DatastoreLoadError as exc:
                report = exc.report
                form.add_error("file", exc.messages)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if loaded is not None:
                    messages.success(
                        request,
                        _("Đã thêm tài nguyên và nạp %(n)s dòng vào kho dữ liệu.")
                        % {"n": loaded.rows_loaded},
                    )
                else:
                    messages.success(request, _("Đã thêm tài nguyên."))
                return redirect("data:detail", name=dataset.name)
        status = 400
    return render(
        request,
        "data/resource_form.html",
        {"form": form, "dataset": dataset, "resource": None, "report": report},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_replace_view(request: HttpRequest, name: str, rid: str) -> HttpResponse:
    dataset = _manageable_or_403(request, name)
    resource = get_object_or_404(Resource, dataset=dataset, uuid=rid)
    form = ResourceReplaceForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if resource.format in TABULAR_FORMATS:  # loaded by a worker
                    load = datastore_load_request(
                        actor=request.user, dataset=dataset, resource=resource, upload=upload
                    )
                    return redirect("data:load_status", name=dataset.name, load_id=load.uuid)
                loaded = resource_replace_upload(
                    actor=request.user, resource=resource, upload=upload
                )
            except DatastoreLoadError as exc:
                report = exc.report
                form.add_error("file", exc.messages)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if loaded is not None:
                    messages.success(
                        request,
                        _("Đã thay tệp: phiên bản %(v)s, %(n)s dòng.")
                        % {"v": loaded.version, "n": loaded.rows_loaded},
                    )
                else:
                    messages.success(request, _("Đã thay tệp."))
                return redirect("data:detail", name=dataset.name)
        status = 400
    return render(
        request,
        "data/resource_form.html",
        {"form": form, "dataset": dataset, "resource": resource, "report": report},
        status=status,
    )


@login_required
@require_POST
def resource_delete_view(request: HttpRequest, name: str, rid: str) -> HttpResponse:
    dataset = _manageable_or_403(request, name)
    resource = get_object_or_404(Resource, dataset=dataset, uuid=rid)
    try:
        resource_delete(actor=request.user, resource=resource)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa tài nguyên."))
    return redirect("data:detail", name=dataset.name)
