"""JSON API of the monitoring app (mounted by tinhso.api at /api/v1/monitoring)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from tinhso.accounts.permissions import scope_q
from tinhso.apierrors import ApiError
from tinhso.monitoring.models import (
    ComponentResult,
    IndexResult,
    Indicator,
    Methodology,
    ReportedValue,
    Target,
)

router = Router(tags=["monitoring"])


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    pillar: str
    unit: str
    direction: str
    method: str
    scope: str
    period_type: str
    numerator_label: str
    denominator_label: str
    factor: Decimal
    legal_source: str
    responsible_units: list[str]


class TargetOut(Schema):
    indicator: str
    org_unit: str
    year: int
    value: Decimal
    comparator: str
    kind: str
    source: str


class ValueOut(Schema):
    id: int
    indicator: str
    org_unit: str
    subject: str
    period: str
    revision: int
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    accepted_at: dt.datetime | None


class ComponentOut(Schema):
    code: str
    name: str
    rule: str
    max_points: Decimal
    raw_value: Decimal | None
    points: Decimal
    detail: str
    measured: bool
    basis: str
    definition: str
    source: str


class IndexResultOut(Schema):
    id: int
    methodology: str
    org_unit: str
    org_unit_name: str
    period: str
    group: str
    points: Decimal
    score: Decimal
    rank: int | None
    measured_max: Decimal | None


class IndexDetailOut(IndexResultOut):
    components: list[ComponentOut]


def _indicator(code: str) -> Indicator:
    ind = Indicator.objects.filter(code=code).first()
    if ind is None:
        raise ApiError(
            "indicator_not_found", _("Không có chỉ tiêu mã %(code)s.") % {"code": code}, status=404
        )
    return ind


@router.get("/indicators", response=list[IndicatorOut], summary="Danh mục chỉ tiêu")
def indicators(request: HttpRequest, pillar: str | None = None) -> list[dict]:
    qs = Indicator.objects.filter(is_active=True).prefetch_related("responsible_units")
    if pillar:
        qs = qs.filter(pillar=pillar)
    return [
        {
            **{f: getattr(i, f) for f in IndicatorOut.model_fields if f != "responsible_units"},
            "responsible_units": [u.code for u in i.responsible_units.all()],
        }
        for i in qs
    ]


@router.get("/indicators/{code}", response=IndicatorOut, summary="Một chỉ tiêu")
def indicator(request: HttpRequest, code: str) -> dict:
    i = _indicator(code)
    return {
        **{f: getattr(i, f) for f in IndicatorOut.model_fields if f != "responsible_units"},
        "responsible_units": [u.code for u in i.responsible_units.all()],
    }


@router.get("/targets", response=list[TargetOut], summary="Chỉ tiêu giao theo năm và đơn vị")
def targets(
    request: HttpRequest,
    indicator: str | None = None,
    unit: str | None = None,
    year: Annotated[int, Field(ge=1900, le=2200)] | None = None,
) -> list[dict]:
    qs = Target.objects.select_related("indicator", "org_unit")
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if unit:
        qs = qs.filter(org_unit__code=unit)
    if year:
        qs = qs.filter(year=year)
    return [
        {
            "indicator": t.indicator.code,
            "org_unit": t.org_unit.code,
            "year": t.year,
            "value": t.value,
            "comparator": t.comparator,
            "kind": t.kind,
            "source": t.source,
        }
        for t in qs[:5000]
    ]


@router.get(
    "/values",
    response=list[ValueOut],
    summary="Số liệu báo cáo (công khai: đã tiếp nhận; cán bộ: mọi trạng thái trong phạm vi)",
)
def values(
    request: HttpRequest,
    indicator: str | None = None,
    unit: str | None = None,
    year: Annotated[int, Field(ge=1900, le=2200)] | None = None,
    status: str | None = None,
) -> list[dict]:
    qs = ReportedValue.objects.select_related("indicator", "org_unit", "subject")
    if request.user.is_authenticated:
        from django.db.models import Q

        qs = qs.filter(
            Q(status=ReportedValue.Status.ACCEPTED) | scope_q(request.user, "monitoring.view")
        )
    else:
        qs = qs.filter(status=ReportedValue.Status.ACCEPTED)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if unit:
        qs = qs.filter(org_unit__code=unit)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return [
        {
            "id": v.pk,
            "indicator": v.indicator.code,
            "org_unit": v.org_unit.code,
            "subject": v.subject.code,
            "period": v.period,
            "revision": v.revision,
            "value": v.value,
            "numerator": v.numerator,
            "denominator": v.denominator,
            "status": v.status,
            "accepted_at": v.accepted_at,
        }
        for v in qs.order_by("indicator__code", "org_unit__code", "period", "revision")[:5000]
    ]


def _result(r: IndexResult) -> dict:
    return {
        "id": r.pk,
        "methodology": r.methodology.code,
        "org_unit": r.org_unit.code,
        "org_unit_name": r.org_unit.name,
        "period": r.period,
        "group": r.group,
        "points": r.points,
        "score": r.score,
        "rank": r.rank,
        "measured_max": r.measured_max,
    }


@router.get("/index-results", response=list[IndexResultOut], summary="Kết quả chỉ số, xếp hạng")
def index_results(
    request: HttpRequest,
    methodology: str = "QD766-2024",
    period: str | None = None,
    group: str | None = None,
) -> list[dict]:
    m = Methodology.objects.filter(code=methodology).first()
    if m is None:
        raise ApiError(
            "methodology_not_found",
            _("Không có bộ chỉ số %(code)s.") % {"code": methodology},
            status=404,
        )
    qs = IndexResult.objects.filter(methodology=m).select_related("methodology", "org_unit")
    if period:
        qs = qs.filter(period=period)
    if group:
        qs = qs.filter(group=group)
    return [_result(r) for r in qs.order_by("period", "group", "rank")]


@router.get("/index-results/{pk}", response=IndexDetailOut, summary="Chi tiết điểm thành phần")
def index_result(request: HttpRequest, pk: int) -> dict:
    r = IndexResult.objects.filter(pk=pk).select_related("methodology", "org_unit").first()
    if r is None:
        raise ApiError("not_found", _("Không tìm thấy kết quả."), status=404)
    comps = ComponentResult.objects.filter(result=r).select_related("component")
    return {
        **_result(r),
        "components": [
            {
                "code": c.component.code,
                "name": c.component.name,
                "rule": c.component.rule,
                "max_points": c.component.max_points,
                "raw_value": c.raw_value,
                "points": c.points,
                "detail": c.detail,
                "measured": c.measured,
                "basis": c.component.basis,
                "definition": c.component.definition,
                "source": c.component.source,
            }
            for c in comps
        ],
    }
