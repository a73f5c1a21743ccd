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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.permissions import user_can, user_roles, user_units
from tinhso.accounts.usertypes import AnyUser
from tinhso.monitoring import rollup, selectors, services
from tinhso.monitoring.excel import report_import, report_workbook
from tinhso.monitoring.forms import (
    CommentForm,
    EvidenceForm,
    ImportForm,
    TargetForm,
    TaskForm,
    TaskUpdateForm,
    ValueForm,
)
from tinhso.monitoring.methodologies import QD766
from tinhso.monitoring.models import (
    ComponentResult,
    Evidence,
    IndexResult,
    Indicator,
    Methodology,
    PlanTask,
    ReportedValue,
    Target,
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
    figures = selectors.dashboard_figures(unit=province, year=year, on=on)
    scores = {r.org_unit.code: r.score for r in figures.district_rows}
    return render(
        request,
        "monitoring/overview.html",
        {
            "province": province,
            "year": year,
            "years": _years(),
            "blocks": figures.blocks,
            "trend": figures.trend,
            "trend_rows": figures.trend_rows,
            "trend_names": figures.trend_names,
            "map_svg": district_map_svg(
                scores=scores, title=_("Bản đồ chỉ số DTI các huyện, thị xã, thành phố")
            ),
            "legend": legend(),
            "district_rows": figures.district_rows,
            "dti": figures.dti,
            "recent": figures.recent,
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
    mains = [(m, rows, sum(r.points for r in rows if r.measured)) for m, rows in by_main.items()]
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
    period = request.GET.get("nam") or str(selectors.default_year())
    results = list(selectors.index_results(methodology=m, period=period)) if m and period else []
    ontime = {}
    if results:
        comps = ComponentResult.objects.filter(
            result__in=results, component__metric__in=["on_time", "on_time_766"]
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
    overdue_only = request.GET.get("qua-han") == "1"
    rows = list(selectors.task_list(year=year, overdue=overdue_only))
    user = request.user
    mine = (
        list(selectors.tasks_overdue_for_head(user=user))
        if user.is_authenticated and "head" in user_roles(user)
        else []
    )
    return render(
        request,
        "monitoring/tasks.html",
        {
            "tasks": rows,
            "year": year,
            "years": _years(),
            "today": selectors.today(),
            "overdue_only": overdue_only,
            "my_overdue": mine,
            "can_manage": user_can(user=user, action="monitoring.task_manage"),
        },
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
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Đã cập nhật nhiệm vụ."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, "; ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("monitoring:task", pk=task.pk)


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
    years = selectors.indicator_years()
    year = _int(request, "nam", selectors.default_year())
    units = selectors.indicator_units(indicator=indicator, province=province)
    return render(
        request,
        "monitoring/indicator.html",
        {
            "indicator": indicator,
            "province": province,
            "year": year,
            "years": years,
            "history": selectors.indicator_history(indicator=indicator, unit=province, years=years),
            "by_unit": selectors.indicator_by_unit(
                indicator=indicator, units=units, year=year, province=province
            ),
            "path": selectors.target_path(indicator=indicator, unit=province),
            "metric_name": rollup.METRIC_NAMES.get(indicator.computation, ""),
        },
    )


# --- management pages: targets, tasks, population -----------------------------------------------


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _managed_unit(request: HttpRequest, units: list[OrgUnit], pk: int | None) -> OrgUnit:
    if pk is None:
        return units[0]
    for u in units:
        if u.pk == pk:
            return u
    raise PermissionDenied


@login_required
@require_GET
def targets(request: HttpRequest) -> HttpResponse:
    """Targets per indicator for one unit (the DX office: any unit; a head: their own)."""
    units = selectors.units_managed(user=request.user, action="monitoring.target_manage")
    if not units:
        raise PermissionDenied
    unit = _managed_unit(request, units, _int(request, "don-vi", 0) or None)
    rows = selectors.targets_summary(unit=unit, indicators=list(selectors.indicator_list()))
    return render(
        request,
        "monitoring/targets.html",
        {"unit": unit, "units": units, "rows": rows},
    )


@login_required
def target_edit(request: HttpRequest, unit_pk: int, code: str) -> HttpResponse:
    """One indicator's yearly path for a unit: set a year, interpolate, adjust a year."""
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    indicator = get_object_or_404(Indicator, code=code)
    if not user_can(user=request.user, action="monitoring.target_manage", org_unit=unit):
        raise PermissionDenied
    form = TargetForm(
        request.POST if request.POST.get("action") == "set" else None,
        initial={"year": 2025, "comparator": ">=", "kind": Target.Kind.ENTERED},
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "interpolate":
                made = services.target_path_interpolate(
                    actor=request.user, indicator=indicator, org_unit=unit
                )
                if made:
                    messages.success(
                        request,
                        _("Đã nội suy lộ trình cho các năm: %(years)s.")
                        % {"years": ", ".join(str(t.year) for t in made)},
                    )
                else:
                    messages.error(
                        request,
                        _(
                            "Chưa nội suy được: cần ít nhất hai năm đã có giá trị nền hoặc "
                            "chỉ tiêu, cách nhau hơn một năm."
                        ),
                    )
                return redirect(request.path)
            if form.is_valid():
                d = form.cleaned_data
                t = services.target_set(
                    actor=request.user,
                    indicator=indicator,
                    org_unit=unit,
                    year=d["year"],
                    value=d["value"],
                    kind=d["kind"],
                    comparator=d["comparator"],
                    source=d["source"],
                    note=d["note"],
                )
                messages.success(
                    request,
                    _("Đã lưu chỉ tiêu năm %(year)s (%(kind)s).")
                    % {"year": t.year, "kind": t.get_kind_display()},
                )
                return redirect(request.path)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(
        request,
        "monitoring/target_edit.html",
        {
            "unit": unit,
            "indicator": indicator,
            "path": selectors.target_path_years(indicator=indicator, unit=unit),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _task_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> TaskForm:
    return TaskForm(
        data,
        units=selectors.units_managed(user=request.user, action="monitoring.task_manage"),
        heads=selectors.heads_managed(user=request.user, action="monitoring.task_manage"),
        indicators=selectors.indicator_list(),
        **kwargs,
    )


def _task_fields(form: TaskForm) -> dict[str, Any]:
    d = form.cleaned_data
    head = form.heads.get(d["head"]) if d.get("head") else None
    return {
        "year": d["year"],
        "title": d["title"],
        "org_unit": d["org_unit"],
        "deadline": d["deadline"],
        "head": head,
        "indicators": list(d["indicators"]),
        "source": d["source"],
        "note": d["note"],
    }


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    if not user_can(user=request.user, action="monitoring.task_manage"):
        raise PermissionDenied
    today = selectors.today()
    form = _task_form(request, request.POST or None, initial={"year": today.year, "deadline": None})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=request.user, **_task_fields(form))
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("org_unit", str(exc))
        else:
            messages.success(request, _("Đã giao nhiệm vụ."))
            return redirect("monitoring:task", pk=task.pk)
    return render(
        request,
        "monitoring/task_form.html",
        {"form": form, "task": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        PlanTask.objects.select_related("org_unit", "head").prefetch_related("indicators"),
        pk=pk,
    )
    user = request.user
    can_manage = user_can(user=user, action="monitoring.task_manage", org_unit=task.org_unit)
    can_update = user_can(user=user, action="monitoring.task_update", org_unit=task.org_unit)
    form = None
    if can_manage:
        form = _task_form(
            request,
            request.POST if request.method == "POST" else None,
            initial={
                "year": task.year,
                "title": task.title,
                "org_unit": task.org_unit_id,
                "head": task.head_id,
                "deadline": task.deadline,
                "indicators": [i.pk for i in task.indicators.all()],
                "source": task.source,
                "note": task.note,
            },
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.task_edit(actor=user, task=task, **_task_fields(form))
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("org_unit", str(exc))
            else:
                messages.success(request, _("Đã lưu thay đổi nhiệm vụ."))
                return redirect("monitoring:task", pk=task.pk)
    return render(
        request,
        "monitoring/task_detail.html",
        {
            "task": task,
            "form": form,
            "update_form": TaskUpdateForm(
                initial={"status": task.status, "progress": task.progress},
                auto_id="update_%s",
            )
            if can_update
            else None,
            "overdue": selectors.task_is_overdue(task),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def population(request: HttpRequest) -> HttpResponse:
    """Population per administrative unit and year (the DX office)."""
    if not user_can(user=request.user, action="monitoring.population_manage"):
        raise PermissionDenied
    year = _int(request, "nam", selectors.today().year)
    if request.method == "POST":
        try:
            year = int(request.POST.get("nam", ""))
        except ValueError:
            raise Http404 from None
    units = selectors.population_units(user=request.user, year=year)
    if not units:
        raise PermissionDenied
    errors: list[str] = []
    rows = []
    for u, pop in units:
        if request.method == "POST":
            values: dict[str, Any] = {
                k: request.POST.get(f"{k}-{u.pk}", "") for k in ("total", "adults", "source")
            }
        else:
            values = {
                "total": pop.total if pop else "",
                "adults": pop.adults if pop else "",
                "source": pop.source if pop else "",
            }
        rows.append({"unit": u, "pop": pop, **values})
    if request.method == "POST":
        try:
            saved = services.population_save(
                actor=request.user,
                year=year,
                rows=[
                    {
                        "org_unit": r["unit"],
                        "total": r["total"],
                        "adults": r["adults"],
                        "source": r["source"],
                    }
                    for r in rows
                ],
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request,
                _("Đã lưu dân số năm %(year)s của %(n)d đơn vị.") % {"year": year, "n": len(saved)},
            )
            return redirect(f"{reverse('monitoring:population')}?nam={year}")
    return render(
        request,
        "monitoring/population.html",
        {
            "rows": rows,
            "year": year,
            "years": list(range(2020, max(selectors.today().year, 2025) + 2)),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
