"""E-forms: a procedure's form → a Django form (for pages) and validation (for all).

The form is the procedure's published studio revision (``services.studio``) when it has
one, else its typed ``FormField`` rows (else a free-text request). A dossier keeps the
revision it was submitted under: pass it (``revision=dossier.form_revision``) to show the
form as it was filled in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.services.models import FormField, FormRevision, Procedure
from tinhso.services.studio.render import (
    studio_display,
    studio_form_class,
    studio_parts_hidden,
    studio_validate,
)
from tinhso.services.studio.spec import value_fields

_ID = RegexValidator(r"^\d{12}$", gettext_lazy("Số định danh cá nhân gồm 12 chữ số."))
_PHONE = RegexValidator(r"^0\d{9,10}$", gettext_lazy("Số điện thoại không hợp lệ."))


def _django_field(f: FormField) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help_text}
    if f.kind == FormField.Kind.TEXTAREA:
        return forms.CharField(widget=forms.Textarea, max_length=f.max_length or 4000, **common)
    if f.kind == FormField.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if f.kind == FormField.Kind.NUMBER:
        return forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, **common)
    if f.kind == FormField.Kind.COPIES:
        return forms.IntegerField(
            min_value=1,
            max_value=100,
            error_messages={"invalid": _("Số bản phải là số nguyên (1, 2, 3…).")},
            **common,
        )
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
    """The fields an applicant fills in (the API's description of the form): the published
    studio revision's value fields (unsaved rows; a repeating block as one ``repeat``), else
    the typed rows, else a free-text request."""
    revision = eform_revision(procedure=procedure)
    if revision is not None:
        return [
            FormField(
                name=f["name"],
                label=f["label"],
                kind=f["kind"],
                required=f["required"],
                choices=f["choices"],
                help_text=f["help"][:255],
            )
            for f in value_fields(revision.fields)
        ]
    return _typed_fields(procedure)


def _typed_fields(procedure: Procedure) -> list[FormField]:
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


class _Lookup:
    """The default of ``revision=``: look up the published revision (None: there is none)."""


LOOKUP: Any = _Lookup()


def eform_revision(*, procedure: Procedure) -> FormRevision | None:
    """The procedure's published studio revision, if any (what new dossiers are filled in)."""
    return FormRevision.objects.filter(
        procedure=procedure, state=FormRevision.State.PUBLISHED
    ).first()


def eform_parts_hidden(*, revision: FormRevision | None, data: dict[str, Any]) -> set[int]:
    """The document parts hidden by their upload field's condition given ``data`` (never
    required; a file sent for one is not kept). None for the typed rows: no condition."""
    if revision is None:
        return set()
    return studio_parts_hidden(fields=revision.fields, data=data or {})


def eform_form_class(*, procedure: Procedure, revision: Any = LOOKUP) -> type[forms.Form]:
    if revision is LOOKUP:
        revision = eform_revision(procedure=procedure)
    if revision is not None:
        return studio_form_class(fields=revision.fields, revision_id=revision.pk)
    attrs = {f"f_{f.name}": _django_field(f) for f in _typed_fields(procedure)}
    return type("EForm", (forms.Form,), attrs)


def eform_validate(
    *, procedure: Procedure, data: dict[str, Any], revision: Any = LOOKUP
) -> dict[str, Any]:
    """Validate applicant-entered values; returns cleaned values keyed by field name
    (strings; lists, rows and address objects for a studio revision's fields), or raises
    ``ValidationError`` with one message per bad field. ``revision``: validate against it
    (default: the published one, if any; None: the typed rows)."""
    if revision is LOOKUP:
        revision = eform_revision(procedure=procedure)
    if revision is not None:
        return studio_validate(fields=revision.fields, data=data or {})
    form = eform_form_class(procedure=procedure, revision=None)(
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


def eform_display(
    *, procedure: Procedure, data: dict[str, Any], revision: FormRevision | None = None
) -> list[tuple[str, str]]:
    """The form as filled in: under ``revision`` (the dossier's) when given, else under the
    procedure's typed rows (dossiers submitted before any studio revision)."""
    if revision is not None:
        return studio_display(fields=revision.fields, data=data or {})
    return [(f.label, _display_value(f, data.get(f.name, ""))) for f in _typed_fields(procedure)]


def eform_post_data(post: Any) -> dict[str, Any]:
    """A posted page's e-form values keyed by field name (the ``f_`` prefix removed); a
    key posted several times (a multiple choice) keeps all its values."""
    return {
        k.removeprefix("f_"): (v if len(v) > 1 else v[0])
        for k, v in post.lists()
        if k.startswith("f_")
    }
