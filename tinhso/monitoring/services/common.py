"""Helpers shared by the monitoring writes: permission, numbers, snapshots, the units a value
describes, cache invalidation."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.monitoring.models import (
    Indicator,
    ReportedValue,
)
from tinhso.monitoring.selectors import FIGURES_VERSION_KEY
from tinhso.orgs.models import OrgUnit

S = ReportedValue.Status


logger = logging.getLogger("tinhso.monitoring.services")


def _require(user: AnyUser, action: str, unit: OrgUnit, message: str) -> None:
    if not user_can(user=user, action=action, org_unit=unit):
        raise PermissionDenied(message)


def _dec(value: Any, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        text = str(value).strip().replace(" ", "")
        if isinstance(value, str) and "," in text:
            text = text.replace(".", "").replace(",", ".")  # Vietnamese 1.234,5
        return Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {label: _("“%(value)s” không phải là số.") % {"value": value}}
        ) from None


def _snapshot(v: ReportedValue) -> dict[str, Any]:
    return {
        "indicator": v.indicator.code,
        "org_unit": v.org_unit.code,
        "subject": v.subject.code,
        "period": v.period,
        "revision": v.revision,
        "value": str(v.value),
        "numerator": None if v.numerator is None else str(v.numerator),
        "denominator": None if v.denominator is None else str(v.denominator),
        "status": v.status,
    }


def subject_for(*, indicator: Indicator, org_unit: OrgUnit) -> OrgUnit:
    """The unit a value describes: the province for province-wide statistics."""
    if indicator.scope == Indicator.Scope.PROVINCE:
        root_id = int(org_unit.path.strip("/").split("/")[0])
        return OrgUnit.objects.get(pk=root_id)
    return org_unit


# --- the approval workflow ----------------------------------------------------------------------


def figures_changed() -> None:
    """After the current transaction commits, make cached dashboard figures stale
    (selectors.dashboard_figures): a new version number in the cache."""

    def bump() -> None:
        try:
            try:
                cache.incr(FIGURES_VERSION_KEY)
            except ValueError:  # not set yet
                cache.set(FIGURES_VERSION_KEY, 1, None)
        except Exception:  # the cache is an optimisation; entries expire by themselves
            logger.warning("dashboard cache version not bumped", exc_info=True)

    transaction.on_commit(bump)
