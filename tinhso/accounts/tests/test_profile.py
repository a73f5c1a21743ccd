"""The citizen's own account page (issue 15, item 9): password change with its bad paths, and
notification preferences that the notification sending respects."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tinhso.accounts.models import User
from tinhso.accounts.services import user_notify_prefs_set, user_password_change
from tinhso.audit.models import AuditEntry
from tinhso.testing import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/cua-toi/"
NEW = "mot-mat-khau-moi-rat-dai"


def _change(client, old, new1, new2=None):
    return client.post(
        URL,
        {
            "action": "password",
            "old_password": old,
            "new_password1": new1,
            "new_password2": new2 or new1,
        },
    )


def test_profile_needs_login(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/tai-khoan/dang-nhap/" in r["Location"]


def test_profile_shows_the_account(client, user_named):
    me = user_named("congdan")
    client.force_login(me)
    page = client.get(URL).content.decode()
    assert me.citizen_id in page and "Đổi mật khẩu" in page and "Nhận thông báo" in page
    # my page links to it
    assert URL in client.get("/trang-cua-toi/").content.decode()


def test_password_change_keeps_the_session_and_is_audited(client, user_named):
    me = user_named("congdan")
    client.force_login(me)
    r = _change(client, DEMO_PASSWORD, NEW)
    assert r.status_code == 302
    me.refresh_from_db()
    assert me.check_password(NEW) and not me.check_password(DEMO_PASSWORD)
    assert client.get(URL).status_code == 200  # still signed in
    entry = AuditEntry.objects.filter(action="user.password_change").get()
    assert entry.actor_id == me.pk and NEW not in str(entry.changes)


@pytest.mark.parametrize(
    ("old", "new1", "new2", "field", "message"),
    [
        ("sai-mat-khau-cu", NEW, NEW, "old_password", "Mật khẩu hiện tại không đúng."),
        (DEMO_PASSWORD, NEW, NEW + "x", "new_password2", "Hai mật khẩu mới không khớp nhau."),
        (DEMO_PASSWORD, "ngan", "ngan", "new_password1", "10"),
        (DEMO_PASSWORD, "1234567890123", "1234567890123", "new_password1", ""),
        (DEMO_PASSWORD, DEMO_PASSWORD, DEMO_PASSWORD, "new_password1", "phải khác"),
    ],
)
def test_password_change_bad_paths_store_nothing(
    client, user_named, old, new1, new2, field, message
):
    me = user_named("congdan")
    before = User.objects.get(pk=me.pk).password
    client.force_login(me)
    r = _change(client, old, new1, new2)
    assert r.status_code == 400
    form = r.context["password_form"]
    assert form.errors.get(field), form.errors
    if message:
        assert message in " ".join(form.errors[field])
    assert User.objects.get(pk=me.pk).password == before
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


def test_password_change_is_throttled(client, user_named, settings):
    me = user_named("congdan")
    client.force_login(me)
    from tinhso.accounts import views

    for _i in range(views.PASSWORD_CHANGES_PER_HOUR):
        assert _change(client, "sai", NEW).status_code == 400
    r = _change(client, DEMO_PASSWORD, NEW)  # even the right one, once over the limit
    assert r.status_code == 429
    me.refresh_from_db()
    assert me.check_password(DEMO_PASSWORD)


def test_password_change_service_refuses_accounts_without_password(user_named):
    me = user_named("congdan")
    me.set_unusable_password()
    me.save()
    with pytest.raises(ValidationError) as exc:
        user_password_change(user=me, old_password="", new_password=NEW)
    assert "old_password" in exc.value.message_dict


def test_notification_preferences_saved_and_audited(client, user_named):
    me = user_named("congdan")
    client.force_login(me)
    r = client.post(URL, {"action": "notify", "notify_email": "on", "language": "en"})  # no SMS
    assert r.status_code == 302
    me.refresh_from_db()
    assert me.notify_email and not me.notify_sms
    assert me.preferred_language == "en"  # notifications are then written in English
    entry = AuditEntry.objects.get(action="user.notify_prefs")
    assert entry.changes["before"] == {"email": True, "sms": True, "language": "vi"}
    assert entry.changes["after"] == {"email": True, "sms": False, "language": "en"}
    shown = client.get(URL).context["notify_form"]
    assert shown["notify_email"].value() is True and shown["notify_sms"].value() is False
    assert shown["language"].value() == "en"


def test_unsupported_notification_language_is_refused(client, user_named):
    me = user_named("congdan")
    client.force_login(me)
    r = client.post(URL, {"action": "notify", "notify_email": "on", "language": "fr"})
    assert r.status_code == 400
    me.refresh_from_db()
    assert me.preferred_language == "vi" and me.notify_sms  # nothing changed
    assert not AuditEntry.objects.filter(action="user.notify_prefs").exists()
    with pytest.raises(ValidationError):
        user_notify_prefs_set(user=me, email=True, sms=True, language="fr")


def test_unknown_action_changes_nothing(client, user_named):
    me = user_named("congdan")
    client.force_login(me)
    assert client.post(URL, {"action": "xoa-tai-khoan"}).status_code == 400
    me.refresh_from_db()
    assert me.notify_email and me.notify_sms and me.is_active


def _queued_channels(settings, user_id):
    """The channels a notification to ``user_id`` is queued on."""
    from django_tasks_db.models import DBTaskResult

    from tinhso.services.notifications import Notification, notification_send_all

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TINHSO_NOTIFY_SENDERS = ["email", "sms"]
    DBTaskResult.objects.all().delete()
    notification_send_all(
        Notification(
            email="a@example.vn",
            phone="0912345678",
            subject="s",
            body="b",
            dossier_number="X",
            user_id=user_id,
        )
    )
    return sorted(r.args_kwargs["kwargs"]["channel"] for r in DBTaskResult.objects.all())


def test_notification_sending_respects_the_preferences(settings, user_named):
    me = user_named("congdan")
    assert _queued_channels(settings, me.pk) == ["email", "sms"]
    user_notify_prefs_set(user=me, email=False, sms=True)
    assert _queued_channels(settings, me.pk) == ["sms"]
    user_notify_prefs_set(user=me, email=False, sms=False)
    assert _queued_channels(settings, me.pk) == []
    # a message about no account (a counter applicant) goes on every channel
    assert _queued_channels(settings, None) == ["email", "sms"]
