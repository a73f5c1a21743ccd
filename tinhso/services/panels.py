"""Panels on "my page": applicants' dossiers, officers' queue."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_units
from tinhso.accounts.usertypes import AnyUser
from tinhso.panels import Panel, panel_register
from tinhso.services.queues import AWAITING_APPROVAL, dossier_awaiting_my_approval
from tinhso.services.selectors import dossier_list_for_applicant, dossier_queue


@panel_register
def services_panels(user: AnyUser) -> list[Panel]:
    panels: list[Panel] = []
    if isinstance(user, User) and user.is_applicant:
        panels.append(
            Panel(
                title=_("Dịch vụ công"),
                links=[
                    (_("Hồ sơ của tôi"), reverse("services:mine")),
                    (_("Nộp hồ sơ mới"), reverse("services:catalogue")),
                ],
                figures=[(_("Hồ sơ đã nộp"), dossier_list_for_applicant(user=user).count())],
                order=10,
            )
        )
    waiting = dossier_awaiting_my_approval(user=user)
    first = list(waiting[:8])
    if first:
        count = waiting.count()
        panels.append(
            Panel(
                title=_("Chờ tôi phê duyệt, ký số"),
                figures=[(_("Hồ sơ chờ phê duyệt"), count)],
                links=[
                    (
                        f"{d.number} — {d.procedure.name[:80]}",
                        reverse("services:dossier", args=[d.pk]),
                    )
                    for d in first
                ]
                + (
                    [(_("Xem tất cả"), f"{reverse('services:queue')}?status={AWAITING_APPROVAL}")]
                    if count > len(first)
                    else []
                ),
                order=1,
                list_id="cho-phe-duyet",
                lead=True,
            )
        )
    if user_units(user):
        qs = dossier_queue(user=user)
        if qs.exists() or user_units(user, roles=["officer", "head"]):
            panels.append(
                Panel(
                    title=_("Hồ sơ cần xử lý"),
                    links=[
                        (_("Hàng đợi xử lý"), reverse("services:queue")),
                        (_("Tiếp nhận hồ sơ trực tiếp"), reverse("services:register")),
                    ],
                    figures=[(_("Đang giải quyết"), qs.count())],
                    order=10,
                )
            )
    return panels
