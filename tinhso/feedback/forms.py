"""Forms for the feedback pages (thin: the rules are in ``services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import User
from tinhso.feedback.models import Category, Feedback, Rating
from tinhso.feedback.selectors import (
    feedback_procedures,
    feedback_sender_dossiers,
    feedback_units,
)
from tinhso.orgs.models import OrgUnit
from tinhso.services.models import Dossier, Procedure

FILE_HELP = _("Không bắt buộc. PDF, JPG hoặc PNG; tối đa 3 tệp.")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.agency_name


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Procedure) -> str:
        return f"{obj.name[:120]} ({obj.code})"


class DossierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Dossier) -> str:
        return f"{obj.number} — {obj.procedure.name[:80]}"


class FilesMixin(forms.Form):
    file1 = forms.FileField(label=_("Tệp đính kèm 1"), required=False, help_text=FILE_HELP)
    file2 = forms.FileField(label=_("Tệp đính kèm 2"), required=False)
    file3 = forms.FileField(label=_("Tệp đính kèm 3"), required=False)

    def uploads(self) -> list[Any]:
        return [self.files[n] for n in ("file1", "file2", "file3") if self.files.get(n)]


class SubmitForm(FilesMixin):
    category = forms.ChoiceField(label=_("Loại phản ánh, kiến nghị"), choices=Category.choices)
    subject = forms.CharField(label=_("Tiêu đề"), max_length=255)
    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 6}))
    procedure = ProcedureChoiceField(
        label=_("Về thủ tục hành chính"), queryset=Procedure.objects.none(), required=False
    )
    org_unit = UnitChoiceField(
        label=_("Về cơ quan, đơn vị"), queryset=OrgUnit.objects.none(), required=False
    )
    dossier = DossierChoiceField(
        label=_("Về hồ sơ của tôi"), queryset=Dossier.objects.none(), required=False
    )
    name = forms.CharField(label=_("Họ tên"), max_length=255, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    publish_consent = forms.BooleanField(
        label=_("Tôi đồng ý công khai phản ánh và câu trả lời (đã ẩn thông tin cá nhân)"),
        required=False,
    )

    field_order = [
        "category", "subject", "text", "procedure", "org_unit", "dossier",
        "name", "email", "phone", "file1", "file2", "file3", "publish_consent",
    ]  # fmt: skip

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = feedback_procedures()
        self.fields["org_unit"].queryset = feedback_units()
        if user is not None and user.is_authenticated:
            self.fields["dossier"].queryset = feedback_sender_dossiers(user=user)
            for name in ("name", "email", "phone"):
                del self.fields[name]
        else:
            del self.fields["dossier"]
            self.fields["name"].required = True
            self.fields["email"].help_text = _(
                "Để lại thư điện tử hoặc số điện thoại để nhận trả lời."
            )


class AddInfoForm(FilesMixin):
    text = forms.CharField(label=_("Thông tin bổ sung"), widget=forms.Textarea(attrs={"rows": 4}))


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Bạn có hài lòng với câu trả lời?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Lý do (bắt buộc khi không hài lòng)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TrackForm(forms.Form):
    so = forms.CharField(label=_("Số phản ánh"), max_length=30)
    ma = forms.CharField(label=_("Mã tra cứu"), max_length=64)


class ForwardForm(forms.Form):
    category = forms.ChoiceField(label=_("Phân loại"), choices=Category.choices)
    org_unit = UnitChoiceField(label=_("Đơn vị xử lý"), queryset=OrgUnit.objects.none())
    comment = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000)

    def __init__(
        self, *args: Any, feedback: Feedback, suggested: OrgUnit | None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["org_unit"].queryset = feedback_units()
        self.fields["category"].initial = feedback.category
        self.fields["org_unit"].initial = suggested.pk if suggested else None


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do đóng (ngoài thẩm quyền)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DraftForm(forms.Form):
    answer = forms.CharField(label=_("Dự thảo trả lời"), widget=forms.Textarea(attrs={"rows": 6}))
    publish = forms.BooleanField(label=_("Đề xuất công khai câu trả lời"), required=False)
    public_question = forms.CharField(
        label=_("Nội dung phản ánh để công khai (đã ẩn thông tin cá nhân)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Để trống: tự động ẩn thư điện tử, số điện thoại, số giấy tờ, họ tên."),
    )


class ApproveForm(forms.Form):
    answer = forms.CharField(label=_("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 6}))
    publish = forms.BooleanField(label=_("Công khai câu trả lời"), required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến khi trả lại dự thảo"), widget=forms.Textarea(attrs={"rows": 3})
    )


class QueueFilterForm(forms.Form):
    STATUS = [("open", _("Đang mở")), ("", _("Tất cả"))]
    trang_thai = forms.ChoiceField(label=_("Trạng thái"), choices=STATUS, required=False)
    q = forms.CharField(label=_("Tìm theo số, tiêu đề"), required=False, max_length=100)


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=100)
    thu_tuc = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=40)
    don_vi = UnitChoiceField(
        label=_("Đơn vị trả lời"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["don_vi"].queryset = feedback_units()
