"""Panels on "my page": the sender's feedback, the units' feedback queue."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import scope_paths
from tinhso.feedback import permissions as perms
from tinhso.feedback.selectors import feedback_list_for_sender, feedback_queue
from tinhso.panels import Panel, panel_register


@panel_register
def feedback_panels(user: User) -> list[Panel]:
    panels: list[Panel] = []
    if not getattr(user, "is_authenticated", False):
        return panels
    if getattr(user, "is_applicant", False):
        panels.append(
            Panel(
                title=_("Phản ánh, kiến nghị"),
                links=[
                    (_("Phản ánh của tôi"), reverse("feedback:mine")),
                    (_("Gửi phản ánh, kiến nghị"), reverse("feedback:submit")),
                ],
                figures=[(_("Đã gửi"), feedback_list_for_sender(user=user).count())],
                order=20,
            )
        )
    if scope_paths(user, perms.VIEW) != []:
        qs = feedback_queue(user=user)
        now = timezone.now()
        panels.append(
            Panel(
                title=_("Phản ánh, kiến nghị cần xử lý"),
                links=[(_("Hàng đợi phản ánh"), reverse("feedback:queue"))],
                figures=[
                    (_("Đang xử lý"), qs.count()),
                    (_("Quá hạn"), qs.filter(due_at__lt=now).count()),
                ],
                order=20,
            )
        )
    return panels
