from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.monitoring.models import Indicator, PlanTask, Target
from tinhso.monitoring.periods import Period
from tinhso.orgs.models import OrgUnit


class ValueForm(forms.Form):
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Đơn vị báo cáo"))
    period = forms.ChoiceField(label=_("Kỳ báo cáo"))
    numerator = forms.CharField(label=_("Tử số"), required=False)
    denominator = forms.CharField(label=_("Mẫu số"), required=False)
    value = forms.CharField(
        label=_("Giá trị"),
        required=False,
        help_text=_("Bỏ trống nếu đã nhập tử số và mẫu số: hệ thống tự tính."),
    )
    comment = forms.CharField(
        label=_("Giải trình"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi số liệu thay đổi nhiều so với kỳ trước."),
    )
    evidence = forms.FileField(
        label=_("Tệp minh chứng"),
        required=False,
        help_text=_("PDF, PNG, JPEG, XLSX hoặc DOCX."),
    )

    def __init__(
        self,
        *args: Any,
        indicator: Indicator,
        units: list[OrgUnit],
        periods: list[Period],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["org_unit"].label_from_instance = lambda u: u.agency_name
        if len(units) == 1:
            self.fields["org_unit"].initial = units[0].pk
        self.fields["period"].choices = [(p.key, p.label) for p in periods]
        if indicator.has_ratio:
            self.fields["numerator"].label = indicator.numerator_label
            self.fields["denominator"].label = indicator.denominator_label
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]
            self.fields["value"].help_text = indicator.get_unit_display()


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("Thêm tệp minh chứng"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) theo mẫu"))


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=PlanTask.Status.choices)
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("Ghi chú tiến độ"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TargetForm(forms.Form):
    """One year of an indicator's path for a unit (numbers are parsed by the service, so
    Vietnamese decimals such as 12,5 are accepted)."""

    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=[
            (Target.Kind.ENTERED, _("Chỉ tiêu được giao")),
            (Target.Kind.BASELINE, _("Giá trị nền (năm gốc)")),
        ],
    )
    comparator = forms.ChoiceField(
        label=_("So sánh"),
        choices=[
            (">=", _("≥ (ít nhất)")),
            (">", _("> (trên)")),
            ("<=", _("≤ (nhiều nhất)")),
            ("<", _("< (dưới)")),
            ("=", _("= (bằng)")),
        ],
    )
    value = forms.CharField(label=_("Giá trị"), max_length=30)
    source = forms.CharField(label=_("Nguồn / căn cứ"), required=False, max_length=255)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)


class TaskForm(forms.Form):
    year = forms.IntegerField(label=_("Năm kế hoạch"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("Nhiệm vụ"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Đơn vị chủ trì"))
    head = forms.TypedChoiceField(
        label=_("Người đứng đầu chịu trách nhiệm"), coerce=int, required=False, empty_value=None
    )
    deadline = forms.DateField(label=_("Thời hạn"), widget=DateInput())
    indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.none(),
        label=_("Chỉ tiêu liên quan"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Giữ Ctrl (hoặc ⌘) để chọn nhiều chỉ tiêu."),
    )
    source = forms.CharField(label=_("Căn cứ"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        units: list[OrgUnit],
        heads: list[tuple[Any, OrgUnit]],
        indicators: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["org_unit"].label_from_instance = lambda u: u.agency_name
        self.heads = {u.pk: u for u, _unit in heads}
        self.fields["head"].choices = [("", _("— Chưa giao —"))] + [
            (u.pk, f"{u.display_name} — {unit.agency_name}") for u, unit in heads
        ]
        self.fields["indicators"].queryset = indicators
        self.fields["indicators"].label_from_instance = lambda i: f"{i.code} — {i.name}"
