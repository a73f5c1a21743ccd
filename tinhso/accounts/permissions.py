"""The one permission layer: "may this user do this action to this object?"

Actions are registered by the apps (``permission_register``) with the roles that may take
them. A user holds a role through a ``Membership`` in an org unit, and the role reaches
that unit's whole subtree (``OrgUnit.path`` prefix). The platform administrator reaches
everything. Querysets are narrowed with ``scope_q`` so lists never show foreign records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.db.models import Q
from django.utils import timezone

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.usertypes import AnyUser
from tinhso.orgs.models import OrgUnit

_ACTIONS: dict[str, frozenset[str]] = {}


class HasOrgUnit(Protocol):
    org_unit: OrgUnit


def permission_register(action: str, *, roles: Iterable[str]) -> None:
    """Declare which roles may take ``action`` (within their units' subtrees)."""
    _ACTIONS[action] = frozenset(roles)


def permission_roles(action: str) -> frozenset[str]:
    try:
        return _ACTIONS[action]
    except KeyError:
        raise KeyError(f"Unknown permission action: {action}") from None


def _active_memberships(user: AnyUser | None, on: dt.date | None = None) -> list[Membership]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = getattr(user, "_tinhso_memberships", None)
    if cache is None:
        cache = list(Membership.objects.filter(user=user).select_related("org_unit"))
        user._tinhso_memberships = cache  # type: ignore[attr-defined]  # per-request cache
    day = on or timezone.localdate()
    return [
        m
        for m in cache
        if (m.valid_from is None or m.valid_from <= day)
        and (m.valid_to is None or day < m.valid_to)
    ]


def user_is_admin(user: AnyUser | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or any(m.role == Role.ADMIN for m in _active_memberships(user))


def user_roles(user: AnyUser | None) -> set[str]:
    roles = {m.role for m in _active_memberships(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def scope_paths(user: AnyUser | None, action: str) -> list[str] | None:
    """Org-unit path prefixes where ``user`` may take ``action``; None means everywhere."""
    allowed = permission_roles(action)
    if user_is_admin(user) and Role.ADMIN in allowed:
        return None
    paths = sorted({m.org_unit.path for m in _active_memberships(user) if m.role in allowed})
    # drop paths covered by a shorter one
    return [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]


def scope_q(user: AnyUser | None, action: str, *, field: str = "org_unit") -> Q:
    """A filter for querysets: rows whose ``field`` (an OrgUnit FK) is in the user's scope."""
    paths = scope_paths(user, action)
    if paths is None:
        return Q()
    cond = Q(pk__in=[])
    for path in paths:
        cond |= Q(**{f"{field}__path__startswith": path})
    return cond


def user_can(
    *,
    user: AnyUser | None,
    action: str,
    org_unit: OrgUnit | None = None,
    obj: HasOrgUnit | None = None,
) -> bool:
    """May ``user`` take ``action`` on ``obj`` (or on something belonging to ``org_unit``)?"""
    if org_unit is None and obj is not None:
        org_unit = obj.org_unit
    paths = scope_paths(user, action)
    if paths is None:
        return True
    if org_unit is None:
        return bool(paths)
    return any(org_unit.path.startswith(p) for p in paths)


def user_units(user: AnyUser | None, *, roles: Iterable[str] | None = None) -> list[OrgUnit]:
    wanted = set(roles) if roles else None
    return [m.org_unit for m in _active_memberships(user) if wanted is None or m.role in wanted]


def official_has_role(user: User, role: str) -> bool:
    return role in user_roles(user)


# Actions of the foundation itself.
permission_register("orgs.view", roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
permission_register("orgs.manage", roles=[Role.ADMIN])
permission_register("audit.view", roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
permission_register("accounts.manage", roles=[Role.ADMIN])


def identity_required_level() -> int:
    """The verified-identity level needed to submit dossiers (0: no requirement)."""
    from django.conf import settings

    return int(getattr(settings, "IDENTITY_REQUIRED_LEVEL", 0) or 0)


def user_identity_sufficient(user: AnyUser) -> bool:
    """May this applicant submit dossiers under the verified-identity setting?"""
    level = identity_required_level()
    if level <= 0:
        return True
    if not isinstance(user, User):
        return False
    return bool(user.identity_verified and (user.identity_level or 0) >= level)
