"""Publishing: datasets and resources maintained by their owner units."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.models import User
from tinhso.accounts.permissions import scope_paths
from tinhso.data.fields import DATASET_FIELD_NAMES
from tinhso.data.forms import (
    DatasetForm,
    ResourceReplaceForm,
    ResourceUploadForm,
)
from tinhso.data.models import (
    Dataset,
    Resource,
)
from tinhso.data.selectors import (
    dataset_manageable,
    dataset_visible_q,
    datasets_managed,
    units_managed,
)
from tinhso.data.services import (
    TABULAR_FORMATS,
    DatastoreLoadError,
    dataset_archive,
    dataset_create,
    dataset_delete,
    dataset_update,
    datastore_load_request,
    resource_add_upload,
    resource_delete,
    resource_replace_upload,
    upload_is_tabular,
)
from tinhso.forms import form_errors_apply
from tinhso.orgs.selectors import orgunit_list

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
    return {k: data[k] for k in DATASET_FIELD_NAMES}


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
            form_errors_apply(form, exc)
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
            form_errors_apply(form, exc)
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
                form_errors_apply(form, exc)
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
                form_errors_apply(form, exc)
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
