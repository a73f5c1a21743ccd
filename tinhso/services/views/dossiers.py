"""A dossier's pages: the applicant's list, the detail with its actions, files and
receipt, and the officers' queue."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.models import User
from tinhso.accounts.permissions import (
    user_can,
    user_units,
)
from tinhso.services import deadlines
from tinhso.services.eform import eform_display
from tinhso.services.forms import (
    ActionForm,
    QueueFilterForm,
)
from tinhso.services.models import Status
from tinhso.services.receipt import receipt_pdf
from tinhso.services.selectors import (
    dossier_applicant_todo,
    dossier_can_prepare_result,
    dossier_deadline,
    dossier_events,
    dossier_fee_info,
    dossier_files_for_user,
    dossier_get_for_user,
    dossier_is_official_view,
    dossier_list_for_applicant,
    dossier_queue,
    dossier_result_info,
)
from tinhso.services.services import (
    RATINGS,
    DossierConflict,
    dossier_act,
)
from tinhso.services.workflow import SPECIAL_ACTIONS, actions_available


@login_required
@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    page = Paginator(dossier_list_for_applicant(user=cast(User, request.user)), 20).get_page(
        request.GET.get("trang")
    )
    cal = deadlines.calendar_load()
    now = timezone.now()
    rows = [
        (d, dossier_deadline(dossier=d, now=now, cal=cal), dossier_applicant_todo(dossier=d))
        for d in page
    ]
    return render(request, "services/my_dossiers.html", {"page": page, "rows": rows})


@login_required
@require_GET
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_user(user=request.user, pk=pk)
    if dossier is None:
        raise Http404
    if dossier.status == Status.DRAFT:
        return redirect("services:review", pk=pk)
    actions = actions_available(user=request.user, dossier=dossier)
    result = dossier_result_info(user=request.user, dossier=dossier)
    official = dossier_is_official_view(user=request.user, dossier=dossier)
    codes = {a.code for a in actions}
    sign_approve = "approve" in codes and result.draft is not None
    generic = [
        a
        for a in actions
        if a.code not in SPECIAL_ACTIONS and not (sign_approve and a.code == "approve")
    ]
    return render(
        request,
        "services/dossier_detail.html",
        {
            "dossier": dossier,
            "deadline": dossier_deadline(dossier=dossier),
            "events": dossier_events(dossier=dossier),
            "files": dossier_files_for_user(user=request.user, dossier=dossier),
            "form_rows": eform_display(procedure=dossier.procedure, data=dossier.form_data),
            "actions": generic,
            "parts": dossier.procedure.parts.all(),
            "is_applicant": user_can(
                user=request.user, action="services.act.applicant", obj=dossier
            ),
            "fee": dossier_fee_info(dossier=dossier) if dossier.fee_amount else None,
            "result": result,
            "official": official,
            "sign_approve": sign_approve,
            "can_post": "send_post" in codes,
            "can_prepare": dossier_can_prepare_result(user=request.user, dossier=dossier),
            "ratings": [
                (code, label)
                for code, label in zip(
                    RATINGS, (_("Hài lòng"), _("Bình thường"), _("Không hài lòng")), strict=True
                )
            ],
        },
    )


@login_required
@require_POST
def dossier_action(request: HttpRequest, pk: int) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect("services:dossier", pk=pk)
    files = {
        int(k.removeprefix("part_")): request.FILES.getlist(k)
        for k in request.FILES
        if k.startswith("part_") and k.removeprefix("part_").isdigit()
    }
    try:
        dossier = dossier_act(
            user=request.user,
            dossier_id=pk,
            action_code=form.cleaned_data["action"],
            version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
            files=files,
        )
    except DossierConflict as exc:
        messages.warning(request, exc.message)
    except PermissionDenied as exc:
        if dossier_get_for_user(user=request.user, pk=pk) is None:
            raise Http404 from exc
        messages.error(request, str(exc))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("Đã cập nhật hồ sơ %(n)s: %(s)s.")
            % {"n": dossier.number, "s": Status(dossier.status).label},
        )
    return redirect("services:dossier", pk=pk)


@login_required
@require_GET
def dossier_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    dossier = dossier_get_for_user(user=request.user, pk=pk)
    if dossier is None:
        raise Http404
    f = dossier_files_for_user(user=request.user, dossier=dossier).filter(pk=file_id).first()
    if f is None:
        raise Http404
    response = FileResponse(
        f.file.open("rb"),
        as_attachment=True,
        filename=f.original_name,
        content_type=f.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def dossier_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_user(user=request.user, pk=pk)
    if dossier is None or not dossier.number:
        raise Http404
    tracking_url = request.build_absolute_uri(f"/dich-vu-cong/tra-cuu/?so={dossier.number}")
    pdf = receipt_pdf(dossier=dossier, tracking_url=tracking_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-hen-{dossier.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not user_units(request.user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = dossier_queue(
        user=request.user,
        status=params.get("status"),
        q=params.get("q", ""),
        sort=params.get("sort") or "due",
    )
    page = Paginator(qs, 25).get_page(request.GET.get("trang"))
    cal = deadlines.calendar_load()
    now = timezone.now()
    rows = [(d, dossier_deadline(dossier=d, now=now, cal=cal)) for d in page]
    return render(request, "services/queue.html", {"form": form, "page": page, "rows": rows})
