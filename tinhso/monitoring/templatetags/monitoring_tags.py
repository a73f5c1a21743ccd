"""Vietnamese number formatting: 1.234.567,8 · 75,5% · 1.250.000 ₫."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


def vn_number(value: Any, decimals: int = 0) -> str:
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    q = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    d = d.quantize(q, rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sign + ".".join(groups)
    if decimals and frac:
        frac = frac.rstrip("0")
        if frac:
            out += "," + frac
    return out


@register.filter
def vn(value: Any, decimals: int = 0) -> str:
    return vn_number(value, int(decimals))


@register.filter
def vnd(value: Any) -> str:
    return "—" if value is None else f"{vn_number(value)} ₫"


@register.filter
def ind_value(value: Any, unit: str) -> str:
    """A value in the indicator's unit of measure."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{vn_number(value, 1)}%"
    if unit == "vnd":
        return vnd(value)
    if unit == "points":
        return vn_number(value, 2)
    return vn_number(value, 1)


@register.filter
def score(value: Any) -> str:
    """0–1 scale with 4 decimals, Vietnamese comma."""
    return "—" if value is None else vn_number(value, 4)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def value_status(code: str) -> str:
    """A reported value's status, stored in its history as the key (``accepted``), named in
    the reader's language; an unknown key is shown as it is."""
    from tinhso.monitoring.models import ReportedValue

    try:
        return str(ReportedValue.Status(code).label)
    except ValueError:
        return code
