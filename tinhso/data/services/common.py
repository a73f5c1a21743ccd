"""Helpers shared by the data app's writes: the permission check and dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import user_can
from tinhso.data import permissions as _permissions  # noqa: F401 (registers the actions)
from tinhso.orgs.models import OrgUnit


def _require(actor: Any, action: str, org_unit: OrgUnit) -> None:
    """``actor=None`` is the system (commands, demo loader); a user needs the permission."""
    if actor is None:
        return
    if not user_can(user=actor, action=action, org_unit=org_unit):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với đơn vị này."))


def _vn_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
