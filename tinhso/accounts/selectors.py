from __future__ import annotations

from django.db.models import QuerySet

from tinhso.accounts.models import Membership, User


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("org_unit").order_by("role")


def user_get_by_username(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=username).first()


def user_language(*, user_id: int) -> str:
    """The language messages to the user are written in: the account's preferred language
    when the platform offers it, else the platform's (Vietnamese)."""
    from django.conf import settings

    chosen = User.objects.filter(pk=user_id).values_list("preferred_language", flat=True).first()
    codes = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in codes else settings.LANGUAGE_CODE


def user_notify_channels_off(*, user_id: int) -> set[str]:
    """The notification channels the user has turned off (names as in
    ``TINHSO_NOTIFY_SENDERS``: "email", "sms"); empty for an unknown user."""
    row = User.objects.filter(pk=user_id).values("notify_email", "notify_sms").first()
    if row is None:
        return set()
    return {
        name for name, on in (("email", row["notify_email"]), ("sms", row["notify_sms"])) if not on
    }
