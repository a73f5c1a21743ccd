"""Plan tasks: create, edit and report progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import user_units
from tinhso.audit.services import audit_record
from tinhso.monitoring.models import (
    Indicator,
    PlanTask,
)
from tinhso.monitoring.services.common import _require
from tinhso.monitoring.services.targets import _year
from tinhso.orgs.models import OrgUnit

# --- tasks ------------------------------------------------------------------------------------


def _task_check(
    *, title: str, org_unit: OrgUnit, head: Any, deadline: Any, year: Any
) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("Chưa nhập tên nhiệm vụ."))
    elif len(title) > 500:
        errors.setdefault("title", []).append(_("Tên nhiệm vụ dài quá 500 ký tự."))
    try:
        year = _year(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(deadline, dt.date):
        errors.setdefault("deadline", []).append(_("Chưa nhập thời hạn hợp lệ (dd/mm/yyyy)."))
    elif isinstance(year, int) and not year - 1 <= deadline.year <= year + 5:
        errors.setdefault("deadline", []).append(
            _("Thời hạn %(deadline)s không khớp với năm kế hoạch %(year)s.")
            % {"deadline": f"{deadline:%d/%m/%Y}", "year": year}
        )
    if not org_unit.is_valid_on(timezone.localdate()):
        errors.setdefault("org_unit", []).append(
            _("%(unit)s không còn hiệu lực; hãy giao cho đơn vị kế thừa.")
            % {"unit": org_unit.agency_name}
        )
    if head is not None:
        heads_of = user_units(head, roles=[Role.HEAD])
        if not getattr(head, "is_active", False) or not any(
            org_unit.path.startswith(u.path) for u in heads_of
        ):
            errors.setdefault("head", []).append(
                _("%(head)s không phải lãnh đạo của %(unit)s.")
                % {"head": getattr(head, "display_name", head), "unit": org_unit.agency_name}
            )
    if errors:
        raise ValidationError(errors)
    return title, int(year)


def _task_snapshot(task: PlanTask) -> dict[str, Any]:
    return {
        "year": task.year,
        "title": task.title,
        "unit": task.org_unit.code,
        "head": task.head.username if task.head else None,
        "deadline": task.deadline,
        "indicators": sorted(task.indicators.values_list("code", flat=True)),
        "status": task.status,
        "progress": task.progress,
    }


@transaction.atomic
def task_create(
    *,
    actor: Any,
    year: int,
    title: str,
    org_unit: OrgUnit,
    deadline: dt.date,
    head: Any = None,
    indicators: Iterable[Indicator] = (),
    status: str = PlanTask.Status.NOT_STARTED,
    progress: int = 0,
    source: str = "",
    note: str = "",
    is_demo: bool = False,
) -> PlanTask:
    """A task of the yearly plan, assigned to a responsible unit (and its head)."""
    if actor is not None:
        _require(actor, "monitoring.task_manage", org_unit, _("Bạn không có quyền giao nhiệm vụ."))
    title, year = _task_check(
        title=title, org_unit=org_unit, head=head, deadline=deadline, year=year
    )
    task = PlanTask(
        year=year,
        title=title,
        org_unit=org_unit,
        deadline=deadline,
        head=head,
        status=status,
        progress=progress,
        source=source.strip(),
        note=note.strip(),
        is_demo=is_demo,
    )
    task.full_clean()
    task.save()
    task.indicators.set(list(indicators))
    audit_record(
        actor=actor,
        action="monitoring.task.create",
        obj=task,
        org_unit=org_unit,
        after=_task_snapshot(task),
    )
    return task


@transaction.atomic
def task_edit(
    *,
    actor: Any,
    task: PlanTask,
    year: int,
    title: str,
    org_unit: OrgUnit,
    deadline: dt.date,
    head: Any = None,
    indicators: Iterable[Indicator] = (),
    source: str = "",
    note: str = "",
) -> PlanTask:
    """Re-assign a task (unit, head, deadline, indicators, title). Both the old and the new
    unit must be within the actor's scope."""
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    _require(
        actor, "monitoring.task_manage", task.org_unit, _("Bạn không có quyền sửa nhiệm vụ này.")
    )
    _require(actor, "monitoring.task_manage", org_unit, _("Bạn không có quyền giao nhiệm vụ."))
    title, year = _task_check(
        title=title, org_unit=org_unit, head=head, deadline=deadline, year=year
    )
    before = _task_snapshot(task)
    task.year, task.title, task.org_unit, task.head, task.deadline = (
        year,
        title,
        org_unit,
        head,
        deadline,
    )
    task.source, task.note = source.strip(), note.strip()
    task.full_clean()
    task.save()
    task.indicators.set(list(indicators))
    audit_record(
        actor=actor,
        action="monitoring.task.edit",
        obj=task,
        org_unit=org_unit,
        before=before,
        after=_task_snapshot(task),
    )
    return task


@transaction.atomic
def task_update(
    *, actor: Any, task: PlanTask, status: str, progress: int, note: str = ""
) -> PlanTask:
    task = PlanTask.objects.select_for_update().get(pk=task.pk)
    _require(
        actor,
        "monitoring.task_update",
        task.org_unit,
        _("Bạn không có quyền cập nhật nhiệm vụ này."),
    )
    if status not in PlanTask.Status.values:
        raise ValidationError({"status": [_("Tình trạng không hợp lệ.")]})
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        raise ValidationError({"progress": [_("Tiến độ phải là số nguyên.")]}) from None
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": [_("Tiến độ phải trong khoảng 0–100%.")]})
    if status == PlanTask.Status.DONE:
        progress = 100
    before = {"status": task.status, "progress": task.progress}
    task.status, task.progress = status, int(progress)
    if note:
        task.note = note
    task.save()
    audit_record(
        actor=actor,
        action="monitoring.task.update",
        obj=task,
        org_unit=task.org_unit,
        before=before,
        after={"status": status, "progress": task.progress},
        extra={"note": note} if note else None,
    )
    return task
