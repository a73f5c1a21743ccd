"""Submitting a dossier online (form, then review) and registering one at the counter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.accounts.permissions import (
    user_units,
)
from tinhso.services.applying import dossier_duplicates_today
from tinhso.services.drafts import draft_revision_changed
from tinhso.services.eform import eform_display, eform_post_data
from tinhso.services.forms import (
    form_errors_apply,
    submission_form,
)
from tinhso.services.models import Status
from tinhso.services.selectors import (
    dossier_get_for_user,
    procedure_agency_units,
    procedure_search,
)
from tinhso.services.services import (
    ApplicantInfo,
    DossierConflict,
    dossier_register_in_person,
    dossier_submit,
)
from tinhso.services.views.common import _part_files, _procedure_or_404


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_user(user=request.user, pk=pk)
    if dossier is None or dossier.applicant_id != request.user.pk:
        raise Http404
    if dossier.status != Status.DRAFT:
        return redirect("services:dossier", pk=pk)
    changed = draft_revision_changed(dossier=dossier)
    if changed and request.method != "POST":  # the form moved on: its page says so
        return redirect("services:draft_edit", pk=pk)
    if request.method == "POST":
        try:
            dossier = dossier_submit(user=request.user, dossier_id=pk)
        except DossierConflict as exc:
            messages.warning(request, exc.message)
        except ValidationError as exc:  # the draft is kept as it is; its form says why
            for m in exc.messages:
                if m != draft_revision_changed(dossier=dossier):  # the page says that one
                    messages.warning(request, m)
            return redirect("services:draft_edit", pk=pk)
        else:
            messages.success(request, _("Đã nộp hồ sơ. Số hồ sơ của bạn: %s") % dossier.number)
        return redirect("services:dossier", pk=pk)
    return render(
        request,
        "services/review.html",
        {
            "dossier": dossier,
            "duplicates": dossier_duplicates_today(dossier=dossier),
            "form_rows": eform_display(
                procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
            ),
            "files": dossier.files.select_related("part"),
        },
    )


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
                        kind=cd["applicant_kind"],
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
