"""The catalogue of procedures, a procedure's page and the review of unclear times and fees."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.accounts.permissions import (
    user_can,
)
from tinhso.services.forms import (
    ChannelSettleForm,
    form_errors_apply,
)
from tinhso.services.models import Procedure
from tinhso.services.selectors import (
    channel_review_list,
    procedure_agency_units,
    procedure_fields,
    procedure_search,
)
from tinhso.services.services import (
    procedure_channel_settle,
)
from tinhso.services.views.common import _int, _procedure_or_404


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    field_id = _int(request.GET.get("linh_vuc"))
    level = request.GET.get("cap", "")
    level = level if level in dict(Procedure.LEVEL_CHOICES) else ""
    unit_id = _int(request.GET.get("co_quan"))
    qs = procedure_search(q=q, field_id=field_id, level=level, org_unit_id=unit_id)
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    return render(
        request,
        "services/catalogue.html",
        {
            "page": page,
            "q": q,
            "fields": procedure_fields(),
            "field_id": field_id,
            "levels": Procedure.LEVEL_CHOICES,
            "level": level,
            "total": page.paginator.count,
        },
    )


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure_or_404(code)
    return render(
        request,
        "services/procedure_detail.html",
        {
            "procedure": procedure,
            "agencies": procedure_agency_units(procedure=procedure),
            "channels": procedure.channels.all(),
            "parts": procedure.parts.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_review(request: HttpRequest) -> HttpResponse:
    """Rà soát thời hạn, phí: channels whose time or fee the source left unclear."""
    if not user_can(user=request.user, action="services.catalogue_review"):
        raise PermissionDenied
    rows = channel_review_list(user=request.user)
    failed: ChannelSettleForm | None = None
    if request.method == "POST":
        form = ChannelSettleForm(request.POST, auto_id=f"c{request.POST.get('channel_id', '')}_%s")
        if form.is_valid():
            cd = form.cleaned_data
            try:
                channel = procedure_channel_settle(
                    user=request.user,
                    channel_id=cd["channel_id"],
                    time_value=cd["time_value"],
                    time_value_max=cd["time_value_max"],
                    time_unit=cd["time_unit"],
                    fee_amount=cd["fee_amount"],
                    fee_is_free=cd["fee_is_free"],
                    note=cd["note"],
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã xác nhận thời hạn %(t)s cho thủ tục %(c)s.")
                    % {"t": channel.time_label, "c": channel.procedure.code},
                )
                return redirect("services:catalogue_review")
        failed = form
    forms_by_row = [
        (
            r,
            failed
            if failed is not None and failed.data.get("channel_id") == str(r.pk)
            else ChannelSettleForm(
                initial={
                    "channel_id": r.pk,
                    "time_value": r.time_value,
                    "time_value_max": r.time_value_max,
                    "time_unit": r.time_unit,
                },
                auto_id=f"c{r.pk}_%s",
            ),
        )
        for r in rows
    ]
    return render(
        request,
        "services/catalogue_review.html",
        {"rows": forms_by_row, "error_form": failed},
    )
