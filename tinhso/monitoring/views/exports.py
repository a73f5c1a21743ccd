"""Exports (Excel, PDF) and the Excel import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.accounts.permissions import user_can
from tinhso.monitoring.excel import report_import, report_workbook
from tinhso.monitoring.forms import (
    ImportForm,
)
from tinhso.monitoring.pdfreport import report_pdf
from tinhso.monitoring.views.common import _province

# --- exports and import -----------------------------------------------------------------------


@login_required
@require_GET
def export_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    if not user_can(user=request.user, action="monitoring.view"):
        raise PermissionDenied
    data = report_workbook(user=request.user, year=year, province=_province(None))
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="bao-cao-cds-{year}.xlsx"'
    return resp


@require_GET
def export_pdf(request: HttpRequest, year: int) -> HttpResponse:
    data = report_pdf(unit=_province(None), year=year)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="bao-cao-cds-{year}.pdf"'
    return resp


@login_required
def import_xlsx(request: HttpRequest) -> HttpResponse:
    if not user_can(user=request.user, action="monitoring.report_enter"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = report_import(user=request.user, file=form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request,
                _("Đã nhập: %(c)d mới, %(u)d cập nhật, %(n)d không đổi.")
                % {"c": result.created, "u": result.updated, "n": result.unchanged},
            )
            return redirect("monitoring:reports")
    return render(request, "monitoring/import.html", {"form": form, "result": result})
