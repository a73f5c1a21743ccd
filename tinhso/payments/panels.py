"""Panel of the payments app on the role page ("trang của tôi")."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.usertypes import AnyUser
from tinhso.panels import Panel, panel_register


@panel_register
def payment_panels(user: AnyUser) -> list[Panel]:
    if not isinstance(user, User):  # anonymous
        return []
    from tinhso.payments.models import Payment
    from tinhso.payments.selectors import payment_list_visible

    visible = payment_list_visible(user=user)
    pending = visible.filter(status=Payment.Status.PENDING).count()
    if not user.is_official and not visible.exists():
        return []
    return [
        Panel(
            title=_("Thanh toán phí, lệ phí"),
            links=[(_("Danh sách khoản thanh toán"), reverse("payments:list"))],
            figures=[
                (_("Chờ thanh toán"), pending),
                (_("Đã thanh toán"), visible.filter(status=Payment.Status.PAID).count()),
            ],
            order=40,
        )
    ]
