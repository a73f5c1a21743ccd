"""Field specifications of a form revision: the kinds, and the checks of one field and of
a whole list (used when editing, publishing and importing).

A field is a dict::

    {"name": "ho_ten", "kind": "text", "label": "Họ và tên", "help": "", "required": true,
     "min_length": null, "max_length": null, "min_value": null, "max_value": null,
     "pattern": "", "pattern_message": "", "choices": [], "show_if": null | {"field": "x",
     "equals": "y"}, "prefill": "", "part": null, "children": [], "max_items": null,
     "min_items": null, "subject": false}

``show_if.equals`` empty means "when field X is filled in". ``children`` only for a
repeating block (whose children are plain fields), ``part`` (a ``DocumentPart`` id) only
for a document upload. A repeating block's applicant adds and removes rows between
``min_items`` (the rows shown at first, and the fewest to fill when the block is shown;
at least one when it is required) and ``max_items``. ``subject`` marks a field that says
who or what the request is about (a child's name and date of birth), read by
``subject_names``; revisions saved before the key existed read as ``false`` (``setting``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEXT = "text"
TEXTAREA = "textarea"
NUMBER = "number"
DATE = "date"
CHOICE = "choice"
MULTICHOICE = "multichoice"
YESNO = "yesno"
CITIZEN_ID = "citizen_id"
TAX_CODE = "tax_code"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
REPEAT = "repeat"
UPLOAD = "upload"
HEADING = "heading"

KINDS: dict[str, Any] = {
    TEXT: gettext_lazy("Văn bản ngắn"),
    TEXTAREA: gettext_lazy("Đoạn văn"),
    NUMBER: gettext_lazy("Số"),
    DATE: gettext_lazy("Ngày"),
    CHOICE: gettext_lazy("Chọn một"),
    MULTICHOICE: gettext_lazy("Chọn nhiều"),
    YESNO: gettext_lazy("Có/Không"),
    CITIZEN_ID: gettext_lazy("Số định danh cá nhân (CCCD)"),
    TAX_CODE: gettext_lazy("Mã số thuế"),
    PHONE: gettext_lazy("Số điện thoại"),
    EMAIL: gettext_lazy("Thư điện tử"),
    ADDRESS: gettext_lazy("Địa chỉ (tỉnh → xã, phường)"),
    REPEAT: gettext_lazy("Nhóm lặp lại"),
    UPLOAD: gettext_lazy("Tải giấy tờ (thành phần hồ sơ)"),
    HEADING: gettext_lazy("Tiêu đề mục"),
}
# kinds that hold no value of the form's data
NO_VALUE = frozenset({HEADING, UPLOAD})
TEXTUAL = frozenset({TEXT, TEXTAREA})
# what a field can be pre-filled from: the applicant's verified identity and profile
PREFILL: dict[str, Any] = {
    "full_name": gettext_lazy("Họ và tên"),
    "citizen_id": gettext_lazy("Số định danh cá nhân"),
    "date_of_birth": gettext_lazy("Ngày sinh"),
    "tax_code": gettext_lazy("Mã số thuế"),
    "business_name": gettext_lazy("Tên doanh nghiệp"),
    "phone": gettext_lazy("Số điện thoại"),
    "email": gettext_lazy("Thư điện tử"),
    "address": gettext_lazy("Địa chỉ"),
}
REPEAT_MAX = 20
REPEAT_DEFAULT = 3


def repeat_bounds(spec: Mapping[str, Any]) -> tuple[int, int, int]:
    """A block's (rows shown at first, fewest rows to fill when shown, most rows)."""
    most = spec.get("max_items") or REPEAT_DEFAULT
    least = spec.get("min_items") or 0
    need = max(least, 1 if spec.get("required") else 0)
    return max(least, 1), min(need, most), most


NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEYS = (
    "name",
    "kind",
    "label",
    "help",
    "required",
    "min_length",
    "max_length",
    "min_value",
    "max_value",
    "pattern",
    "pattern_message",
    "choices",
    "show_if",
    "prefill",
    "part",
    "children",
    "max_items",
    "min_items",
    "subject",
)
# the value of a key that revisions saved before it existed do not hold
_MISSING: dict[str, Any] = {"subject": False, "min_items": None}
# kinds that can say who or what the request is about
SUBJECT_KINDS = frozenset({TEXT, DATE, CITIZEN_ID, TAX_CODE, NUMBER, CHOICE, ADDRESS})


def setting(spec: Mapping[str, Any], key: str) -> Any:
    """A field's setting, with the default of a key added after the field was saved."""
    return spec.get(key, _MISSING.get(key))


