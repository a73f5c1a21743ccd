"""Forms of the portal pages (validation of shape only; rules live in services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.data.models import ClientSystem, Resource


class DateInput(forms.DateInput):
    input_type = "date"


class AccessRequestForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị đề nghị"), coerce=int)
    client = forms.TypedChoiceField(
        label=_("Hệ thống kết nối sẽ dùng dữ liệu (không bắt buộc)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    purpose = forms.CharField(label=_("Mục đích sử dụng"), widget=forms.Textarea, max_length=2000)
    valid_from = forms.DateField(label=_("Từ ngày"), widget=DateInput)
    valid_until = forms.DateField(label=_("Đến hết ngày"), widget=DateInput)

    def __init__(
        self, *args: Any, units: list[Any], clients: list[ClientSystem], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["client"].choices = [("", "—")] + [
            (c.pk, f"{c.name} ({c.org_unit.name})") for c in clients
        ]
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = today + dt.timedelta(days=365)


class ClientForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Cơ quan quản lý"), coerce=int)
    code = forms.SlugField(label=_("Mã hệ thống"), max_length=60)
    name = forms.CharField(label=_("Tên hệ thống"), max_length=255)
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea, required=False)
    contact_email = forms.EmailField(label=_("Thư điện tử kỹ thuật"), required=False)

    def __init__(self, *args: Any, units: list[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class GrantForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Hệ thống kết nối"), queryset=ClientSystem.objects.none()
    )
    resource = forms.ModelChoiceField(
        label=_("Chỉ một tài nguyên (để trống: cả bộ dữ liệu)"),
        queryset=Resource.objects.none(),
        required=False,
    )
    purpose = forms.CharField(label=_("Mục đích sử dụng"), widget=forms.Textarea, max_length=2000)
    valid_from = forms.DateField(label=_("Từ ngày"), widget=DateInput)
    valid_until = forms.DateField(label=_("Đến hết ngày"), widget=DateInput)

    def __init__(self, *args: Any, dataset: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["client"].queryset = ClientSystem.objects.filter(is_active=True).select_related(
            "org_unit"
        )
        self.fields["resource"].queryset = dataset.resources.all()
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = today + dt.timedelta(days=365)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Duyệt")), ("reject", _("Từ chối"))])
    note = forms.CharField(label=_("Ghi chú / lý do"), required=False, max_length=2000)
