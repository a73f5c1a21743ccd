"""Sharing pages: access requests, grants, client systems and their keys, usage."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.permissions import user_can, user_units
from tinhso.data.forms import (
    AccessRequestForm,
    ClientForm,
    DecisionForm,
    GrantForm,
)
from tinhso.data.models import (
    AccessRequest,
    ApiKey,
    ClientSystem,
    Dataset,
    Grant,
)
from tinhso.data.selectors import (
    accesslog_for_owner,
    clients_for,
    dataset_get_visible,
    requests_made,
    requests_to_decide,
    usage_for_owner,
)
from tinhso.data.services import (
    access_request_create,
    access_request_decide,
    apikey_issue,
    apikey_revoke,
    apikey_rotate,
    client_register,
    grant_create,
    grant_revoke,
)
from tinhso.forms import form_errors_apply


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
            form_errors_apply(form, exc)
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
            form_errors_apply(form, exc)
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
