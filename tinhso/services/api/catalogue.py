"""The catalogue: procedure search and a procedure's details."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext
from pydantic import Field

from tinhso.apierrors import ApiError, Id, Offset
from tinhso.services.api.base import router
from tinhso.services.api.schemas import ProcedureDetailOut, ProcedurePage
from tinhso.services.applying import procedure_applicant_kinds
from tinhso.services.models import Procedure
from tinhso.services.procedure_page import legal_basis_documents
from tinhso.services.selectors import (
    procedure_agency_units,
    procedure_get,
    procedure_search,
)


def _procedure_out(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field.name if p.field else None,
        "levels": p.level_list,
        "service_class": p.service_class,
    }


@router.get("/procedures", response=ProcedurePage, summary="Tìm thủ tục hành chính")
def procedures(
    request: HttpRequest,
    q: str = "",
    field_id: Id | None = None,
    level: str = "",
    org_unit_id: Id | None = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    qs = procedure_search(q=q, field_id=field_id, level=level, org_unit_id=org_unit_id)
    return {
        "count": qs.count(),
        "items": [_procedure_out(p) for p in qs[offset : offset + limit]],
    }


@router.get("/procedures/{code}", response=ProcedureDetailOut, summary="Chi tiết thủ tục")
def procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    from tinhso.services.eform import eform_fields

    try:
        p = procedure_get(code=code)
    except Procedure.DoesNotExist as exc:
        raise ApiError(
            "procedure_not_found", gettext("Không tìm thấy thủ tục."), status=404
        ) from exc
    return {
        **_procedure_out(p),
        "applicants": p.applicants,
        "applicant_kinds": sorted(procedure_applicant_kinds(procedure=p)),
        "result": p.result_name,
        "legal_basis": p.legal_basis,
        "legal_documents": [
            {"name": d.name, "code": d.code} for d in legal_basis_documents(p.legal_basis)
        ],
        "channels": [
            {
                "channel": c.channel,
                "channel_label": c.get_channel_display(),
                "time_value": float(c.time_value) if c.time_value is not None else None,
                "time_unit": c.time_unit,
                "fee_amount": c.fee_amount,
                "fee_currency": c.fee_currency,
                "fee_is_free": c.fee_is_free,
                "fee_per_copy": c.fee_per_copy,
                "time_label": c.time_label,
            }
            for c in p.channels.all()
        ],
        "parts": [
            {
                "id": x.pk,
                "name": x.name,
                "required": x.required,
                "copies": x.copies,
                "accepted_types": x.type_list,
            }
            for x in p.parts.all()
        ],
        "form": [
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "required": f.required,
                "choices": f.choices,
            }
            for f in eform_fields(procedure=p)
        ],
        "agencies": [
            {"id": u.pk, "code": u.code, "name": u.agency_name}
            for u in procedure_agency_units(procedure=p)
        ],
    }
