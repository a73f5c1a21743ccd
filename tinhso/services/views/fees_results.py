"""Fees, results, delivery, ratings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tinhso.services.forms import (
    ActionForm,
)
from tinhso.services.services import (
    DossierConflict,
    dossier_approve_sign,
    dossier_fee_collect_at_counter,
    dossier_fee_pay_start,
    dossier_rate,
    dossier_result_download,
    dossier_result_post,
    dossier_result_prepare,
)
from tinhso.services.views.common import _client_ip, _report

# ---------------------------------------------------------------------------------------
# Fees, results, delivery, ratings
# ---------------------------------------------------------------------------------------


@login_required
@require_POST
def dossier_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Nộp phí trực tuyến": open the payment and go straight to the gateway."""
    try:
        payment = dossier_fee_pay_start(
            user=request.user, dossier_id=pk, client_ip=_client_ip(request)
        )
    except (PermissionDenied, ValidationError) as exc:
        _report(request, pk, exc)
        return redirect("services:dossier", pk=pk)
    return redirect("payments:start", txn_ref=payment.txn_ref)


@login_required
@require_POST
def dossier_fee_counter(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        payment = dossier_fee_collect_at_counter(officer=request.user, dossier_id=pk)
    except (PermissionDenied, ValidationError) as exc:
        _report(request, pk, exc)
    else:
        messages.success(
            request, _("Đã thu phí tại quầy. Số biên lai: %s") % payment.receipt_number
        )
    return redirect("services:dossier", pk=pk)


@login_required
@require_POST
def dossier_result_prepare_view(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("result_file")
    try:
        dossier_result_prepare(
            user=request.user,
            dossier_id=pk,
            upload=upload,
            generate=upload is None and request.POST.get("generate") == "1",
        )
    except (PermissionDenied, ValidationError) as exc:
        _report(request, pk, exc)
    else:
        messages.success(request, _("Đã lưu dự thảo kết quả, chờ lãnh đạo phê duyệt và ký số."))
    return redirect("services:dossier", pk=pk)


@login_required
@require_POST
def dossier_approve_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect("services:dossier", pk=pk)
    try:
        dossier_approve_sign(
            user=request.user,
            dossier_id=pk,
            version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )
    except (DossierConflict, PermissionDenied, ValidationError) as exc:
        _report(request, pk, exc)
    else:
        messages.success(request, _("Đã phê duyệt và ký số kết quả."))
    return redirect("services:dossier", pk=pk)


@login_required
@require_GET
def dossier_result_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed result: the applicant or the unit's officials only (never a media URL)."""
    try:
        result = dossier_result_download(
            user=request.user, dossier_id=pk, remote_ip=_client_ip(request)
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("services:dossier", pk=pk)
    response = HttpResponse(result.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def dossier_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect("services:dossier", pk=pk)
    try:
        dossier_result_post(
            user=request.user,
            dossier_id=pk,
            version=form.cleaned_data["version"],
            post_ref=request.POST.get("post_ref", ""),
        )
    except (DossierConflict, PermissionDenied, ValidationError) as exc:
        _report(request, pk, exc)
    else:
        messages.success(request, _("Đã ghi nhận gửi kết quả qua bưu chính."))
    return redirect("services:dossier", pk=pk)


@login_required
@require_POST
def dossier_rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        dossier_rate(
            user=request.user,
            dossier_id=pk,
            rating=request.POST.get("rating", ""),
            comment=request.POST.get("comment", "")[:2000],
        )
    except (PermissionDenied, ValidationError) as exc:
        _report(request, pk, exc)
    else:
        messages.success(request, _("Cảm ơn bạn đã đánh giá mức độ hài lòng."))
    return redirect("services:dossier", pk=pk)
