"""Forms of the studio's pages (thin: the rules are in ``studio.services``/``spec``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.services.studio import spec as fs


class FieldAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kiểu trường"), choices=list(fs.KINDS.items()))
    label = forms.CharField(label=_("Nhãn"), max_length=255)
    parent = forms.ChoiceField(label=_("Thêm vào"), required=False)

    def __init__(self, *args: Any, blocks: list[dict[str, Any]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("Cuối biểu mẫu"))] + [
            (b["name"], _("Nhóm lặp lại: %s") % b["label"]) for b in blocks
        ]


class FieldSettingsForm(forms.Form):
    """A field's settings; which ones apply depends on its kind (the template shows those)."""

    label = forms.CharField(label=_("Nhãn"), max_length=255)
    help = forms.CharField(label=_("Hướng dẫn, giải thích"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Bắt buộc"), required=False)
    subject = forms.BooleanField(
        label=_("Đối tượng của hồ sơ (cảnh báo khi nộp trùng trong ngày)"),
        required=False,
        help_text=_(
            "Đánh dấu các trường cho biết hồ sơ về ai, về việc gì (ví dụ họ tên và ngày sinh "
            "của trẻ). Không đánh dấu trường nào: dùng số định danh, hoặc họ tên và ngày "
            "đầu tiên, ở phần đầu biểu mẫu."
        ),
    )
    min_length = forms.IntegerField(label=_("Độ dài tối thiểu"), required=False, min_value=0)
    max_length = forms.IntegerField(label=_("Độ dài tối đa"), required=False, min_value=1)
    min_value = forms.IntegerField(label=_("Giá trị nhỏ nhất"), required=False)
    max_value = forms.IntegerField(label=_("Giá trị lớn nhất"), required=False)
    pattern = forms.CharField(
        label=_("Mẫu kiểm tra (biểu thức chính quy)"), max_length=200, required=False
    )
    pattern_message = forms.CharField(
        label=_("Thông báo khi không khớp mẫu"), max_length=255, required=False
    )
    choices = forms.CharField(
        label=_("Các lựa chọn (mỗi dòng một lựa chọn)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    show_if_field = forms.ChoiceField(label=_("Chỉ hiện khi trường"), required=False)
    show_if_equals = forms.CharField(
        label=_("có giá trị (để trống: khi đã điền)"), max_length=255, required=False
    )
    prefill = forms.ChoiceField(
        label=_("Điền sẵn từ hồ sơ định danh"),
        required=False,
        choices=[("", "—"), *list(fs.PREFILL.items())],
    )
    part = forms.TypedChoiceField(
        label=_("Thành phần hồ sơ"), required=False, coerce=int, empty_value=None
    )
    min_items = forms.IntegerField(
        label=_("Số dòng tối thiểu"), required=False, min_value=0, max_value=fs.REPEAT_MAX
    )
    max_items = forms.IntegerField(
        label=_("Số dòng tối đa"), required=False, min_value=1, max_value=fs.REPEAT_MAX
    )

    def __init__(
        self,
        *args: Any,
        earlier: list[dict[str, Any]] = (),  # type: ignore[assignment]
        parts: list[Any] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show_if_field"].choices = [("", _("Luôn hiện"))] + [
            (f["name"], f["label"]) for f in earlier
        ]
        self.fields["part"].choices = [("", "—")] + [(p.pk, p.name[:120]) for p in parts]

    @classmethod
    def initial_from(cls, spec: dict[str, Any]) -> dict[str, Any]:
        cond = spec.get("show_if") or {}
        return {
            **{k: spec.get(k) for k in fs.KEYS if k not in ("choices", "show_if", "children")},
            "choices": "\n".join(spec.get("choices") or []),
            "show_if_field": cond.get("field", ""),
            "show_if_equals": cond.get("equals", ""),
        }

    def values(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        field_name = d.pop("show_if_field", "")
        equals = d.pop("show_if_equals", "")
        d["show_if"] = {"field": field_name, "equals": equals} if field_name else None
        d["choices"] = [c.strip() for c in (d.get("choices") or "").splitlines() if c.strip()]
        return d


class PublishForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú thay đổi"), max_length=500, required=False)


class ResultTemplateForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề kết quả"), max_length=255)
    body = forms.CharField(
        label=_("Nội dung (dùng {ten_truong} để chèn giá trị đã khai)"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class StageForm(forms.Form):
    """One processing step of the draft (its kind fixed; ``StageAddForm`` chooses it)."""

    name = forms.CharField(label=_("Tên bước"), max_length=255)
    role = forms.ChoiceField(label=_("Vai trò thực hiện"))
    share = forms.IntegerField(label=_("Tỷ lệ thời hạn giải quyết (%)"), min_value=0, max_value=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from tinhso.services.studio.steps import STAGE_ROLES

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(STAGE_ROLES.items())


class StageAddForm(StageForm):
    kind = forms.ChoiceField(label=_("Loại bước"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from tinhso.services.studio.steps import ADDABLE, STAGE_KINDS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, STAGE_KINDS[k]) for k in ADDABLE]
        self.order_fields(["kind", "name", "role", "share"])
