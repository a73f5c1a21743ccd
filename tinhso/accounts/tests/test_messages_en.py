"""Issue 15 item 10: Django's own messages are Vietnamese on Vietnamese pages (Django 5.2's
password-length message is missing from Django's vi catalogue: locale/vi supplies it), and
the VNeID sandbox's identities are described in the visitor's language."""

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tinhso.accounts.models import User
from tinhso.accounts.sandbox import IDENTITIES

pytestmark = pytest.mark.django_db


def _set_short_password(client: Client) -> str:
    user = User.objects.create_user(username="quenmatkhau", password="mat-khau-dai-123")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    r = client.get(f"/tai-khoan/dat-lai-mat-khau/{uid}/{token}/")
    assert r.status_code == 302
    r = client.post(r["Location"], {"new_password1": "xk29ab", "new_password2": "xk29ab"})
    assert r.status_code == 200
    return r.content.decode()


def test_django_password_message_in_vietnamese(client):
    body = _set_short_password(client)
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in body
    assert "too short" not in body


def test_django_password_message_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = _set_short_password(client)
    assert "This password is too short. It must contain at least 10 characters." in body


def test_django_form_message_reworded_in_vietnamese():
    from django import forms

    with translation.override("vi"):
        with pytest.raises(forms.ValidationError) as exc:
            forms.IntegerField().clean("x")
        # Django's own vi catalogue says "Nhập một số tổng thể."
        assert exc.value.messages == ["Nhập một số nguyên."]


def test_sandbox_identities_in_the_chosen_language():
    with translation.override("vi"):
        assert str(IDENTITIES["congdan"][0]) == "Nguyễn Thị Hoa — công dân, mức 2"
    with translation.override("en"):
        assert str(IDENTITIES["congdan"][0]) == "Nguyễn Thị Hoa — citizen, level 2"
