"""Targets and their yearly path."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.monitoring.models import (
    Indicator,
    Target,
)
from tinhso.monitoring.services.common import _dec, _require, figures_changed
from tinhso.monitoring.stored import SOURCE_INTERPOLATED, stored_text
from tinhso.orgs.models import OrgUnit

# --- targets ------------------------------------------------------------------------------------

TARGET_YEARS = (2000, 2100)


COMPARATORS = (">=", ">", "<=", "<", "=")


def _year(value: Any, label: str = "year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {label: [_("“%(value)s” không phải là năm.") % {"value": value}]}
        ) from None
    if not TARGET_YEARS[0] <= year <= TARGET_YEARS[1]:
        raise ValidationError(
            {
                label: [
                    _("Năm phải trong khoảng %(first)s–%(last)s.")
                    % {"first": TARGET_YEARS[0], "last": TARGET_YEARS[1]}
                ]
            }
        )
    return year


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    org_unit: OrgUnit,
    year: int,
    value: Any,
    kind: str = Target.Kind.ENTERED,
    comparator: str = ">=",
    source: str = "",
    note: str = "",
    is_demo: bool = False,
) -> Target:
    """Set one year's target (or baseline) of an indicator for a unit. Entering a value over
    an interpolated year marks it "adjusted", so a later interpolation keeps it."""
    figures_changed()
    if actor is not None:
        _require(
            actor, "monitoring.target_manage", org_unit, _("Bạn không có quyền giao chỉ tiêu.")
        )
    year = _year(year)
    val = _dec(value, "value")
    if val is None:
        raise ValidationError({"value": [_("Chưa nhập giá trị chỉ tiêu.")]})
    if indicator.is_percent and not (0 <= val <= 100):
        raise ValidationError({"value": [_("Chỉ tiêu tỷ lệ phải trong khoảng 0–100%.")]})
    if val < 0:
        raise ValidationError({"value": [_("Giá trị chỉ tiêu không được âm.")]})
    if abs(val) >= Decimal(10) ** 12:
        raise ValidationError({"value": [_("Giá trị chỉ tiêu quá lớn.")]})
    if comparator not in COMPARATORS:
        raise ValidationError({"comparator": [_("Phép so sánh không hợp lệ.")]})
    if kind not in Target.Kind.values:
        raise ValidationError({"kind": [_("Loại chỉ tiêu không hợp lệ.")]})
    existing = (
        Target.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit, year=year)
        .first()
    )
    if (
        existing is not None
        and existing.kind in (Target.Kind.INTERPOLATED, Target.Kind.ADJUSTED)
        and kind == Target.Kind.ENTERED
    ):
        kind = Target.Kind.ADJUSTED
    target, _created = Target.objects.update_or_create(
        indicator=indicator,
        org_unit=org_unit,
        year=year,
        defaults={
            "value": val.quantize(Decimal("0.0001")),
            "kind": kind,
            "comparator": comparator,
            "source": source.strip()[:255],
            "note": note.strip()[:255],
            "is_demo": is_demo,
        },
    )
    audit_record(
        actor=actor,
        action="monitoring.target.set",
        obj=target,
        org_unit=org_unit,
        before={
            "value": str(existing.value),
            "kind": existing.kind,
            "comparator": existing.comparator,
        }
        if existing
        else None,
        after={
            "indicator": indicator.code,
            "unit": org_unit.code,
            "year": year,
            "value": str(val),
            "kind": kind,
            "comparator": comparator,
        },
    )
    return target


@transaction.atomic
def target_path_interpolate(
    *, actor: Any, indicator: Indicator, org_unit: OrgUnit, is_demo: bool = False
) -> list[Target]:
    """Fill the years between known points (baseline, entered or adjusted targets) linearly.
    Existing interpolated years are recomputed; entered and adjusted ones are kept.
    Returns the interpolated targets (empty when fewer than two known points are apart)."""
    figures_changed()
    if actor is not None:
        _require(
            actor, "monitoring.target_manage", org_unit, _("Bạn không có quyền giao chỉ tiêu.")
        )
    known = list(
        Target.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit)
        .exclude(kind=Target.Kind.INTERPOLATED)
        .order_by("year")
    )
    made: list[Target] = []
    for a, b in itertools.pairwise(known):
        span = b.year - a.year
        for year in range(a.year + 1, b.year):
            value = (a.value + (b.value - a.value) * Decimal(year - a.year) / span).quantize(
                Decimal("0.01")
            )
            t, _created = Target.objects.update_or_create(
                indicator=indicator,
                org_unit=org_unit,
                year=year,
                defaults={
                    "value": value,
                    "kind": Target.Kind.INTERPOLATED,
                    "comparator": b.comparator,
                    "source": stored_text(SOURCE_INTERPOLATED, start=a.year, end=b.year),
                    "is_demo": is_demo,
                },
            )
            made.append(t)
    if made:
        audit_record(
            actor=actor,
            action="monitoring.target.interpolate",
            object_type="monitoring.target",
            org_unit=org_unit,
            extra={
                "indicator": indicator.code,
                "unit": org_unit.code,
                "path": {t.year: str(t.value) for t in made},
            },
        )
    return made
