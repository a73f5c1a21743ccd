"""Pages of the feedback app (thin: rules live in services/selectors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.models import User
from tinhso.feedback.forms import (
    AddInfoForm,
    ApproveForm,
    CloseForm,
    DraftForm,
    ForwardForm,
    PublicFilterForm,
    QueueFilterForm,
    RateForm,
    ReturnForm,
    SubmitForm,
    TrackForm,
)
from tinhso.feedback.models import Feedback
from tinhso.feedback.selectors import (
    feedback_actions,
    feedback_deadline,
    feedback_events,
    feedback_file_get,
    feedback_files,
    feedback_for_sender,
    feedback_get_for_user,
    feedback_list_for_sender,
    feedback_published,
    feedback_published_get,
    feedback_queue,
    feedback_route_suggest,
    feedback_scope_figures,
    feedback_track,
)
from tinhso.feedback.services import (
    FeedbackConflict,
    FeedbackInput,
    FeedbackThrottled,
    feedback_add_info,
    feedback_approve,
    feedback_close,
    feedback_draft_answer,
    feedback_forward,
    feedback_rate,
    feedback_return,
    feedback_submit,
)
from tinhso.forms import form_errors_apply
from tinhso.services import deadlines

SESSION_CODES = "feedback_codes"


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "127.0.0.1"


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if user.is_authenticated else None


# a service names the attached files "files"; the form's first file field shows the error
FILE_ERRORS = {"files": "file1"}


# ---------------------------------------------------------------------------------------
# Citizens and businesses
# ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("ho_so") and user is not None:
        initial = {"dossier": request.GET["ho_so"], "category": "dossier"}
    form = SubmitForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = FeedbackInput(
            category=cd["category"],
            subject=cd["subject"],
            text=cd["text"],
            name=cd.get("name", ""),
            email=cd.get("email", ""),
            phone=cd.get("phone", ""),
            publish_consent=cd["publish_consent"],
            procedure=cd.get("procedure"),
            org_unit=cd.get("org_unit"),
            dossier=cd.get("dossier"),
        )
        try:
            fb, code = feedback_submit(
                user=user, data=data, files=form.uploads(), client_key=_client_ip(request)
            )
        except FeedbackThrottled as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form_errors_apply(form, exc, aliases=FILE_ERRORS)
        else:
            codes = request.session.get(SESSION_CODES, {})
            codes[fb.number] = code
            request.session[SESSION_CODES] = codes
            return redirect("feedback:sent", number=fb.number)
    return render(request, "feedback/submit.html", {"form": form})


@require_GET
def sent(request: HttpRequest, number: str) -> HttpResponse:
    """Shown once after sending: the number and the secret tracking code."""
    codes = request.session.get(SESSION_CODES, {})
    code = codes.pop(number, None)
    request.session[SESSION_CODES] = codes
    if code is None:
        return redirect("feedback:track")
    fb = feedback_track(number=number, code=code)
    if fb is None:
        raise Http404
    track_url = reverse("feedback:track") + "?" + urlencode({"so": number, "ma": code})
    return render(request, "feedback/sent.html", {"fb": fb, "code": code, "track_url": track_url})


def _sender_context(fb: Feedback, code: str) -> dict[str, Any]:
    return {
        "fb": fb,
        "code": code,
        "events": feedback_events(feedback=fb),
        "files": feedback_files(feedback=fb),
        "deadline": feedback_deadline(feedback=fb),
        "add_form": AddInfoForm(prefix="bs") if fb.is_open else None,
        "rate_form": RateForm(prefix="dg") if fb.status == "answered" and not fb.rated_at else None,
    }


def _sender_post(request: HttpRequest, fb: Feedback, code: str) -> HttpResponse | None:
    """Handle "add information" and "rate" posts from the sender's page."""
    action = request.POST.get("action")
    try:
        if action == "add_info":
            form: Any = AddInfoForm(request.POST, request.FILES, prefix="bs")
            if form.is_valid():
                feedback_add_info(
                    feedback_id=fb.pk,
                    user=_user(request),
                    code=code,
                    text=form.cleaned_data["text"],
                    files=form.uploads(),
                )
                messages.success(request, _("Đã gửi thông tin bổ sung."))
                return None
        elif action == "rate":
            form = RateForm(request.POST, prefix="dg")
            if form.is_valid():
                feedback_rate(
                    feedback_id=fb.pk,
                    user=_user(request),
                    code=code,
                    rating=form.cleaned_data["rating"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Cảm ơn bạn đã đánh giá."))
                return None
        else:
            return None
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
    except (ValidationError, PermissionDenied) as exc:
        for m in getattr(exc, "messages", [str(exc)]):
            messages.error(request, m)
    return None


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    form = TrackForm(data or None)
    fb = None
    code = ""
    if form.is_valid():
        code = form.cleaned_data["ma"].strip()
        fb = feedback_track(number=form.cleaned_data["so"], code=code)
        if fb is not None and request.method == "POST":
            _sender_post(request, fb, code)
            url = reverse("feedback:track") + "?" + urlencode({"so": fb.number, "ma": code})
            return redirect(url)
    ctx: dict[str, Any] = {"form": form, "searched": form.is_bound, "fb": fb}
    if fb is not None:
        ctx.update(_sender_context(fb, code))
    return render(request, "feedback/track.html", ctx)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    rows = [
        (fb, feedback_deadline(feedback=fb))
        for fb in feedback_list_for_sender(user=request.user)[:200]  # type: ignore[arg-type]
    ]
    return render(request, "feedback/mine.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fb = feedback_for_sender(user=request.user, pk=pk)  # type: ignore[arg-type]
    if fb is None:
        raise Http404
    if request.method == "POST":
        _sender_post(request, fb, "")
        return redirect("feedback:mine_detail", pk=pk)
    return render(request, "feedback/track.html", {"searched": True, **_sender_context(fb, "")})


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    q = code = ""
    unit_id = None
    if form.is_valid():
        q, code = form.cleaned_data["q"], form.cleaned_data["thu_tuc"]
        unit_id = form.cleaned_data["don_vi"].pk if form.cleaned_data["don_vi"] else None
    qs = feedback_published(procedure_code=code.strip(), org_unit_id=unit_id, q=q)
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    return render(request, "feedback/public_list.html", {"form": form, "page": page})


@require_GET
def public_detail(request: HttpRequest, number: str) -> HttpResponse:
    fb = feedback_published_get(number=number)
    if fb is None:
        raise Http404
    return render(request, "feedback/public_detail.html", {"fb": fb})


@require_GET
def file_download(request: HttpRequest, file_id: int) -> FileResponse:
    """An attachment, for the officials of the holding unit, or its sender (login or code)."""
    row = feedback_file_get(user=_user(request), file_id=file_id, code=request.GET.get("ma", ""))
    if row is None:
        raise Http404
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.original_name)


# ---------------------------------------------------------------------------------------
# Officials
# ---------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    status, q = "open", ""
    if form.is_valid():
        status, q = form.cleaned_data["trang_thai"], form.cleaned_data["q"]
    qs = feedback_queue(user=request.user, status=status, q=q)  # type: ignore[arg-type]
    page = Paginator(qs, 30).get_page(request.GET.get("trang"))
    cal = deadlines.calendar_load()
    rows = [(fb, feedback_deadline(feedback=fb, cal=cal)) for fb in page]
    today = timezone.localdate()
    figures = feedback_scope_figures(
        user=request.user,  # type: ignore[arg-type]
        start=today.replace(month=1, day=1),
        end=today,
    )
    return render(
        request,
        "feedback/queue.html",
        {"form": form, "page": page, "rows": rows, "figures": figures, "year": today.year},
    )


def _handle_forms(fb: Feedback, actions: list[str]) -> dict[str, Any]:
    return {
        "forward_form": ForwardForm(
            prefix="fw", feedback=fb, suggested=feedback_route_suggest(feedback=fb)
        )
        if "forward" in actions
        else None,
        "close_form": CloseForm(prefix="cl") if "close" in actions else None,
        "draft_form": DraftForm(
            prefix="dt", initial={"answer": fb.answer_draft, "publish": fb.publish_consent}
        )
        if "draft" in actions
        else None,
        "approve_form": ApproveForm(
            prefix="pd", initial={"answer": fb.answer_draft, "publish": fb.publish_proposed}
        )
        if "approve" in actions
        else None,
        "return_form": ReturnForm(prefix="tl") if "return" in actions else None,
    }


@login_required
@require_GET
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        fb = feedback_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    except Feedback.DoesNotExist as exc:
        raise Http404 from exc
    actions = feedback_actions(user=request.user, feedback=fb)  # type: ignore[arg-type]
    ctx = {
        "fb": fb,
        "deadline": feedback_deadline(feedback=fb),
        "events": feedback_events(feedback=fb, public_only=False),
        "files": feedback_files(feedback=fb),
        "actions": actions,
        **_handle_forms(fb, actions),
    }
    return render(request, "feedback/handle.html", ctx)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        fb = feedback_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    except Feedback.DoesNotExist as exc:
        raise Http404 from exc
    user: User = request.user  # type: ignore[assignment]
    try:
        version = int(request.POST.get("version", "-1"))
    except ValueError:
        version = -1
    forms_by_action: dict[str, Any] = {
        "forward": lambda: ForwardForm(request.POST, prefix="fw", feedback=fb, suggested=None),
        "close": lambda: CloseForm(request.POST, prefix="cl"),
        "draft": lambda: DraftForm(request.POST, prefix="dt"),
        "approve": lambda: ApproveForm(request.POST, prefix="pd"),
        "return": lambda: ReturnForm(request.POST, prefix="tl"),
    }
    if action not in forms_by_action:
        raise Http404
    form = forms_by_action[action]()
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("feedback:handle", pk=pk)
    cd = form.cleaned_data
    try:
        if action == "forward":
            feedback_forward(
                user=user,
                feedback_id=pk,
                version=version,
                org_unit=cd["org_unit"],
                category=cd["category"],
                comment=cd["comment"],
            )
            messages.success(request, _("Đã chuyển phản ánh đến đơn vị xử lý."))
            return redirect("feedback:queue")
        if action == "close":
            feedback_close(user=user, feedback_id=pk, version=version, reason=cd["reason"])
            messages.success(request, _("Đã đóng phản ánh và báo lý do cho người gửi."))
        elif action == "draft":
            feedback_draft_answer(
                user=user,
                feedback_id=pk,
                version=version,
                answer=cd["answer"],
                publish=cd["publish"],
                public_question=cd["public_question"],
            )
            messages.success(request, _("Đã trình lãnh đạo dự thảo trả lời."))
        elif action == "approve":
            feedback_approve(
                user=user,
                feedback_id=pk,
                version=version,
                answer=cd["answer"],
                publish=cd["publish"],
            )
            messages.success(request, _("Đã duyệt và gửi trả lời cho người gửi."))
        else:
            feedback_return(user=user, feedback_id=pk, version=version, comment=cd["comment"])
            messages.success(request, _("Đã trả lại dự thảo cho cán bộ."))
    except FeedbackConflict as exc:
        messages.warning(request, exc.message)
    except (ValidationError, PermissionDenied) as exc:
        for m in getattr(exc, "messages", [str(exc)]):
            messages.error(request, m)
    return redirect("feedback:handle", pk=pk)
