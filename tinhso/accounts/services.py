"""Writes on accounts: registration of applicants, officials and their memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.validators import validate_citizen_id, validate_tax_code
from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "kind": user.kind,
        "full_name": user.full_name,
        "email": user.email,
        "is_active": user.is_active,
    }


def _create_user(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    check_password: bool,
    **fields: Any,
) -> User:
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Vui lòng nhập tên đăng nhập.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập đã được sử dụng.")})
    user = User(username=username, **fields)
    if password:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            audit_record(
                actor=actor or user, action="user.create", obj=user, after=_user_snapshot(user)
            )
    except IntegrityError as exc:
        raise ValidationError(_("Tài khoản với thông tin định danh này đã tồn tại.")) from exc
    return user


def citizen_register(
    *,
    username: str,
    password: str,
    full_name: str,
    citizen_id: str,
    email: str = "",
    phone: str = "",
    date_of_birth: dt.date | None = None,
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    cid = validate_citizen_id(citizen_id)
    if User.objects.filter(citizen_id=cid).exists():
        raise ValidationError({"citizen_id": _("Số CCCD này đã có tài khoản.")})
    if not full_name.strip():
        raise ValidationError({"full_name": _("Vui lòng nhập họ và tên.")})
    return _create_user(
        actor=actor,
        username=username,
        password=password,
        check_password=check_password,
        kind=User.Kind.CITIZEN,
        full_name=full_name.strip(),
        citizen_id=cid,
        email=email,
        phone=phone,
        date_of_birth=date_of_birth,
    )


def business_register(
    *,
    username: str,
    password: str,
    business_name: str,
    tax_code: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    code = validate_tax_code(tax_code)
    if User.objects.filter(tax_code=code).exists():
        raise ValidationError({"tax_code": _("Mã số thuế này đã có tài khoản.")})
    if not business_name.strip():
        raise ValidationError({"business_name": _("Vui lòng nhập tên doanh nghiệp.")})
    return _create_user(
        actor=actor,
        username=username,
        password=password,
        check_password=check_password,
        kind=User.Kind.BUSINESS,
        business_name=business_name.strip(),
        full_name=full_name,
        tax_code=code,
        email=email,
        phone=phone,
    )


def official_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str | None = None,
    email: str = "",
    check_password: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    return _create_user(
        actor=actor,
        username=username,
        password=password,
        check_password=check_password,
        kind=User.Kind.OFFICIAL,
        full_name=full_name,
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    user: User,
    org_unit: OrgUnit,
    role: str,
    title: str = "",
) -> Membership:
    if not user.is_official:
        raise ValidationError(_("Chỉ tài khoản cán bộ mới được phân công vào đơn vị."))
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ."))
    membership, created = Membership.objects.get_or_create(
        user=user, org_unit=org_unit, role=role, defaults={"title": title}
    )
    if created:
        audit_record(
            actor=actor,
            action="membership.add",
            obj=membership,
            org_unit=org_unit,
            after={"user": user.username, "role": role, "org_unit": org_unit.code},
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: User | None, membership: Membership) -> None:
    snapshot = {
        "user": membership.user.username,
        "role": membership.role,
        "org_unit": membership.org_unit.code,
    }
    audit_record(
        actor=actor,
        action="membership.remove",
        obj=membership,
        org_unit=membership.org_unit,
        before=snapshot,
    )
    membership.delete()
