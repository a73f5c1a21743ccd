"""Pages for drafts that keep the applicant's work, the document store and its reuse,
withdrawing a dossier, and digitising a paper dossier (thin: rules in ``drafts``/``store``)."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.models import User
from tinhso.accounts.permissions import identity_required_level, user_identity_sufficient
from tinhso.services.applying import applicant_may_file_check
from tinhso.services.doctypes import doctype_label
from tinhso.services.drafts import (
    dossier_draft_delete,
    dossier_draft_save,
    draft_get_for_owner,
    draft_revision_changed,
)
from tinhso.services.eform import eform_post_data
from tinhso.services.forms import submission_form
from tinhso.services.models import Dossier, DossierFile, Procedure, Status
from tinhso.services.procedure_page import units_at_procedure_level
from tinhso.services.selectors import (
    dossier_by_idempotency_key,
    dossier_get_for_user,
    procedure_agency_units,
    procedure_get,
)
from tinhso.services.services import DossierConflict, dossier_act
from tinhso.services.store import dossier_digitise, store_item_get, store_list, store_offers


def _procedure_or_404(code: str) -> Procedure:
    try:
        return procedure_get(code=code)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


def _may_submit(request: HttpRequest, procedure: Procedure) -> HttpResponse | None:
    code = procedure.code
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
    try:  # who may apply (citizens, businesses) as the catalogue says
        applicant_may_file_check(user=request.user, procedure=procedure)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("services:procedure", code=code)
    return None


def _draft_form(
    request: HttpRequest, procedure: Procedure, draft: Dossier | None, bound: bool
) -> tuple[forms.Form, list[dict[str, Any]]]:
    """The submission form (parts optional here: the draft service says what is missing)
    with, for each part, the draft's current file and the store documents it may reuse."""
    units = units_at_procedure_level(
        procedure=procedure, units=procedure_agency_units(procedure=procedure)
    )
    initial: dict[str, Any] = {}
    if draft is not None:
        initial = {"org_unit": draft.org_unit_id}
        initial.update({f"f_{k}": v for k, v in draft.form_data.items()})
    form = submission_form(
        procedure=procedure,
        units=units,
        data=request.POST if bound else None,
        files=request.FILES if bound else None,
        applicant=request.user,
    )
    if not bound:
        form.initial = initial
    offers = store_offers(user=request.user, procedure=procedure)
    current: dict[int, DossierFile] = {}
    if draft is not None:
        for f in draft.files.filter(kind=DossierFile.Kind.APPLICATION).order_by("pk"):
            if f.part_id:
                current[f.part_id] = f
    parts = []
    for part in procedure.parts.all():
        field = form.fields[f"part_{part.pk}"]
        field.required = False
        items = offers.get(part.pk, [])
        if items:
            form.fields[f"reuse_{part.pk}"] = forms.ChoiceField(
                label=_("Dùng giấy tờ đã có"),
                required=False,
                choices=[("", _("Không, tải lên tệp mới"))]
                + [
                    (
                        str(i.pk),
                        _("%(t)s — hồ sơ %(n)s, tiếp nhận ngày %(d)s")
                        % {
                            "t": i.title,
                            "n": i.dossier.number,
                            "d": f"{i.accepted_at:%d/%m/%Y}",
                        },
                    )
                    for i in items
                ],
                widget=forms.RadioSelect,
                initial=_reuse_initial(current.get(part.pk), items),
            )
        parts.append(
            {
                "part": part,
                "field": form[f"part_{part.pk}"],
                "reuse": form[f"reuse_{part.pk}"] if items else None,
                "current": current.get(part.pk),
                "type_label": doctype_label(part.doc_type) if part.doc_type else "",
            }
        )
    return form, parts


def _reuse_initial(current: DossierFile | None, items: list[Any]) -> str:
    """The store document in use; none when a file was uploaded; else the newest one (the
    store is offered first)."""
    if current is None:
        return str(items[0].pk)
    return str(current.reused_from_id or "")


