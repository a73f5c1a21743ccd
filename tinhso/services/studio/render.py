"""A revision's fields → a Django form (pages and services validate with the same class),
the cleaned values of a submission, and the rows that show a dossier's form as filled in.

Every Django field is optional at the field level: whether a value is required depends on
the conditions (a hidden field is never required and its value is dropped) and on the
repeating blocks (a row's children are required only when the row is used), which
``StudioForm.clean`` decides."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import today, valid_on_q
from tinhso.services.studio import spec as fs

_ID = RegexValidator(r"^\d{12}$", gettext_lazy("Số định danh cá nhân gồm 12 chữ số."))
_TAX = RegexValidator(
    r"^\d{10}(-\d{3})?$", gettext_lazy("Mã số thuế gồm 10 chữ số (hoặc 10 số - 3 số).")
)
_PHONE = RegexValidator(r"^0\d{9,10}$", gettext_lazy("Số điện thoại không hợp lệ."))
YES, NO = "yes", "no"


def yesno_choices() -> list[tuple[str, str]]:
    return [(YES, _("Có")), (NO, _("Không"))]


def address_choices() -> list[tuple[str, Any]]:
    """Communes (and wards, townships) valid today, grouped by their province."""
    units = list(
        OrgUnit.objects.filter(valid_on_q(today()), category=OrgUnit.Category.ADMINISTRATIVE)
        .filter(level__in=[OrgUnit.Level.PROVINCE, OrgUnit.Level.COMMUNE])
        .only("id", "code", "name", "level", "path")
        .order_by("path")
    )
    provinces = {u.pk: u for u in units if u.level == OrgUnit.Level.PROVINCE}
    groups: dict[int, list[tuple[str, str]]] = {}
    for u in units:
        if u.level != OrgUnit.Level.COMMUNE:
            continue
        ids = [int(p) for p in u.path.strip("/").split("/") if p]
        province = next((i for i in ids if i in provinces), None)
        if province is not None:
            groups.setdefault(province, []).append((u.code, u.name))
    return [("", "—")] + [
        (provinces[p].name, sorted(rows, key=lambda r: r[1])) for p, rows in groups.items()
    ]


def _widget_attrs(spec: Mapping[str, Any]) -> dict[str, str]:
    attrs = {}
    if spec.get("required") and spec["kind"] not in (fs.MULTICHOICE, fs.YESNO):
        attrs["aria-required"] = "true"
    return attrs


def django_field(spec: Mapping[str, Any], *, address: list[Any] | None = None) -> forms.Field:
    """The Django field of one (value-holding) field spec; optional at the field level."""
    kind = spec["kind"]
    common: dict[str, Any] = {"label": spec["label"], "required": False, "help_text": spec["help"]}
    validators = []
    if spec.get("pattern"):
        validators.append(RegexValidator(spec["pattern"], spec.get("pattern_message") or None))
    attrs = _widget_attrs(spec)
    field: forms.Field
    if kind in fs.TEXTUAL:
        widget = forms.Textarea(attrs={"rows": 4, **attrs}) if kind == fs.TEXTAREA else None
        field = forms.CharField(
            max_length=spec.get("max_length") or (4000 if kind == fs.TEXTAREA else 255),
            min_length=spec.get("min_length"),
            validators=validators,
            widget=widget or forms.TextInput(attrs),
            **common,
        )
    elif kind == fs.NUMBER:
        lo, hi = spec.get("min_value"), spec.get("max_value")
        field = forms.DecimalField(
            min_value=Decimal(lo) if lo is not None else None,
            max_value=Decimal(hi) if hi is not None else None,
            max_digits=16,
            decimal_places=2,
            widget=forms.NumberInput(attrs),
            **common,
        )
    elif kind == fs.DATE:
        field = forms.DateField(
            widget=forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d"), **common
        )
    elif kind == fs.CHOICE:
        field = forms.ChoiceField(
            choices=[("", "—")] + [(c, c) for c in spec["choices"]],
            widget=forms.Select(attrs),
            **common,
        )
    elif kind == fs.MULTICHOICE:
        field = forms.MultipleChoiceField(
            choices=[(c, c) for c in spec["choices"]],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    elif kind == fs.YESNO:
        field = forms.ChoiceField(choices=yesno_choices(), widget=forms.RadioSelect, **common)
    elif kind == fs.CITIZEN_ID:
        field = forms.CharField(
            max_length=12, validators=[_ID], widget=forms.TextInput(attrs), **common
        )
    elif kind == fs.TAX_CODE:
        field = forms.CharField(
            max_length=14, validators=[_TAX], widget=forms.TextInput(attrs), **common
        )
    elif kind == fs.PHONE:
        field = forms.CharField(
            max_length=11, validators=[_PHONE], widget=forms.TextInput(attrs), **common
        )
    elif kind == fs.EMAIL:
        field = forms.EmailField(widget=forms.EmailInput(attrs), **common)
    elif kind == fs.ADDRESS:
        field = forms.ChoiceField(
            choices=address if address is not None else address_choices(),
            widget=forms.Select(attrs),
            **{**common, "label": _("%s: xã, phường") % spec["label"]},
        )
    else:  # pragma: no cover - kinds are checked before
        raise ValueError(kind)
    setattr(field, "studio_required", bool(spec.get("required")))  # noqa: B010
    return field


def _json_value(value: Any) -> Any:
    if value is None or value in ("", []):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def condition_met(cond: Mapping[str, Any] | None, values: Mapping[str, Any]) -> bool:
    """``show_if`` against the values entered above (hidden fields have no value)."""
    if not cond:
        return True
    value = values.get(cond["field"])
    if value in (None, "", []):
        return False
    if not cond.get("equals"):
        return True
    if isinstance(value, list):
        return cond["equals"] in value
    return str(value) == cond["equals"]


def studio_parts_hidden(*, fields: list[dict[str, Any]], data: Mapping[str, Any]) -> set[int]:
    """The document parts the applicant does not see given ``data`` (values keyed by field
    name): those bound only to upload fields whose condition is not met. Such a part is
    not required, and a file sent for it is not kept. A field hidden by its own condition
    counts as empty for the fields below it."""
    values: dict[str, Any] = {}
    shown: set[int] = set()
    hidden: set[int] = set()
    for spec in fields:
        visible = condition_met(spec.get("show_if"), values)
        if spec["kind"] == fs.UPLOAD and spec.get("part"):
            (shown if visible else hidden).add(spec["part"])
        elif visible and spec["kind"] not in fs.NO_VALUE and spec["name"] in data:
            values[spec["name"]] = data[spec["name"]]
    return hidden - shown


# row indices at or beyond this are never read (a forged request cannot make the form
# build thousands of fields)
ROW_LIMIT = 100


def _row_key(block: str, i: int | str, child: str) -> str:
    return f"f_{block}__{i}__{child}"


class StudioForm(forms.Form):
    """The form of one revision. ``studio_fields`` (class attribute) is its field list."""

    studio_fields: ClassVar[list[dict[str, Any]]] = []
    studio_revision_id: ClassVar[int | None] = None
    studio_with_uploads: ClassVar[bool] = True

    def __init__(self, *args: Any, applicant: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.studio_rows: dict[str, list[int]] = {}
        address = None
        for spec in self.studio_fields:
            kind = spec["kind"]
            if kind == fs.HEADING:
                continue
            if kind == fs.UPLOAD:
                if self.studio_with_uploads and spec.get("part"):
                    self.fields[f"part_{spec['part']}"] = forms.FileField(
                        label=spec["label"], required=False, help_text=spec["help"]
                    )
                continue
            if kind == fs.REPEAT:
                self._rows(spec, self.data if self.is_bound else self.initial)
                continue
            if kind == fs.ADDRESS and address is None:
                address = address_choices()
            self.fields[f"f_{spec['name']}"] = django_field(spec, address=address)
            if kind == fs.ADDRESS:
                self.fields[f"f_{spec['name']}__detail"] = forms.CharField(
                    label=_("%s: số nhà, đường, thôn, xóm") % spec["label"],
                    required=False,
                    max_length=255,
                )
        if applicant is not None and not self.is_bound:
            self._prefill(applicant)

    def _row_field(self, child: Mapping[str, Any], number: str) -> forms.Field:
        f = django_field(child)
        f.label = f"{child['label']} ({(_('dòng %d') % 99999).replace('99999', number)})"
        return f

    def _rows(self, spec: Mapping[str, Any], values: Mapping[str, Any]) -> list[int]:
        """The block's row indices: the rows shown at first, and every row the data (or,
        unbound, the initial values of a saved draft) has; their fields added."""
        shown, _least, _most = fs.repeat_bounds(spec)
        prefix = f"f_{spec['name']}__"
        rows = set(range(shown))
        for key in values:
            index = str(key).removeprefix(prefix).split("__", 1)[0]
            if str(key).startswith(prefix) and index.isdigit() and int(index) < ROW_LIMIT:
                rows.add(int(index))
        for i in sorted(rows):
            for child in spec["children"]:
                key = _row_key(spec["name"], i, child["name"])
                if key not in self.fields:
                    self.fields[key] = self._row_field(child, str(i + 1))
        self.studio_rows[spec["name"]] = sorted(rows)
        return self.studio_rows[spec["name"]]

    def _prefill(self, applicant: Any) -> None:
        for spec in self.studio_fields:
            source = spec.get("prefill")
            key = f"f_{spec['name']}"
            if not source or key not in self.fields:
                continue
            value = getattr(applicant, source, None)
            if source == "date_of_birth" and value:
                value = value.isoformat()
            if source == "address" and spec["kind"] == fs.ADDRESS:
                key += "__detail"
            if value:
                self.initial[key] = value

    # -- validation --------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values: dict[str, Any] = {}
        for spec in self.studio_fields:
            kind, name = spec["kind"], spec["name"]
            if kind in fs.NO_VALUE or not condition_met(spec.get("show_if"), values):
                continue
            if kind == fs.REPEAT:
                rows = self._clean_rows(spec, cleaned)
                if rows:
                    values[name] = rows
                continue
            key = f"f_{name}"
            value = _json_value(cleaned.get(key))
            if key in self.errors:
                continue
            if value is None:
                if spec.get("required"):
                    self.add_error(key, _("Vui lòng nhập “%s”.") % spec["label"])
                continue
            if kind == fs.ADDRESS:
                names = {
                    code: label
                    for _g, opts in self.fields[key].choices  # type: ignore[attr-defined]
                    if isinstance(opts, list)
                    for code, label in opts
                }
                value = {
                    "commune": value,
                    "name": names.get(value, value),
                    "detail": (cleaned.get(f"{key}__detail") or "").strip(),
                }
            values[name] = value
        self.studio_values = values
        return cleaned

    def _clean_rows(self, spec: Mapping[str, Any], cleaned: Mapping[str, Any]) -> list[Any]:
        rows: list[dict[str, Any]] = []
        children = spec["children"]
        for i in self.studio_rows.get(spec["name"], []):
            keys = {c["name"]: _row_key(spec["name"], i, c["name"]) for c in children}
            raw = {n: _json_value(cleaned.get(k)) for n, k in keys.items()}
            if all(v is None for v in raw.values()) and not any(
                k in self.errors for k in keys.values()
            ):
                continue
            row: dict[str, Any] = {}
            for c in children:
                k = keys[c["name"]]
                if k in self.errors:
                    continue
                if raw[c["name"]] is None:
                    if c.get("required"):
                        self.add_error(k, _("Vui lòng nhập “%s”.") % self.fields[k].label)
                    continue
                row[c["name"]] = raw[c["name"]]
            rows.append(row)
        _shown, least, most = fs.repeat_bounds(spec)
        first = _row_key(spec["name"], 0, children[0]["name"])
        if len(rows) > most:
            self.add_error(
                first,
                _("“%(l)s” khai tối đa %(n)d dòng (đã khai %(k)d dòng).")
                % {"l": spec["label"], "n": most, "k": len(rows)},
            )
        elif len(rows) < least:
            self.add_error(
                first,
                _("Vui lòng khai ít nhất một dòng của “%s”.") % spec["label"]
                if least == 1
                else _("Vui lòng khai ít nhất %(n)d dòng của “%(l)s”.")
                % {"n": least, "l": spec["label"]},
            )
        return rows

    # -- rendering ---------------------------------------------------------------------

    def studio_items(self) -> list[dict[str, Any]]:
        """What the template renders, in order: the fields added around the revision's
        (receiving agency, verified identity…) first, then the revision's items, then any
        document part not placed by an upload field."""
        placed: set[str] = set()
        items: list[dict[str, Any]] = []
        for spec in self.studio_fields:
            cond = spec.get("show_if")
            show = {"field": f"f_{cond['field']}", "equals": cond["equals"]} if cond else None
            kind = spec["kind"]
            item: dict[str, Any] = {"kind": kind, "spec": spec, "show": show}
            if kind == fs.HEADING:
                items.append(item)
                continue
            if kind == fs.REPEAT:
                item["rows"] = []
                # unbound: a saved draft's rows arrive as initial values after __init__
                rows = self._rows(spec, self.data if self.is_bound else self.initial)
                for i in rows:
                    keys = [_row_key(spec["name"], i, c["name"]) for c in spec["children"]]
                    placed.update(keys)
                    item["rows"].append(
                        {"n": i + 1, "fields": [self[k] for k in keys if k in self.fields]}
                    )
                # the row the applicant adds (studio.js fills in its index and number)
                item["template"] = [
                    self._row_field(c, "ROWNUMBER").get_bound_field(
                        self, _row_key(spec["name"], "ROWINDEX", c["name"])
                    )
                    for c in spec["children"]
                ]
                _shown, item["least"], item["most"] = fs.repeat_bounds(spec)
                item["next"] = (rows[-1] + 1) if rows else 0
                items.append(item)
                continue
            keys = (
                [f"reuse_{spec['part']}", f"part_{spec['part']}"]  # a stored document first
                if kind == fs.UPLOAD
                else [f"f_{spec['name']}"]
                + ([f"f_{spec['name']}__detail"] if kind == fs.ADDRESS else [])
            )
            keys = [k for k in keys if k in self.fields]
            if not keys:
                continue
            placed.update(keys)
            item["fields"] = [self[k] for k in keys]
            items.append(item)
        before = [
            {"kind": "extra", "fields": [self[k]]}
            for k in self.fields
            if k not in placed and not k.startswith(("part_", "reuse_"))
        ]
        after = [
            {
                "kind": "extra",
                "fields": [self[n] for n in (f"reuse_{key[5:]}", key) if n in self.fields],
            }
            for key in self.fields
            if key not in placed and key.startswith("part_")
        ]
        return before + items + after


def studio_form_class(
    *, fields: list[dict[str, Any]], revision_id: int | None = None, with_uploads: bool = True
) -> type[StudioForm]:
    return type(
        "StudioEForm",
        (StudioForm,),
        {
            "studio_fields": fields,
            "studio_revision_id": revision_id,
            "studio_with_uploads": with_uploads,
        },
    )


def _flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """Applicant data keyed by field name (API: nested rows and address objects allowed)
    → the form's keys."""
    out: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value):
            for i, row in enumerate(value):
                for child, v in row.items():
                    out[f"f_{key}__{i}__{child}"] = v
        elif isinstance(value, Mapping):
            out[f"f_{key}"] = value.get("commune", "")
            out[f"f_{key}__detail"] = value.get("detail", "")
        else:
            out[f"f_{key}"] = value
    return out


