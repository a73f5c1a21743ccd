"""One rule for showing a service's refusal on a form (``tinhso.forms.form_errors_apply``),
used by the data, monitoring and feedback pages."""

from django import forms
from django.core.exceptions import ValidationError

from tinhso.forms import form_errors_apply


class SampleForm(forms.Form):
    title = forms.CharField(required=False)
    file1 = forms.FileField(required=False)


def _form():
    form = SampleForm(data={})
    assert form.is_valid()
    return form


def test_each_message_goes_to_the_field_it_names_or_to_the_form():
    form = _form()
    form_errors_apply(form, ValidationError({"title": ["Tên trống."], "version": ["Đã thay đổi."]}))
    assert form.errors["title"] == ["Tên trống."]
    assert form.non_field_errors() == ["Đã thay đổi."]


def test_an_error_without_a_field_goes_to_the_form():
    form = _form()
    form_errors_apply(form, ValidationError("Không được phép."))
    assert form.non_field_errors() == ["Không được phép."]


def test_a_service_field_shown_under_another_name():
    form = _form()
    form_errors_apply(form, ValidationError({"files": ["Tệp sai."]}), aliases={"files": "file1"})
    assert form.errors["file1"] == ["Tệp sai."]
    form = _form()
    form_errors_apply(form, ValidationError({"files": ["Tệp sai."]}))
    assert form.non_field_errors() == ["Tệp sai."]
