"""The one permission layer: "may this user do this action to this object?"

Actions are registered by the apps (``permission_register``) with the roles that may take
them. A user holds a role through a ``Membership`` in an org unit, and the role reaches
that unit's whole subtree (``OrgUnit.path`` prefix). The platform administrator reaches
everything.

An action on objects that belong to someone (a payment's payer, a dossier's applicant) is
registered with its ``owner`` field: the owner may take it on their own objects whatever
their roles, and ``owner_only`` names the states officials never see (an applicant's
draft). The one question every app asks: ``user_can(user=, action=, obj=)`` for one object,
``visible_q(user, action)`` for a queryset ("owner, or officials in scope").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Q, QuerySet
from django.utils import timezone

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.usertypes import AnyUser
from tinhso.orgs.models import OrgUnit


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    owner: str | None = None  # the FK to the user who owns the object (payer, applicant)
    unit: str = "org_unit"  # the FK (path) to the OrgUnit the officials' scope is matched on
    owner_only: tuple[tuple[str, Any], ...] = ()  # field values only the owner sees


_ACTIONS: dict[str, Rule] = {}


class HasOrgUnit(Protocol):
    org_unit: OrgUnit


def permission_register(
    action: str,
    *,
    roles: Iterable[str],
    owner: str | None = None,
    unit: str = "org_unit",
    owner_only: dict[str, Any] | None = None,
) -> None:
    """Declare which roles may take ``action`` (within their units' subtrees); with
    ``owner``, also the object's owner; ``owner_only``: objects in these states are the
    owner's alone (e.g. ``{"status": "draft"}``)."""
    _ACTIONS[action] = Rule(
        roles=frozenset(roles),
        owner=owner,
        unit=unit,
        owner_only=tuple(sorted((owner_only or {}).items())),
    )


def _rule(action: str) -> Rule:
    try:
        return _ACTIONS[action]
    except KeyError:
        raise KeyError(f"Unknown permission action: {action}") from None


def permission_roles(action: str) -> frozenset[str]:
    return _rule(action).roles


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
    """A filter for querysets: rows whose ``field`` (an OrgUnit FK) is in the user's scope
    (roles only; ``visible_q`` adds the owner)."""
    paths = scope_paths(user, action)
    if paths is None:
        return Q(pk__isnull=False)  # everything (an empty Q() would vanish in an OR)
    cond = Q(pk__in=[])
    for path in paths:
        cond |= Q(**{f"{field}__path__startswith": path})
    return cond


def _authenticated(user: AnyUser | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.is_active


def visible_q(user: AnyUser | None, action: str, *, unit: str | None = None) -> Q:
    """The rows ``user`` may take ``action`` on: their own (the action's ``owner``) and,
    except those in an ``owner_only`` state, those of the units in their scope."""
    if not _authenticated(user):
        return Q(pk__in=[])
    rule = _rule(action)
    cond = scope_q(user, action, field=unit or rule.unit)
    if rule.owner_only:
        cond &= ~Q(**dict(rule.owner_only))
    if rule.owner:
        cond |= Q(**{rule.owner: user})
    return cond


def _follow(obj: Any, path: str) -> Any:
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def user_can(
    *,
    user: AnyUser | None,
    action: str,
    org_unit: OrgUnit | None = None,
    obj: HasOrgUnit | Any | None = None,
) -> bool:
    """May ``user`` take ``action`` on ``obj`` (or on something belonging to ``org_unit``)?
    The object's owner may, for an action registered with an ``owner``; officials within
    their scope may, unless the object is in an ``owner_only`` state."""
    rule = _rule(action)
    if obj is not None:
        if rule.owner and _authenticated(user):
            owner_id = getattr(obj, f"{rule.owner}_id", None)
            if owner_id is not None and owner_id == getattr(user, "pk", None):
                return True
        if rule.owner_only and all(getattr(obj, f, None) == v for f, v in rule.owner_only):
            return False
        if org_unit is None:
            org_unit = _follow(obj, rule.unit)
    paths = scope_paths(user, action)
    if paths is None:
        return True
    if org_unit is None:
        return bool(paths)
    return any(org_unit.path.startswith(p) for p in paths)


def user_units(user: AnyUser | None, *, roles: Iterable[str] | None = None) -> list[OrgUnit]:
    wanted = set(roles) if roles else None
    return [m.org_unit for m in _active_memberships(user) if wanted is None or m.role in wanted]


def unit_members(*, org_unit_id: int, action: str, on: dt.date | None = None) -> QuerySet[User]:
    """The active users who take ``action`` in the unit itself (not its parents) through a
    membership valid on ``on`` (default today): whom to tell about the unit's work, e.g. a
    reminder. The platform administrator's reach is not a unit's staff and is left out."""
    day = on or timezone.localdate()
    roles = permission_roles(action) - {Role.ADMIN}
    valid = Membership.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        org_unit_id=org_unit_id,
        role__in=roles,
    )
    return User.objects.filter(is_active=True, pk__in=valid.values("user_id"))


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
