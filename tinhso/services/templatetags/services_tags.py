from __future__ import annotations

from decimal import Decimal

from django import template

from tinhso.services.guide import ProcedureGuide
from tinhso.services.guide import procedure_guide as guide_build
from tinhso.services.models import Procedure

register = template.Library()

_STATUS_CSS = {
    1: "warn",
    2: "",
    4: "",
    5: "warn",
    6: "warn",
    3: "bad",
    8: "bad",
    7: "",
    9: "ok",
    10: "ok",
}


@register.filter
def status_css(status: int) -> str:
    css = _STATUS_CSS.get(int(status or 0), "")
    return f"badge-{css}" if css else ""


@register.filter
def vnd(amount: int | Decimal | None) -> str:
    """1250000 → "1.250.000 ₫"."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " ₫"


@register.filter
def num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",")


# Action buttons by weight: the step forward is primary, a detour secondary, an ending that
# refuses or abandons the dossier destructive (issue 15: never the largest red button).
_DESTRUCTIVE = {"refuse", "reject", "withdraw", "stop", "cancel"}
_PRIMARY = {"receive", "assign", "forward", "approve", "return_result", "deliver_online", "paid"}


@register.filter
def action_weight(code: str) -> str:
    """The CSS class of an action's button: ``button-primary``, ``button-secondary`` or
    ``button-destructive``."""
    if code in _DESTRUCTIVE:
        return "button-destructive"
    if code in _PRIMARY:
        return "button-primary"
    return "button-secondary"


@register.simple_tag
def procedure_guide(procedure: Procedure) -> ProcedureGuide:
    """``{% procedure_guide procedure as guide %}``: the procedure's short guide."""
    return guide_build(procedure=procedure)


@register.filter
def stored_label(value: str) -> str:
    """A name stored in the platform's own words (a default process step or action, kept in
    Vietnamese in the database) in the reader's language, when the catalogue has it; a name
    an official typed stays as typed (``workflow.stored_label``)."""
    from tinhso.services.workflow import stored_label as label

    return label(value)
