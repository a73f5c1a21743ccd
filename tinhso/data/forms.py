"""Forms of the portal pages (validation of shape only; rules live in services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import User
from tinhso.data.fields import DATASET_FIELD_NAMES, DATASET_FK_FIELDS
from tinhso.data.models import AccessLevel, ClientSystem, Frequency, Licence, Resource, Theme
from tinhso.data.tabular import TabularError, format_from_filename, size_error
from tinhso.orgs.models import OrgUnit


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


class MultipleUnitField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class DatasetForm(forms.Form):
    """Every catalogue field of a dataset. ``name`` and the owner unit are set at creation;
    the owner can be changed later only among the units the official manages."""

    name = forms.SlugField(
        label=_("Mã bộ dữ liệu (dùng trong đường dẫn, không đổi được)"),
        max_length=100,
        help_text=_("Chữ thường không dấu, số, gạch ngang. Ví dụ: truong-hoc-2025."),
        error_messages={
            "invalid": _("Mã bộ dữ liệu chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
        },
    )
    title = forms.CharField(label=_("Tên bộ dữ liệu"), max_length=255)
    title_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=255, required=False)
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 4}))
    description_en = forms.CharField(
        label=_("Mô tả tiếng Anh"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    org_unit = UnitField(
        label=_("Đơn vị chủ quản"),
        queryset=OrgUnit.objects.none(),
        error_messages={"invalid_choice": _("Bạn không quản lý dữ liệu của đơn vị này.")},
    )
    theme = forms.ChoiceField(label=_("Lĩnh vực"), choices=Theme.choices)
    keywords = forms.CharField(
        label=_("Từ khóa (phân cách bằng dấu phẩy)"), max_length=1000, required=False
    )
    steward = forms.ModelChoiceField(
        label=_("Người phụ trách"), queryset=User.objects.none(), required=False
    )
    contact_name = forms.CharField(label=_("Đầu mối liên hệ"), max_length=255)
    contact_email = forms.EmailField(
        label=_("Thư điện tử liên hệ"),
        error_messages={"invalid": _("Thư điện tử liên hệ không hợp lệ.")},
    )
    frequency = forms.ChoiceField(label=_("Tần suất cập nhật"), choices=Frequency.choices)
    licence = forms.ChoiceField(label=_("Giấy phép"), choices=Licence.choices)
    access_level = forms.ChoiceField(label=_("Mức truy cập"), choices=AccessLevel.choices)
    shared_with = MultipleUnitField(
        label=_("Chia sẻ cho đơn vị (khi mức truy cập là “chia sẻ”)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    spatial_unit = UnitField(
        label=_("Phạm vi không gian (đơn vị hành chính)"),
        queryset=OrgUnit.objects.none(),
        required=False,
    )
    spatial_label = forms.CharField(
        label=_("Phạm vi không gian (mô tả)"), max_length=255, required=False
    )
    temporal_start = forms.DateField(label=_("Thời gian từ"), widget=DateInput, required=False)
    temporal_end = forms.DateField(label=_("Thời gian đến"), widget=DateInput, required=False)
    source = forms.CharField(label=_("Nguồn"), max_length=500, required=False)

    def __init__(
        self, *args: Any, owner_units: Any, all_units: Any, stewards: Any, editing: bool, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["org_unit"].queryset = owner_units
        self.fields["shared_with"].queryset = all_units
        self.fields["spatial_unit"].queryset = all_units.filter(category="administrative")
        self.fields["steward"].queryset = stewards
        if editing:
            del self.fields["name"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name != name.lower():
            raise forms.ValidationError(
                _("Mã bộ dữ liệu chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
            )
        return name

    def clean_keywords(self) -> list[str]:
        raw = self.cleaned_data.get("keywords") or ""
        return [k.strip() for k in raw.split(",") if k.strip()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        start, end = data.get("temporal_start"), data.get("temporal_end")
        if start and end and end < start:
            self.add_error("temporal_end", _("Thời gian kết thúc phải sau thời gian bắt đầu."))
        if data.get("access_level") == AccessLevel.PUBLIC and data.get("licence") == (
            Licence.RESTRICTED
        ):
            self.add_error("licence", _("Dữ liệu công khai phải có giấy phép mở."))
        return data

    @staticmethod
    def initial_for(dataset: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f: getattr(dataset, f"{f}_id" if f in DATASET_FK_FIELDS else f)
            for f in DATASET_FIELD_NAMES
        }
        initial["org_unit"] = dataset.org_unit_id
        initial["keywords"] = ", ".join(k.name for k in dataset.keywords.all())
        initial["shared_with"] = [u.pk for u in dataset.shared_with.all()]
        return initial


class ResourceUploadForm(forms.Form):
    name = forms.CharField(label=_("Tên tài nguyên"), max_length=255)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    file = forms.FileField(
        label=_("Tệp dữ liệu (CSV, XLSX, JSON hoặc GeoJSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json,.geojson"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if (error := size_error(upload.size)) is not None:
            raise forms.ValidationError(error)
        try:
            format_from_filename(upload.name)
        except TabularError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload


class ResourceReplaceForm(ResourceUploadForm):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        del self.fields["name"]
        del self.fields["description"]
        self.fields["file"].label = _("Tệp mới (cùng định dạng)")
