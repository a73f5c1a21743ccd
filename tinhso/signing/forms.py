from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.signing import conf


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần xác minh"),
        help_text=_("Tệp PDF kết quả đã ký số, tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > conf.max_upload_bytes():
            raise ValidationError(
                _("Tệp quá lớn (tối đa %(mb)s MB).")
                % {"mb": conf.max_upload_bytes() // (1024 * 1024)}
            )
        data = upload.read(conf.max_upload_bytes() + 1)
        if len(data) > conf.max_upload_bytes():
            raise ValidationError(_("Tệp quá lớn."))
        # judged by content, not by name or declared type
        if not data[:1024].lstrip().startswith(b"%PDF-"):
            raise ValidationError(_("Tệp không phải là tài liệu PDF."))
        return data
