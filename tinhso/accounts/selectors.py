from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tinhso.accounts.models import Membership, User


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("org_unit").order_by("role")


def user_get_by_username(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=username).first()


@dataclass(frozen=True)
class UserNotifySettings:
    language: str  # messages to the user are written in it
    channels_off: set[str]  # the channels the user turned off ("email", "sms")


def user_notify_settings(*, user_id: int) -> UserNotifySettings:
    """How to write to the user, in one query: the account's preferred language when the
    platform offers it, else the platform's (Vietnamese); the channels turned off (names as
    in ``TINHSO_NOTIFY_SENDERS``). An unknown user: Vietnamese, nothing off."""
    from django.conf import settings

    row = (
        User.objects.filter(pk=user_id)
        .values("preferred_language", "notify_email", "notify_sms")
        .first()
    )
    if row is None:
        return UserNotifySettings(settings.LANGUAGE_CODE, set())
    codes = {code for code, _name in settings.LANGUAGES}
    language = row["preferred_language"]
    return UserNotifySettings(
        language if language in codes else settings.LANGUAGE_CODE,
        {
            name
            for name, on in (("email", row["notify_email"]), ("sms", row["notify_sms"]))
            if not on
        },
    )


def user_notify_channels_off(*, user_id: int) -> set[str]:
    """The notification channels the user has turned off (names as in
    ``TINHSO_NOTIFY_SENDERS``: "email", "sms"); empty for an unknown user."""
    return user_notify_settings(user_id=user_id).channels_off
