"""Account information for the signed-in user."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_roles

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    kind: str
    display_name: str
    roles: list[str]


@router.get("/me", response=MeOut, auth=django_auth, summary="Tài khoản đang đăng nhập")
def me(request: HttpRequest) -> dict[str, Any]:
    user = cast(User, request.user)  # django_auth: authenticated
    return {
        "username": user.username,
        "kind": user.kind,
        "display_name": user.display_name,
        "roles": sorted(user_roles(user)),
    }
