"""The monitoring panel on officials' "my page"."""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_can, user_roles
from tinhso.accounts.usertypes import AnyUser
from tinhso.monitoring.selectors import reports_late, tasks_overdue_for_head, values_awaiting
from tinhso.panels import Panel, panel_register


@panel_register
def monitoring_panels(user: AnyUser) -> list[Panel]:
    roles = user_roles(user)
    if not roles:
        return []
    waiting = values_awaiting(user=user)
    figures: list[tuple[str, Any]] = [
        (_("Số liệu đang nhập / bị trả lại"), waiting["enter"].count()),
        (_("Chờ lãnh đạo duyệt"), waiting["approve"].count()),
        (_("Chờ tỉnh tiếp nhận"), waiting["accept"].count()),
    ]
    links = [
        (_("Báo cáo chuyển đổi số"), reverse("monitoring:reports")),
        (_("Tổng quan tiến độ"), reverse("monitoring:overview")),
        (_("Đơn vị chậm báo cáo"), reverse("monitoring:late")),
        (_("Nhiệm vụ"), reverse("monitoring:tasks")),
    ]
    if "head" in roles:
        figures.append(
            (_("Nhiệm vụ quá hạn"), tasks_overdue_for_head(user=cast(User, user)).count())
        )
    if user_can(user=user, action="monitoring.report_accept"):
        late_units = {
            e.unit.pk
            for e in reports_late()
            if user_can(user=user, action="monitoring.view", org_unit=e.unit)
        }
        figures.append((_("Đơn vị chậm báo cáo"), len(late_units)))
    if user_can(user=user, action="monitoring.target_manage"):
        links.append((_("Giao chỉ tiêu, lộ trình"), reverse("monitoring:targets")))
    if user_can(user=user, action="monitoring.task_manage"):
        links.append((_("Giao nhiệm vụ"), reverse("monitoring:task_new")))
    if user_can(user=user, action="monitoring.population_manage"):
        links.append((_("Dân số theo đơn vị"), reverse("monitoring:population")))
    return [Panel(title=_("Chuyển đổi số"), figures=figures, links=links, order=40)]
