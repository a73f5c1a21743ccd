"""The type of "a user" as views and the permission layer receive it (``request.user``)."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from tinhso.accounts.models import User

AnyUser: TypeAlias = User | AnonymousUser
