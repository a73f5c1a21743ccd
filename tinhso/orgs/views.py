from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import (
    orgunit_ancestors,
    orgunit_children,
    orgunit_predecessors,
    orgunit_roots,
    orgunit_successors,
    today,
)


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("ngay", ""))
    except ValueError:
        return today()


@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    return render(
        request, "orgs/tree.html", {"roots": orgunit_roots(on=day).order_by("code"), "day": day}
    )


@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=pk)
    day = _day(request)
    return render(
        request,
        "orgs/detail.html",
        {
            "unit": unit,
            "day": day,
            "ancestors": orgunit_ancestors(unit=unit),
            "children": orgunit_children(
                unit=unit, on=day if unit.is_valid_on(day) else unit.valid_from
            ).order_by("code"),
            "successors": orgunit_successors(unit=unit) if unit.valid_to else [],
            "predecessors": orgunit_predecessors(unit=unit),
        },
    )