class _Data(dict[str, Any]):
    """A dict that answers ``getlist`` (what a multiple choice widget reads)."""

    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]


def studio_validate(*, fields: list[dict[str, Any]], data: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned values (JSON: strings, lists, rows, address objects) keyed by field name,
    conditions applied; or ``ValidationError`` with the messages keyed by field name."""
    form = studio_form_class(fields=fields, with_uploads=False)(data=_Data(_flatten(data)))
    if not form.is_valid():
        raise ValidationError(
            {k.removeprefix("f_"): [str(e) for e in errs] for k, errs in form.errors.items()}
        )
    return form.studio_values


def _show(spec: Mapping[str, Any], value: Any) -> str:
    if value in (None, "", []):
        return ""
    kind = spec["kind"]
    if kind == fs.YESNO:
        return _("Có") if value == YES else _("Không")
    if kind == fs.DATE:
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if kind == fs.MULTICHOICE and isinstance(value, list):
        return ", ".join(value)
    if kind == fs.ADDRESS and isinstance(value, Mapping):
        return ", ".join(p for p in (value.get("detail"), value.get("name")) if p)
    if kind == fs.NUMBER:
        return re.sub(r"\.", ",", str(value))
    return str(value)


def studio_display(
    *, fields: list[dict[str, Any]], data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(label, value) rows of a dossier's form as filled in under ``fields``."""
    rows: list[tuple[str, str]] = []
    for spec in fields:
        if spec["kind"] in fs.NO_VALUE:
            continue
        value = data.get(spec["name"])
        if spec["kind"] == fs.REPEAT:
            for i, row in enumerate(value or [], start=1):
                text = "; ".join(
                    f"{c['label']}: {_show(c, row.get(c['name']))}"
                    for c in spec["children"]
                    if row.get(c["name"]) not in (None, "", [])
                )
                rows.append((f"{spec['label']} ({i})", text))
            continue
        if value is None and not condition_met(spec.get("show_if"), data):
            continue
        rows.append((spec["label"], _show(spec, value)))
    return rows
