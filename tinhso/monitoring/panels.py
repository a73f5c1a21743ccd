"""The monitoring panel on officials' "my page"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tinhso.accounts.permissions import user_roles
from tinhso.monitoring.selectors import tasks_overdue_for_head, values_awaiting
from tinhso.panels import Panel, panel_register


@panel_register
def monitoring_panels(user: Any) -> list[Panel]:
    roles = user_roles(user)
    if not roles:
        return []
    waiting = values_awaiting(user=user)
    figures = [
        ("Số liệu đang nhập / bị trả lại", waiting["enter"].count()),
        ("Chờ lãnh đạo duyệt", waiting["approve"].count()),
        ("Chờ tỉnh tiếp nhận", waiting["accept"].count()),
    ]
    if "head" in roles:
        figures.append(("Nhiệm vụ quá hạn", tasks_overdue_for_head(user=user).count()))
    return [
        Panel(
            title="Chuyển đổi số",
            figures=figures,
            links=[
                ("Báo cáo chuyển đổi số", reverse("monitoring:reports")),
                ("Tổng quan tiến độ", reverse("monitoring:overview")),
                ("Đơn vị chậm báo cáo", reverse("monitoring:late")),
            ],
            order=40,
        )
    ]
