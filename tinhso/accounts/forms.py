from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")


class CitizenRegistrationForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    citizen_id = forms.CharField(
        label=_("Số CCCD"), max_length=14, help_text=_("12 chữ số trên căn cước công dân.")
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput, min_length=10)


class BusinessRegistrationForm(forms.Form):
    business_name = forms.CharField(label=_("Tên doanh nghiệp"), max_length=255)
    tax_code = forms.CharField(
        label=_("Mã số thuế"), max_length=16, help_text=_("10 hoặc 13 chữ số.")
    )
    full_name = forms.CharField(label=_("Người đại diện"), max_length=255, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput, min_length=10)


class PasswordChangeForm(forms.Form):
    """The fields of the profile page's password change (checked by the service)."""

    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        min_length=10,
        help_text=_("Ít nhất 10 ký tự, không quá giống tên đăng nhập, không chỉ gồm chữ số."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("Hai mật khẩu mới không khớp nhau."))
        return data


class NotifyPrefsForm(forms.Form):
    notify_email = forms.BooleanField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Khi hồ sơ, phản ánh của bạn đổi trạng thái."),
    )
    notify_sms = forms.BooleanField(
        label=_("Tin nhắn SMS"),
        required=False,
        help_text=_("Tin nhắn ngắn tới số điện thoại của bạn."),
    )
    language = forms.ChoiceField(
        label=_("Ngôn ngữ của thông báo"),
        choices=settings.LANGUAGES,
        help_text=_("Thư và tin nhắn gửi cho bạn được viết bằng ngôn ngữ này."),
    )
