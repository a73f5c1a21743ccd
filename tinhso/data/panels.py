"""Panels of the data app on the role page ("trang của tôi")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import scope_paths, user_units
from tinhso.accounts.usertypes import AnyUser
from tinhso.panels import Panel, panel_register


@panel_register
def data_panels(user: AnyUser) -> list[Panel]:
    if not getattr(user, "is_authenticated", False):
        return []
    if not user_units(user) and not getattr(user, "is_superuser", False):
        return []
    from tinhso.data.selectors import requests_to_decide

    links = [(_("Danh mục dữ liệu"), reverse("data:list"))]
    figures: list[tuple[str, Any]] = []
    if scope_paths(user, "data.manage") != []:
        links.append((_("Bộ dữ liệu của đơn vị"), reverse("data:manage")))
    if scope_paths(user, "data.client") != []:
        links.append((_("Hệ thống kết nối và khóa API"), reverse("data:clients")))
    if scope_paths(user, "data.usage") != []:
        links.append((_("Ai đang dùng dữ liệu của đơn vị"), reverse("data:usage")))
    if scope_paths(user, "data.grant") != [] or scope_paths(user, "data.request") != []:
        links.append((_("Yêu cầu truy cập dữ liệu"), reverse("data:requests")))
    if scope_paths(user, "data.grant") != []:
        pending = requests_to_decide(user=user).filter(status="pending").count()
        figures.append((_("Yêu cầu chờ duyệt"), pending))
    return [Panel(title=_("Dữ liệu dùng chung"), links=links, figures=figures, order=70)]
