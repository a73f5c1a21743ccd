from __future__ import annotations

from django.db.models import QuerySet

from tinhso.accounts.models import Membership, User


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("org_unit").order_by("role")


def user_get_by_username(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=username).first()