def field_blank(*, kind: str, name: str, label: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "label": label,
        "help": "",
        "required": kind not in NO_VALUE,
        "min_length": None,
        "max_length": None,
        "min_value": None,
        "max_value": None,
        "pattern": "",
        "pattern_message": "",
        "choices": [],
        "show_if": None,
        "prefill": "",
        "part": None,
        "children": [],
        "max_items": REPEAT_DEFAULT if kind == REPEAT else None,
        "min_items": 1 if kind == REPEAT else None,
        "subject": False,
    }


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    return int(value)


def field_normalise(raw: Mapping[str, Any], *, child: bool = False) -> dict[str, Any]:
    """A field dict with every key, the types coerced; raises ``ValueError`` with a
    Vietnamese message when a value has the wrong type (an imported file)."""
    if not isinstance(raw, Mapping):
        raise ValueError(_("Mỗi trường phải là một đối tượng."))
    unknown = set(raw) - set(KEYS)
    if unknown:
        raise ValueError(_("Khóa không hợp lệ: %s.") % ", ".join(sorted(map(str, unknown))))
    kind = str(raw.get("kind") or "")
    spec = field_blank(kind=kind, name=str(raw.get("name") or ""), label="")
    for key in ("label", "help", "pattern", "pattern_message", "prefill"):
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError(_("“%s” phải là chuỗi ký tự.") % key)
        spec[key] = value.strip()
    spec["required"] = bool(raw.get("required", spec["required"]))
    spec["subject"] = bool(raw.get("subject", False)) and not child
    for key in (
        "min_length",
        "max_length",
        "min_value",
        "max_value",
        "part",
        "max_items",
        "min_items",
    ):
        try:
            spec[key] = _int_or_none(raw.get(key, spec[key]))
        except (TypeError, ValueError):
            raise ValueError(_("“%s” phải là số nguyên.") % key) from None
    choices = raw.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise ValueError(_("“choices” phải là danh sách chuỗi ký tự."))
    spec["choices"] = [c.strip() for c in choices if c.strip()]
    show_if = raw.get("show_if")
    if show_if:
        if not isinstance(show_if, Mapping) or not isinstance(show_if.get("field"), str):
            raise ValueError(_("“show_if” phải có “field” (tên trường) và “equals”."))
        spec["show_if"] = {
            "field": show_if["field"].strip(),
            "equals": str(show_if.get("equals") or "").strip(),
        }
    children = raw.get("children") or []
    if not isinstance(children, list):
        raise ValueError(_("“children” phải là danh sách trường."))
    if child and children:
        raise ValueError(_("Nhóm lặp lại không được lồng trong nhóm lặp lại."))
    spec["children"] = [field_normalise(c, child=True) for c in children]
    return spec


def field_errors(
    spec: Mapping[str, Any], *, part_ids: Iterable[int] = (), complete: bool = True
) -> list[str]:
    """The problems of one field on its own (Vietnamese messages). ``complete=False``
    (while editing a draft): an upload not yet bound and a block not yet given children
    pass."""
    errors: list[str] = []
    label = spec.get("label") or spec.get("name") or "?"
    kind = spec.get("kind")
    if kind not in KINDS:
        return [_("Trường “%(l)s”: kiểu “%(k)s” không hợp lệ.") % {"l": label, "k": kind}]
    if not NAME_RE.match(spec.get("name") or ""):
        errors.append(
            _(
                "Trường “%s”: tên kỹ thuật chỉ gồm chữ thường không dấu, số và dấu gạch dưới, "
                "bắt đầu bằng chữ, tối đa 40 ký tự."
            )
            % label
        )
    if not spec.get("label"):
        errors.append(_("Trường “%s” chưa có nhãn.") % spec.get("name"))
    if kind in (CHOICE, MULTICHOICE) and len(spec.get("choices") or []) < 2:
        errors.append(_("Trường “%s”: cần ít nhất hai lựa chọn.") % label)
    lo, hi = spec.get("min_length"), spec.get("max_length")
    if (lo is not None and lo < 0) or (hi is not None and hi < 1):
        errors.append(_("Trường “%s”: độ dài phải là số dương.") % label)
    if lo is not None and hi is not None and lo > hi:
        errors.append(_("Trường “%s”: độ dài tối thiểu lớn hơn độ dài tối đa.") % label)
    lo, hi = spec.get("min_value"), spec.get("max_value")
    if lo is not None and hi is not None and lo > hi:
        errors.append(_("Trường “%s”: giá trị nhỏ nhất lớn hơn giá trị lớn nhất.") % label)
    if spec.get("pattern"):
        try:
            re.compile(spec["pattern"])
        except re.error:
            errors.append(_("Trường “%s”: mẫu kiểm tra (biểu thức chính quy) sai cú pháp.") % label)
        if not spec.get("pattern_message"):
            errors.append(
                _("Trường “%s”: cần thông báo dễ hiểu khi giá trị không khớp mẫu.") % label
            )
    if spec.get("prefill") and spec["prefill"] not in PREFILL:
        errors.append(_("Trường “%s”: nguồn điền sẵn không hợp lệ.") % label)
    if spec.get("subject") and kind not in SUBJECT_KINDS:
        errors.append(_("Trường “%s”: loại trường này không dùng làm đối tượng của hồ sơ.") % label)
    part_ids = list(part_ids)
    if kind == UPLOAD and (complete or spec.get("part")) and spec.get("part") not in part_ids:
        errors.append(_("Trường “%s”: chưa gắn với một thành phần hồ sơ của thủ tục.") % label)
    if kind == REPEAT:
        if complete and not spec.get("children"):
            errors.append(_("Nhóm lặp lại “%s” chưa có trường con.") % label)
        n = spec.get("max_items")
        if n is None or not 1 <= n <= REPEAT_MAX:
            errors.append(
                _("Nhóm lặp lại “%(l)s”: số dòng tối đa từ 1 đến %(n)d.")
                % {"l": label, "n": REPEAT_MAX}
            )
        lo = spec.get("min_items")
        if lo is not None and (lo < 0 or (n is not None and lo > n)):
            errors.append(
                _("Nhóm lặp lại “%s”: số dòng tối thiểu từ 0 đến số dòng tối đa.") % label
            )
        for c in spec.get("children") or []:
            if c.get("kind") in (REPEAT, UPLOAD, HEADING):
                errors.append(
                    _("Nhóm lặp lại “%s”: trường con không được là nhóm, tải tệp hay tiêu đề.")
                    % label
                )
            errors.extend(field_errors(c, part_ids=part_ids, complete=complete))
    elif spec.get("children"):
        errors.append(_("Trường “%s”: chỉ nhóm lặp lại mới có trường con.") % label)
    return errors


