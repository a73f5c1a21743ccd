"""Reporting values: my reports, a new report, its detail and workflow actions, evidence, late
reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.permissions import user_can, user_units
from tinhso.accounts.usertypes import AnyUser
from tinhso.monitoring import selectors, services
from tinhso.monitoring.forms import (
    CommentForm,
    EvidenceForm,
    ValueForm,
)
from tinhso.monitoring.models import (
    Evidence,
    Indicator,
    ReportedValue,
)
from tinhso.monitoring.periods import period_containing, periods_of_year
from tinhso.monitoring.views.common import _int, _years
from tinhso.orgs.models import OrgUnit

# --- reports --------------------------------------------------------------------------------


def _entry_units(user: AnyUser, indicator: Indicator) -> list[OrgUnit]:
    responsible = list(indicator.responsible_units.all())
    return [
        u for u in responsible if user_can(user=user, action="monitoring.report_enter", org_unit=u)
    ]


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    if not user_units(request.user):
        raise PermissionDenied
    awaiting = selectors.values_awaiting(user=request.user)
    reportable = [
        i
        for i in selectors.indicator_list()
        .exclude(method=Indicator.Method.COMPUTED)
        .prefetch_related("responsible_units")
        if _entry_units(request.user, i)
    ]
    return render(
        request,
        "monitoring/reports.html",
        {
            "enter": list(awaiting["enter"][:100]),
            "approve": list(awaiting["approve"][:100]),
            "accept": list(awaiting["accept"][:200]),
            "reportable": reportable,
            "recent": list(
                selectors.values_visible(user=request.user).filter(is_current=True)[:50]
            ),
            "year": selectors.default_year(),
        },
    )


@login_required
def report_new(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code, is_active=True)
    units = _entry_units(request.user, indicator)
    if not units:
        raise PermissionDenied
    today = selectors.today()
    current = period_containing(day=today, kind=indicator.period_type)
    periods = [
        p
        for y in (today.year - 2, today.year - 1, today.year)
        for p in periods_of_year(year=y, kind=indicator.period_type)
        if p <= current
    ][::-1]
    form = ValueForm(
        request.POST or None,
        request.FILES or None,
        indicator=indicator,
        units=units,
        periods=periods,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            value = services.value_save(
                actor=request.user,
                indicator=indicator,
                org_unit=d["org_unit"],
                period=d["period"],
                value=d.get("value"),
                numerator=d.get("numerator"),
                denominator=d.get("denominator"),
                comment=d.get("comment") or "",
                evidence=[d["evidence"]] if d.get("evidence") else [],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errs in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errs)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Đã lưu số liệu. Kiểm tra rồi bấm “Gửi lãnh đạo duyệt”."))
            return redirect("monitoring:report", pk=value.pk)
    return render(request, "monitoring/report_form.html", {"indicator": indicator, "form": form})


def _visible_value(request: HttpRequest, pk: int) -> ReportedValue:
    value = get_object_or_404(
        ReportedValue.objects.select_related("indicator", "org_unit", "subject"), pk=pk
    )
    if not user_can(user=request.user, action="monitoring.view", org_unit=value.org_unit):
        raise PermissionDenied
    return value


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    value = _visible_value(request, pk)
    user = request.user
    can = {
        "enter": user_can(user=user, action="monitoring.report_enter", org_unit=value.org_unit),
        "approve": user_can(user=user, action="monitoring.report_approve", org_unit=value.org_unit),
        "accept": user_can(user=user, action="monitoring.report_accept", org_unit=value.org_unit),
    }
    revisions = list(
        ReportedValue.objects.filter(
            indicator=value.indicator,
            org_unit=value.org_unit,
            subject=value.subject,
            period=value.period,
        ).order_by("-revision")
    )
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "value": value,
            "can": can,
            "evidence": list(value.evidence.all()),
            "transitions": list(value.transitions.select_related("actor")),
            "revisions": revisions,
            "comment_form": CommentForm(),
            "evidence_form": EvidenceForm(),
        },
    )


ACTIONS = {
    "gui": ("submit", gettext_lazy("Đã gửi lãnh đạo đơn vị duyệt.")),
    "duyet": ("approve", gettext_lazy("Đã duyệt, chuyển Văn phòng chuyển đổi số tỉnh.")),
    "tiep-nhan": ("accept", gettext_lazy("Đã tiếp nhận; số liệu được khóa.")),
    "tra-lai": ("return", gettext_lazy("Đã trả lại kèm ý kiến.")),
    "dieu-chinh": ("correct", gettext_lazy("Đã mở bản sửa mới.")),
    "minh-chung": ("evidence", gettext_lazy("Đã thêm minh chứng.")),
}


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    value = _visible_value(request, pk)
    what, ok = ACTIONS[action]
    comment = request.POST.get("comment", "")
    try:
        if what == "submit":
            result = services.value_submit(actor=request.user, value=value)
        elif what == "approve":
            result = services.value_approve(actor=request.user, value=value)
        elif what == "accept":
            result = services.value_accept(actor=request.user, value=value)
        elif what == "return":
            result = services.value_return(actor=request.user, value=value, comment=comment)
        elif what == "correct":
            result = services.value_correct(actor=request.user, value=value, reason=comment)
        else:
            form = EvidenceForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError(_("Chưa chọn tệp minh chứng."))
            services.evidence_add(
                actor=request.user, value=value, upload=form.cleaned_data["evidence"]
            )
            result = value
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("monitoring:report", pk=value.pk)
    messages.success(request, ok)
    return redirect("monitoring:report", pk=result.pk)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    ev = get_object_or_404(Evidence.objects.select_related("value__org_unit"), pk=pk)
    if not user_can(user=request.user, action="monitoring.view", org_unit=ev.value.org_unit):
        raise PermissionDenied
    return FileResponse(
        ev.file.open("rb"),
        as_attachment=True,
        filename=ev.original_name,
        content_type=ev.content_type,
    )


@login_required
@require_GET
def late(request: HttpRequest) -> HttpResponse:
    if not user_can(user=request.user, action="monitoring.view"):
        raise PermissionDenied
    year = _int(request, "nam", selectors.today().year)
    rows = [
        e
        for e in selectors.reports_late(year=year)
        if user_can(user=request.user, action="monitoring.view", org_unit=e.unit)
    ]
    by_unit: dict[OrgUnit, list[selectors.Expected]] = {}
    for e in rows:
        by_unit.setdefault(e.unit, []).append(e)
    return render(
        request,
        "monitoring/late.html",
        {
            "by_unit": sorted(by_unit.items(), key=lambda kv: (-len(kv[1]), kv[0].name)),
            "year": year,
            "years": _years(),
        },
    )
