"""Org units over the API: the public hierarchy on a date."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tinhso.apierrors import ApiError
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_list, orgunit_subtree

router = Router(tags=["orgs"])


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    level: int
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None


@router.get("/units", response=list[OrgUnitOut], summary="Đơn vị có hiệu lực vào một ngày")
def units(
    request: HttpRequest, on: dt.date | None = None, under: str | None = None
) -> list[OrgUnit]:
    if under:
        root = orgunit_list(on=on).filter(code=under).first()
        if root is None:
            raise ApiError(
                "unit_not_found",
                _("Không có đơn vị mã %(code)s vào ngày đã chọn.") % {"code": under},
                status=404,
            )
        return list(orgunit_subtree(unit=root, on=on))
    return list(orgunit_list(on=on)[:2000])
