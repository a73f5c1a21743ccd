"""Pages of the services app (thin: rules live in services/selectors)."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.models import User
from tinhso.accounts.permissions import (
    identity_required_level,
    user_can,
    user_identity_sufficient,
    user_units,
)
from tinhso.http import client_address
from tinhso.services import deadlines
from tinhso.services.eform import eform_display, eform_post_data
from tinhso.services.forms import (
    ActionForm,
    ChannelSettleForm,
    QueueFilterForm,
    TrackForm,
    form_errors_apply,
    submission_form,
)
from tinhso.services.models import Procedure, Status
from tinhso.services.receipt import receipt_pdf
from tinhso.services.selectors import (
    channel_review_list,
    dossier_applicant_todo,
    dossier_by_idempotency_key,
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
    dossier_track,
    dossier_track_throttled,
    procedure_agency_units,
    procedure_fields,
    procedure_get,
    procedure_search,
)
from tinhso.services.services import (
    RATINGS,
    ApplicantInfo,
    DossierConflict,
    dossier_act,
    dossier_approve_sign,
    dossier_draft_create,
    dossier_fee_collect_at_counter,
    dossier_fee_pay_start,
    dossier_rate,
    dossier_register_in_person,
    dossier_result_download,
    dossier_result_post,
    dossier_result_prepare,
    dossier_submit,
    procedure_channel_settle,
)
from tinhso.services.workflow import SPECIAL_ACTIONS, actions_available


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


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


def _procedure_or_404(code: str) -> Procedure:
    try:
        return procedure_get(code=code)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


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
def submit_start(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure_or_404(code)
    if not cast(User, request.user).is_applicant:  # @login_required
        messages.warning(request, _("Chỉ công dân, doanh nghiệp mới nộp hồ sơ trực tuyến."))
        return redirect("services:procedure", code=code)
    if not user_identity_sufficient(request.user):
        messages.warning(
            request,
            _("Cần định danh điện tử mức %(n)s (đăng nhập bằng VNeID) để nộp hồ sơ trực tuyến.")
            % {"n": identity_required_level()},
        )
        return redirect("services:procedure", code=code)
    units = procedure_agency_units(procedure=procedure)
    form = submission_form(
        procedure=procedure,
        units=units,
        data=request.POST or None,
        files=request.FILES or None,
        applicant=request.user,
    )
    # a one-time token per rendered form: the form resent (a retry after a lost answer)
    # finds the draft the first sending created instead of creating a second one
    token = request.POST.get("form_token", "")
    token = token if 16 <= len(token) <= 64 and token.isprintable() else ""
    if request.method == "POST" and token:
        first = dossier_by_idempotency_key(user=request.user, key=f"form:{token}")
        if first is not None:
            if first.status == Status.DRAFT:
                return redirect("services:review", pk=first.pk)
            return redirect("services:dossier", pk=first.pk)
    if request.method == "POST" and form.is_valid():
        files = _part_files(request, form)
        data = eform_post_data(request.POST)
        try:
            dossier = dossier_draft_create(
                user=request.user,
                procedure=procedure,
                org_unit=form.cleaned_data["org_unit"],
                form_data=data,
                files=files,
                idempotency_key=f"form:{token}" if token else None,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            return redirect("services:review", pk=dossier.pk)
    return render(
        request,
        "services/submit.html",
        {
            "procedure": procedure,
            "form": form,
            "units": units,
            "form_token": token or secrets.token_urlsafe(24),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_user(user=request.user, pk=pk)
    if dossier is None or dossier.applicant_id != request.user.pk:
        raise Http404
    if dossier.status != Status.DRAFT:
        return redirect("services:dossier", pk=pk)
    if request.method == "POST":
        try:
            dossier = dossier_submit(user=request.user, dossier_id=pk)
        except DossierConflict as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, _("Đã nộp hồ sơ. Số hồ sơ của bạn: %s") % dossier.number)
        return redirect("services:dossier", pk=pk)
    return render(
        request,
        "services/review.html",
        {
            "dossier": dossier,
            "form_rows": eform_display(
                procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
            ),
            "files": dossier.files.select_related("part"),
        },
    )


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
            "form_rows": eform_display(
                procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
            ),
            "actions": generic,
            "parts": dossier.procedure.parts.all(),
            "is_applicant": dossier.applicant_id == request.user.pk,
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


@login_required
@require_http_methods(["GET", "POST"])
def register_in_person(request: HttpRequest) -> HttpResponse:
    if not user_units(request.user):
        raise PermissionDenied
    code = request.GET.get("thu_tuc") or request.POST.get("thu_tuc") or ""
    procedure = None
    form = None
    if code:
        procedure = _procedure_or_404(code)
        units = procedure_agency_units(procedure=procedure)
        form = submission_form(
            procedure=procedure,
            units=units,
            data=request.POST or None,
            files=request.FILES or None,
            in_person=True,
        )
        if request.method == "POST" and form.is_valid():
            cd = form.cleaned_data
            files = _part_files(request, form)
            data = eform_post_data(request.POST)
            try:
                dossier = dossier_register_in_person(
                    officer=request.user,
                    procedure=procedure,
                    org_unit=cd["org_unit"],
                    applicant=ApplicantInfo(
                        name=cd["applicant_name"],
                        id_number=cd["applicant_id_number"],
                        email=cd["applicant_email"],
                        phone=cd["applicant_phone"],
                    ),
                    form_data=data,
                    files=files,
                    channel=cd["channel"],
                )
            except PermissionDenied as exc:
                form.add_error("org_unit", str(exc))
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, _("Đã tiếp nhận hồ sơ số %s.") % dossier.number)
                return redirect("services:dossier", pk=dossier.pk)
    return render(
        request,
        "services/register.html",
        {
            "procedure": procedure,
            "form": form,
            "procedures": procedure_search() if procedure is None else None,
        },
    )


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    result = None
    searched = False
    if form.is_valid():
        number, code = form.cleaned_data["so"], form.cleaned_data["ma"]
        if dossier_track_throttled(client=_client_ip(request), number=number, code=code):
            form.add_error(None, _("Tra cứu quá nhiều lần, vui lòng thử lại sau."))
            response = render(request, "services/track.html", {"form": form}, status=429)
            response["Retry-After"] = "60"
            return response
        searched = True
        result = dossier_track(number=number, code=code)
    return render(
        request, "services/track.html", {"form": form, "result": result, "searched": searched}
    )


# ---------------------------------------------------------------------------------------
# Fees, results, delivery, ratings
# ---------------------------------------------------------------------------------------


def _part_files(request: HttpRequest, form: forms.Form) -> dict[int, list[Any]]:
    """The uploaded files of the form's document parts (``part_<id>`` fields the form has);
    any other file field is ignored."""
    return {
        int(k.removeprefix("part_")): request.FILES.getlist(k)
        for k in request.FILES
        if k.startswith("part_") and k in form.fields and k.removeprefix("part_").isdigit()
    }


def _client_ip(request: HttpRequest) -> str:
    return client_address(request) or "127.0.0.1"


def _report(request: HttpRequest, pk: int, exc: Exception) -> None:
    """Turn a refused write into a message (404 when the dossier is not visible)."""
    if isinstance(exc, DossierConflict):
        messages.warning(request, exc.message)
    elif isinstance(exc, PermissionDenied):
        if dossier_get_for_user(user=request.user, pk=pk) is None:
            raise Http404 from exc
        messages.error(request, str(exc))
    elif isinstance(exc, ValidationError):
        for m in exc.messages:
            messages.error(request, m)


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
