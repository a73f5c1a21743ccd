from django import template

from tinhso.payments.receipts import amount_in_words, format_vnd

register = template.Library()


@register.filter
def vnd(value: object) -> str:
    """1250000 → 1.250.000 ₫"""
    try:
        return format_vnd(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""


@register.filter
def vnd_words(value: object) -> str:
    try:
        return amount_in_words(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
