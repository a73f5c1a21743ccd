"""Management pages: plan tasks, targets, population."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.permissions import user_can, user_roles
from tinhso.forms import form_errors_apply
from tinhso.monitoring import selectors, services
from tinhso.monitoring.forms import (
    TargetForm,
    TaskForm,
    TaskUpdateForm,
)
from tinhso.monitoring.models import (
    Indicator,
    PlanTask,
    Target,
)
from tinhso.monitoring.views.common import _errors, _int, _managed_unit, _years
from tinhso.orgs.models import OrgUnit


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
            form_errors_apply(form, exc)
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
            form_errors_apply(form, exc)
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
                form_errors_apply(form, exc)
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
