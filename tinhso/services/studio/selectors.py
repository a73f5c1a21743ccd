"""Reads of the procedure studio: the procedures a user may edit, revisions, diffs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.permissions import scope_paths
from tinhso.accounts.usertypes import AnyUser
from tinhso.orgs.selectors import today, valid_on_q
from tinhso.services.models import FormRevision, Procedure, ProcedureAgency
from tinhso.services.studio import spec as fs
from tinhso.services.studio.services import EDIT
from tinhso.text import fold


def studio_procedures(*, user: AnyUser, q: str = "", limit: int = 50) -> QuerySet[Procedure]:
    """Active procedures received by a unit in the user's studio scope, searched."""
    paths = scope_paths(user, EDIT)
    qs = Procedure.objects.filter(is_active=True)
    if paths is not None:
        units = Q(pk__in=[])
        for p in paths:
            units |= Q(org_unit__path__startswith=p)
        received = ProcedureAgency.objects.filter(valid_on_q(today())).filter(units)
        qs = qs.filter(pk__in=received.values("procedure_id"))
    if q.strip():
        term = fold(q)
        qs = qs.filter(Q(search_text__contains=term) | Q(code__icontains=q.strip()))
    return qs.order_by("name")[:limit]


def revision_list(*, procedure: Procedure) -> QuerySet[FormRevision]:
    return FormRevision.objects.filter(procedure=procedure).select_related(
        "published_by", "created_by"
    )


def revision_get(*, procedure: Procedure, number: int) -> FormRevision | None:
    return (
        FormRevision.objects.filter(procedure=procedure, number=number)
        .select_related("published_by", "created_by")
        .first()
    )


@dataclass
class FieldChange:
    name: str
    label: str
    what: str  # "added", "removed", "changed", "moved"
    details: list[tuple[str, Any, Any]] = field(default_factory=list)


SETTING_LABELS: dict[str, Any] = {
    "label": _("Nhãn"),
    "help": _("Hướng dẫn"),
    "required": _("Bắt buộc"),
    "min_length": _("Độ dài tối thiểu"),
    "max_length": _("Độ dài tối đa"),
    "min_value": _("Giá trị nhỏ nhất"),
    "max_value": _("Giá trị lớn nhất"),
    "pattern": _("Mẫu kiểm tra"),
    "pattern_message": _("Thông báo khi sai mẫu"),
    "choices": _("Các lựa chọn"),
    "show_if": _("Điều kiện hiển thị"),
    "prefill": _("Điền sẵn từ"),
    "part": _("Thành phần hồ sơ"),
    "children": _("Trường con"),
    "max_items": _("Số dòng tối đa"),
    "min_items": _("Số dòng tối thiểu"),
    "subject": _("Đối tượng của hồ sơ"),
}


def _flat(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in fields:
        out[f["name"]] = f
        for c in f.get("children") or []:
            out[f"{f['name']}.{c['name']}"] = c
    return out


def revision_diff(
    *, old: list[dict[str, Any]] | None, new: list[dict[str, Any]]
) -> list[FieldChange]:
    """What changed from ``old`` to ``new``: fields added, removed, changed (each setting
    before → after), and moved."""
    before, after = _flat(old or []), _flat(new)
    changes: list[FieldChange] = []
    for name, spec in after.items():
        if name not in before:
            changes.append(FieldChange(name, spec["label"], "added"))
            continue
        prev = before[name]
        details = [
            (str(SETTING_LABELS.get(k, k)), fs.setting(prev, k), fs.setting(spec, k))
            for k in fs.KEYS
            if k not in ("name", "children") and fs.setting(prev, k) != fs.setting(spec, k)
        ]
        if details:
            changes.append(FieldChange(name, spec["label"], "changed", details))
    changes += [
        FieldChange(name, spec["label"], "removed")
        for name, spec in before.items()
        if name not in after
    ]
    old_order = [n for n in before if n in after and "." not in n]
    new_order = [n for n in after if n in before and "." not in n]
    if old_order != new_order:
        changes.append(FieldChange("", "", "moved"))
    return changes