def revision_errors(fields: list[dict[str, Any]], *, part_ids: Iterable[int] = ()) -> list[str]:
    """Every problem of a field list: each field's own, duplicate names, and conditions
    that refer to a field that does not exist before the one they show."""
    part_ids = list(part_ids)
    errors: list[str] = []
    seen: dict[str, dict[str, Any]] = {}
    all_names: set[str] = set()
    for spec in fields:
        errors.extend(field_errors(spec, part_ids=part_ids))
        label = spec.get("label") or spec.get("name")
        cond = spec.get("show_if")
        if cond:
            target = seen.get(cond.get("field", ""))
            if target is None:
                errors.append(
                    _("Trường “%(l)s” hiển thị theo trường “%(f)s” không có ở phía trước.")
                    % {"l": label, "f": cond.get("field")}
                )
            elif target["kind"] in NO_VALUE | {REPEAT}:
                errors.append(
                    _("Trường “%(l)s” hiển thị theo “%(f)s”, là trường không có giá trị.")
                    % {"l": label, "f": target["label"]}
                )
            elif (
                cond.get("equals")
                and target["kind"] in (CHOICE, MULTICHOICE)
                and cond["equals"] not in target["choices"]
            ):
                errors.append(
                    _("Trường “%(l)s” hiển thị khi “%(f)s” là “%(v)s”, không phải một lựa chọn.")
                    % {"l": label, "f": target["label"], "v": cond["equals"]}
                )
        names = [spec.get("name", "")] + [c.get("name", "") for c in spec.get("children") or []]
        for name in names:
            if name in all_names:
                errors.append(_("Tên trường “%s” bị trùng.") % name)
            all_names.add(name)
        seen.update({spec.get("name", ""): spec})
    return list(dict.fromkeys(errors))


def value_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top-level fields that hold values (for placeholders, diffs)."""
    return [f for f in fields if f["kind"] not in NO_VALUE]


def subject_names(fields: list[dict[str, Any]]) -> list[str]:
    """The fields that say who or what a request is about (for the warning when the same
    applicant files the same procedure for the same subject twice in a day):

    1. the fields marked ``subject``, when any is;
    2. else, in the form's first section (its fields up to the first heading that follows
       a value field), leaving out fields pre-filled from the applicant's own profile (they
       describe the applicant, not the subject): its ID numbers (CCCD, tax code) if it has
       any, else its first short text (a name) and its first date (a date of birth);
    3. else the form's first value field.
    """
    top = [f for f in fields if f.get("kind") not in NO_VALUE | {REPEAT}]
    marked = [f["name"] for f in top if setting(f, "subject")]
    if marked:
        return marked
    section: list[dict[str, Any]] = []
    for f in fields:
        if f.get("kind") == HEADING and section:
            break
        if f.get("kind") in SUBJECT_KINDS and not f.get("prefill"):
            section.append(f)
    ids = [f["name"] for f in section if f["kind"] in (CITIZEN_ID, TAX_CODE)]
    if ids:
        return ids
    first_text = next((f["name"] for f in section if f["kind"] == TEXT), None)
    first_date = next((f["name"] for f in section if f["kind"] == DATE), None)
    picked = [n for n in (first_text, first_date) if n]
    return picked or [f["name"] for f in top[:1]]
