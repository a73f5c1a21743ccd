"""The account's own panel on "my page": the profile (password, notifications)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.accounts.usertypes import AnyUser
from tinhso.panels import Panel, panel_register


@panel_register
def _account_panels(user: AnyUser) -> list[Panel]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        Panel(
            title=_("Tài khoản của tôi"),
            body=_("Đổi mật khẩu, chọn cách nhận thông báo."),
            links=[(_("Mở trang tài khoản"), "/tai-khoan/cua-toi/"), (_("Trợ giúp"), "/tro-giup/")],
            order=85,
        )
    ]