def _posted(request: HttpRequest, form: forms.Form) -> dict[str, Any]:
    """The values of a posted submission form, as the draft service takes them."""
    files = {
        int(k.removeprefix("part_")): request.FILES.getlist(k)
        for k in request.FILES
        if k.startswith("part_") and k in form.fields and k.removeprefix("part_").isdigit()
    }
    reuse = {
        int(k.removeprefix("reuse_")): v
        for k, v in request.POST.items()
        if k.startswith("reuse_") and k.removeprefix("reuse_").isdigit()
    }
    # a multiple choice keeps its several values; a studio form's rows and address parts
    # keep their keys (``block__0__child``)
    return {"files": files, "reuse": reuse, "form_data": eform_post_data(request.POST)}


def _draft_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("draft", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _token(request: HttpRequest) -> str:
    token = request.POST.get("form_token", "")
    return token if 16 <= len(token) <= 64 and token.isprintable() else ""


def _org_unit(form: forms.Form) -> Any:
    try:
        return form.fields["org_unit"].clean(form.data.get("org_unit"))
    except ValidationError:
        return None


def _problems_apply(form: forms.Form, problems: dict[str, list[str]]) -> None:
    """Add the draft service's problems that the form's own validation does not report
    (parts, agency, channel); e-form fields already carry their errors."""
    form.is_valid()
    own = {name.removeprefix("f_") for name in form.fields if name.startswith("f_")}
    rest = {k: v for k, v in problems.items() if k not in own and f"f_{k}" not in form.errors}
    for key, msgs in rest.items():
        name = key if key in form.fields else None
        for m in msgs:
            if name is None or m not in form.errors.get(name, []):
                form.add_error(name, m)


def _submission_page(
    request: HttpRequest, procedure: Procedure, draft: Dossier | None, notice: str = ""
) -> Any:
    token = _token(request)
    if request.method == "POST":
        if draft is None and token:
            first = dossier_by_idempotency_key(user=request.user, key=f"form:{token}")
            if first is not None and first.status != Status.DRAFT:
                return redirect("services:dossier", pk=first.pk)
            draft = first
        form, parts = _draft_form(request, procedure, draft, bound=True)
        org_unit = _org_unit(form)
        if org_unit is None:
            form.is_valid()
        else:
            try:
                draft, problems = dossier_draft_save(
                    user=request.user,
                    procedure=procedure,
                    org_unit=org_unit,
                    draft_id=draft.pk if draft is not None else _draft_id(request),
                    complete=True,
                    idempotency_key=f"form:{token}" if token else None,
                    **_posted(request, form),
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            if not problems:
                return redirect("services:review", pk=draft.pk)
            # what passed is kept with the draft; the form comes back with the rest
            form, parts = _draft_form(request, procedure, draft, bound=True)
            _problems_apply(form, problems)
            messages.info(
                request, _("Đã lưu nháp những gì hợp lệ; vui lòng sửa các mục được báo lỗi.")
            )
    else:
        form, parts = _draft_form(request, procedure, draft, bound=False)
    return render(
        request,
        "services/submit.html",
        {
            "procedure": procedure,
            "form": form,
            "parts": parts,
            "draft": draft,
            "form_token": token or secrets.token_urlsafe(24),
            "revision_notice": notice,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit_start(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure_or_404(code)
    refused = _may_submit(request, procedure)
    if refused is not None:
        return refused
    draft = None
    draft_id = _draft_id(request)
    if draft_id is not None:
        draft = draft_get_for_owner(user=request.user, pk=draft_id)
        if draft is None or draft.procedure_id != procedure.pk:
            raise Http404
    return _submission_page(request, procedure, draft)


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a draft ("Khai lại", or from "Hồ sơ của tôi"): the same draft is edited."""
    draft = draft_get_for_owner(user=request.user, pk=pk)
    if draft is None:
        raise Http404
    refused = _may_submit(request, draft.procedure)
    if refused is not None:
        return refused
    # the form was published anew since the draft was started: say so (saving moves the
    # draft to the new form, its values kept)
    notice = draft_revision_changed(dossier=draft) if request.method == "GET" else ""
    return _submission_page(request, draft.procedure, draft, notice)


@login_required
@require_POST
def draft_autosave(request: HttpRequest, code: str) -> HttpResponse:
    """HTMX: save the form as the applicant goes (fields, and each file as it is chosen).
    Answers the status line, the draft's id and each part's file (out of band)."""
    procedure = _procedure_or_404(code)
    if not cast(User, request.user).is_applicant or not user_identity_sufficient(request.user):
        raise PermissionDenied
    draft_id = _draft_id(request)
    token = _token(request)
    form, _parts = _draft_form(request, procedure, None, bound=True)
    org_unit = _org_unit(form)
    problems: dict[str, list[str]] = {}
    draft = None
    if org_unit is not None:
        try:
            draft, problems = dossier_draft_save(
                user=request.user,
                procedure=procedure,
                org_unit=org_unit,
                draft_id=draft_id,
                idempotency_key=f"form:{token}" if token and draft_id is None else None,
                **_posted(request, form),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
    parts: list[dict[str, Any]] = []
    if draft is not None:
        _form, parts = _draft_form(request, procedure, draft, bound=False)
    return render(
        request,
        "services/_autosave.html",
        {"draft": draft, "parts": parts, "problems": problems, "no_unit": org_unit is None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft after confirmation (a dossier already sent is refused)."""
    dossier = dossier_get_for_user(user=request.user, pk=pk)
    if dossier is None or dossier.applicant_id != request.user.pk:
        raise Http404
    if request.method == "POST":
        try:
            dossier_draft_delete(user=request.user, dossier_id=pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("services:dossier", pk=pk)
        messages.success(request, _("Đã xóa bản nháp."))
        return redirect("services:mine")
    if dossier.status != Status.DRAFT:
        messages.error(request, _("Hồ sơ đã nộp không xóa được; bạn có thể rút hồ sơ."))
        return redirect("services:dossier", pk=pk)
    return render(request, "services/draft_delete.html", {"dossier": dossier})


@login_required
@require_http_methods(["GET", "POST"])
def dossier_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant withdraws a dossier: a confirmation page that asks for the reason."""
    dossier = dossier_get_for_user(user=request.user, pk=pk)
    if dossier is None or dossier.applicant_id != request.user.pk:
        raise Http404
    error = ""
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            dossier_act(
                user=request.user,
                dossier_id=pk,
                action_code="withdraw",
                version=int(version) if version.isdigit() else -1,
                comment=request.POST.get("comment", "")[:4000],
            )
        except DossierConflict as exc:
            messages.warning(request, exc.message)
            return redirect("services:dossier", pk=pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã rút hồ sơ %s.") % dossier.number)
            return redirect("services:dossier", pk=pk)
    return render(
        request, "services/withdraw.html", {"dossier": dossier, "error": error}, status=200
    )


@login_required
@require_POST
def dossier_digitise_view(request: HttpRequest, pk: int) -> HttpResponse:
    files = {
        int(k.removeprefix("part_")): request.FILES.getlist(k)
        for k in request.FILES
        if k.startswith("part_") and k.removeprefix("part_").isdigit()
    }
    version = request.POST.get("version", "")
    try:
        dossier_digitise(
            user=request.user,
            dossier_id=pk,
            version=int(version) if version.isdigit() else -1,
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
        messages.success(request, _("Đã số hóa hồ sơ."))
    return redirect("services:dossier", pk=pk)


@login_required
@require_GET
def store(request: HttpRequest) -> HttpResponse:
    """ "Kho dữ liệu của tôi": the applicant's own documents, by type."""
    if not cast(User, request.user).is_applicant:
        raise PermissionDenied
    items = list(store_list(user=request.user))
    return render(request, "services/store.html", {"items": items})


@login_required
@require_GET
def store_file(request: HttpRequest, pk: int) -> FileResponse:
    item = store_item_get(user=request.user, pk=pk)
    if item is None:
        raise Http404
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
