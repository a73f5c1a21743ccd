"""Public pages: the overview, a unit, rankings, the index, transparency, an indicator."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.accounts.permissions import user_can
from tinhso.monitoring import rollup, selectors
from tinhso.monitoring.methodologies import QD766
from tinhso.monitoring.models import (
    ComponentResult,
    Evidence,
    IndexResult,
    Indicator,
    Methodology,
    ReportedValue,
)
from tinhso.monitoring.svgmap import district_map_svg, legend
from tinhso.monitoring.views.common import _day, _int, _province, _years
from tinhso.orgs.models import OrgUnit


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
