from __future__ import annotations

from django.db.models import QuerySet

from tinhso.accounts.models import Membership, User


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("org_unit").order_by("role")


def user_get_by_username(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=username).first()


def user_notify_channels_off(*, user_id: int) -> set[str]:
    """The notification channels the user has turned off (names as in
    ``TINHSO_NOTIFY_SENDERS``: "email", "sms"); empty for an unknown user."""
    row = User.objects.filter(pk=user_id).values("notify_email", "notify_sms").first()
    if row is None:
        return set()
    return {
        name for name, on in (("email", row["notify_email"]), ("sms", row["notify_sms"])) if not on
    }
