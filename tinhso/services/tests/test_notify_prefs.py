"""A dossier's status news goes only on the channels its applicant accepts (issue 15,
item 9: the profile page's notification preferences)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from tinhso.accounts.services import user_notify_prefs_set
from tinhso.services.services import dossier_act

pytestmark = pytest.mark.django_db


def _channels_of_next_action(settings, submit_birth, user_named):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TINHSO_NOTIFY_SENDERS = ["email", "sms"]
    d = submit_birth()
    DBTaskResult.objects.all().delete()
    dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    return sorted(
        r.args_kwargs["kwargs"]["channel"]
        for r in DBTaskResult.objects.filter(task_path__endswith="notification_send")
    )


def test_both_channels_by_default(settings, submit_birth, user_named):
    assert _channels_of_next_action(settings, submit_birth, user_named) == ["email", "sms"]


def test_sms_turned_off_is_not_sent(settings, submit_birth, user_named):
    user_notify_prefs_set(user=user_named("congdan"), email=True, sms=False)
    assert _channels_of_next_action(settings, submit_birth, user_named) == ["email"]


def test_everything_turned_off_sends_nothing(settings, submit_birth, user_named):
    user_notify_prefs_set(user=user_named("congdan"), email=False, sms=False)
    assert _channels_of_next_action(settings, submit_birth, user_named) == []
