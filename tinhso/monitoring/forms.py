from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.monitoring.models import Indicator
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
    from tinhso.monitoring.models import PlanTask

    status = forms.ChoiceField(label=_("Tình trạng"), choices=PlanTask.Status.choices)
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
