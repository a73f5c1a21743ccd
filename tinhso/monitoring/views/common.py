"""Shared by the monitoring pages: query parameters, the province, the years shown."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from tinhso.monitoring import selectors
from tinhso.monitoring.models import (
    ReportedValue,
)
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


# --- management pages: targets, tasks, population -----------------------------------------------


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _managed_unit(request: HttpRequest, units: list[OrgUnit], pk: int | None) -> OrgUnit:
    if pk is None:
        return units[0]
    for u in units:
        if u.pk == pk:
            return u
    raise PermissionDenied
