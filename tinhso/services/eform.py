"""E-forms: a procedure's typed fields → a Django form (for pages) and validation (for all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _

from tinhso.services.models import FormField, Procedure

_ID = RegexValidator(r"^\d{12}$", _("Số định danh cá nhân gồm 12 chữ số."))
_PHONE = RegexValidator(r"^0\d{9,10}$", _("Số điện thoại không hợp lệ."))


def _django_field(f: FormField) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help_text}
    if f.kind == FormField.Kind.TEXTAREA:
        return forms.CharField(widget=forms.Textarea, max_length=f.max_length or 4000, **common)
    if f.kind == FormField.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if f.kind == FormField.Kind.NUMBER:
        return forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, **common)
    if f.kind == FormField.Kind.CHOICE:
        choices = [("", "—")] + [(c, c) for c in f.choices]
        return forms.ChoiceField(choices=choices, **common)
    if f.kind == FormField.Kind.CITIZEN_ID:
        return forms.CharField(max_length=12, validators=[_ID], **common)
    if f.kind == FormField.Kind.PHONE:
        return forms.CharField(max_length=11, validators=[_PHONE], **common)
    if f.kind == FormField.Kind.EMAIL:
        return forms.EmailField(**common)
    return forms.CharField(max_length=f.max_length or 255, **common)


def eform_fields(*, procedure: Procedure) -> list[FormField]:
    fields = list(procedure.form_fields.all())
    if not fields:  # every procedure has at least a free-text request
        fields = [
            FormField(
                name="noi_dung",
                label=_("Nội dung yêu cầu"),
                kind=FormField.Kind.TEXTAREA,
                required=True,
            )
        ]
    return fields


def eform_form_class(*, procedure: Procedure) -> type[forms.Form]:
    attrs = {f"f_{f.name}": _django_field(f) for f in eform_fields(procedure=procedure)}
    return type("EForm", (forms.Form,), attrs)


def eform_validate(*, procedure: Procedure, data: dict[str, Any]) -> dict[str, str]:
    """Validate applicant-entered values; returns cleaned values as strings keyed by field
    name, or raises ``ValidationError`` with one message per bad field."""
    form = eform_form_class(procedure=procedure)(
        data={f"f_{k}": v for k, v in (data or {}).items()}
    )
    if not form.is_valid():
        raise ValidationError(
            {k.removeprefix("f_"): [str(e) for e in errs] for k, errs in form.errors.items()}
        )
    cleaned: dict[str, str] = {}
    for key, value in form.cleaned_data.items():
        name = key.removeprefix("f_")
        if value in (None, ""):
            continue
        cleaned[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return cleaned


def _display_value(f: FormField, value: Any) -> str:
    """A stored answer as people read it: dates dd/mm/yyyy (stored ISO, yyyy-mm-dd)."""
    text = "" if value is None else str(value)
    if f.kind == FormField.Kind.DATE and text:
        try:
            return dt.date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text


def eform_display(*, procedure: Procedure, data: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (f.label, _display_value(f, data.get(f.name, "")))
        for f in eform_fields(procedure=procedure)
    ]
