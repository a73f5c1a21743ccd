from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.permissions import user_can, user_units
from tinhso.monitoring import rollup, selectors, services
from tinhso.monitoring.excel import report_import, report_workbook
from tinhso.monitoring.forms import CommentForm, EvidenceForm, ImportForm, TaskUpdateForm, ValueForm
from tinhso.monitoring.methodologies import DTI922, QD766
from tinhso.monitoring.models import (
    ComponentResult,
    Evidence,
    IndexResult,
    Indicator,
    Methodology,
    PlanTask,
    ReportedValue,
)
from tinhso.monitoring.pdfreport import report_pdf
from tinhso.monitoring.periods import period_containing, periods_of_year
from tinhso.monitoring.svgmap import district_map_svg, legend
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_roots

S = ReportedValue.Status


def _int(request: HttpRequest, name: str, default: int) -> int:
    try:
        return int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default


def _day(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("ngay", ""))
    except ValueError:
        return None


def _province(on: dt.date | None) -> OrgUnit:
    roots = list(orgunit_roots(on=on or selectors.today()).order_by("code")[:1])
    if not roots:
        raise Http404(_("Chưa có đơn vị hành chính."))
    return roots[0]


def _years() -> list[int]:
    return list(range(2022, max(selectors.today().year, 2025) + 1))


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    on = _day(request)
    year = _int(request, "nam", selectors.default_year())
    province = _province(on)
    blocks = selectors.overview(unit=province, year=year, on=on)
    trend_end = dt.date(year, 12, 31)
    trend = selectors.trends(
        unit=province, start=dt.date(year - 1, 1, 1), end=trend_end, on=on or trend_end
    )
    dti = Methodology.objects.filter(code=DTI922).first()
    period = str(year)
    district_rows = (
        list(selectors.index_results(methodology=dti, period=period, group="district"))
        if dti
        else []
    )
    scores = {r.org_unit.code: r.score for r in district_rows}
    recent = list(
        ReportedValue.objects.filter(status=S.ACCEPTED, subject__path__startswith=province.path)
        .exclude(accepted_at=None)
        .select_related("indicator", "org_unit")
        .order_by("-accepted_at")[:8]
    )
    return render(
        request,
        "monitoring/overview.html",
        {
            "province": province,
            "year": year,
            "years": _years(),
            "blocks": blocks,
            "trend": trend,
            "trend_rows": list(
                zip(
                    trend["labels"],
                    *(trend["series"][k]["values"] for k in selectors.TREND_METRICS),
                    strict=True,
                )
            ),
            "trend_names": [trend["series"][k]["label"] for k in selectors.TREND_METRICS],
            "map_svg": district_map_svg(
                scores=scores, title=_("Bản đồ chỉ số DTI các huyện, thị xã, thành phố")
            ),
            "legend": legend(),
            "district_rows": district_rows,
            "dti": dti,
            "recent": recent,
            "on": on,
        },
    )


@require_GET
def unit_page(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=pk)
    year = _int(request, "nam", selectors.default_year())
    blocks = selectors.overview(unit=unit, year=year)
    can_view = user_can(user=request.user, action="monitoring.view", org_unit=unit)
    values = (
        list(
            ReportedValue.objects.filter(org_unit=unit, year=year, is_current=True)
            .select_related("indicator")
            .order_by("indicator__code", "period")
        )
        if can_view
        else []
    )
    return render(
        request,
        "monitoring/unit.html",
        {
            "unit": unit,
            "year": year,
            "years": _years(),
            "blocks": blocks,
            "tasks": list(selectors.task_list(unit=unit).filter(year__gte=year - 1)),
            "values": values,
            "can_view": can_view,
            "ranks": selectors.unit_rank(unit=unit, period=str(year)),
            "today": selectors.today(),
        },
    )


@require_GET
def ranking(request: HttpRequest, code: str) -> HttpResponse:
    methodology = get_object_or_404(Methodology, code=code)
    period = request.GET.get("nam") or selectors.index_latest_period(methodology=methodology) or ""
    results = list(selectors.index_results(methodology=methodology, period=period))
    groups: dict[str, list[IndexResult]] = {}
    for r in results:
        groups.setdefault(r.group, []).append(r)
    mains = list(methodology.main_indicators.prefetch_related("components"))
    return render(
        request,
        "monitoring/ranking.html",
        {
            "methodology": methodology,
            "methodologies": Methodology.objects.all(),
            "period": period,
            "groups": [(selectors.GROUP_LABELS.get(g, g), rows) for g, rows in groups.items()],
            "mains": mains,
            "years": _years(),
        },
    )


@require_GET
def index_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(IndexResult.objects.select_related("methodology", "org_unit"), pk=pk)
    comps = list(
        ComponentResult.objects.filter(result=result)
        .select_related("component__main", "evidence_value")
        .prefetch_related(Prefetch("evidence_value__evidence", queryset=Evidence.objects.all()))
    )
    by_main: dict[Any, list[ComponentResult]] = {}
    for c in comps:
        by_main.setdefault(c.component.main, []).append(c)
    mains = [(m, rows, sum(r.points for r in rows)) for m, rows in by_main.items()]
    return render(
        request,
        "monitoring/index_detail.html",
        {
            "result": result,
            "mains": mains,
            "can_view": user_can(
                user=request.user, action="monitoring.view", org_unit=result.org_unit
            ),
        },
    )


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    """Public: the Decision 766 index and on-time rate of every unit."""
    m = Methodology.objects.filter(code=QD766).first()
    period = request.GET.get("nam") or (selectors.index_latest_period(methodology=m) if m else "")
    results = list(selectors.index_results(methodology=m, period=period)) if m and period else []
    ontime = {}
    if results:
        comps = ComponentResult.objects.filter(
            result__in=results, component__metric="on_time"
        ).values_list("result_id", "raw_value")
        ontime = dict(comps)
    groups: dict[str, list[tuple[IndexResult, Any]]] = {}
    for r in results:
        groups.setdefault(r.group, []).append((r, ontime.get(r.pk)))
    return render(
        request,
        "monitoring/transparency.html",
        {
            "methodology": m,
            "period": period,
            "groups": [(selectors.GROUP_LABELS.get(g, g), rows) for g, rows in groups.items()],
            "years": _years(),
        },
    )


@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    year = _int(request, "nam", 0) or None
    rows = list(selectors.task_list(year=year))
    return render(
        request,
        "monitoring/tasks.html",
        {"tasks": rows, "year": year, "years": _years(), "today": selectors.today()},
    )


@login_required
@require_POST
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(PlanTask, pk=pk)
    form = TaskUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.task_update(
                actor=request.user,
                task=task,
                status=form.cleaned_data["status"],
                progress=form.cleaned_data["progress"],
            )
            messages.success(request, _("Đã cập nhật nhiệm vụ."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("Dữ liệu không hợp lệ."))
    return redirect(request.POST.get("next") or reverse("monitoring:unit", args=[task.org_unit_id]))


# --- reports --------------------------------------------------------------------------------


def _entry_units(user: Any, indicator: Indicator) -> list[OrgUnit]:
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


@require_GET
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.prefetch_related("responsible_units"), code=code
    )
    province = _province(None)
    return render(
        request,
        "monitoring/indicator.html",
        {
            "indicator": indicator,
            "province": province,
            "path": selectors.target_path(indicator=indicator, unit=province),
            "metric_name": rollup.METRIC_NAMES.get(indicator.computation, ""),
        },
    )
