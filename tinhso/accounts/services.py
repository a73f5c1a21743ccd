"""Writes on accounts: registration of applicants, officials and their memberships."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace as _replace
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import ExternalIdentity, Membership, Role, User
from tinhso.accounts.oidc import Identity
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


class AccountExists(ValidationError):
    """The ID number or tax code already has an account (``owner``). Raised only after
    every other check passed, so that the public registration can answer exactly as for a
    success (see ``applicant_register``)."""

    def __init__(self, owner: User, message: Any) -> None:
        super().__init__(message)
        self.owner = owner


def _precheck(*, username: str, password: str, check_password: bool) -> None:
    """The checks of ``_create_user`` that come before the identity number's: a visitor
    learns about the username and password, never whether the number has an account."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Vui lòng nhập tên đăng nhập.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập đã được sử dụng.")})
    if password and check_password:
        validate_password(password, User(username=username))


def _mail(*, to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(
            lambda: send_mail(subject, body, None, [to], fail_silently=True), robust=True
        )


def applicant_register(*, kind: str, data: dict[str, Any]) -> None:
    """The public registration form. A new account is created and its owner told by
    e-mail; an ID number (or tax code) that already has an account is NOT revealed to the
    visitor: the real owner is told by e-mail and the visitor sees the same answer as a
    success ("check your e-mail/SMS"). Other errors (bad number, taken username, weak
    password) are raised as ``ValidationError`` as before."""
    register = business_register if kind == "business" else citizen_register
    try:
        with transaction.atomic():
            user = register(**data)
    except AccountExists as exc:
        owner = exc.owner
        make_password(data.get("password") or None)  # the same work as a creation
        audit_record(
            actor=owner,
            action="user.register_duplicate",
            obj=owner,
            after={"kind": kind, "attempted_username": str(data.get("username", ""))[:150]},
        )
        _mail(
            to=owner.email,
            subject=_("Có người đăng ký tài khoản bằng thông tin định danh của bạn"),
            body=_(
                "Ai đó vừa dùng số định danh của bạn để đăng ký một tài khoản mới trên Tỉnh "
                "Số. Tài khoản của bạn (%(username)s) vẫn giữ nguyên và không có tài khoản "
                "mới nào được tạo. Nếu đó là bạn, hãy đăng nhập bằng tài khoản cũ hoặc dùng "
                "chức năng quên mật khẩu."
            )
            % {"username": owner.username},
        )
        return
    _mail(
        to=user.email,
        subject=_("Tài khoản Tỉnh Số của bạn đã được tạo"),
        body=_("Tài khoản %(username)s đã được tạo. Bạn có thể đăng nhập để nộp hồ sơ trực tuyến.")
        % {"username": user.username},
    )


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
    if not full_name.strip():
        raise ValidationError({"full_name": _("Vui lòng nhập họ và tên.")})
    _precheck(username=username, password=password, check_password=check_password)
    owner = User.objects.filter(citizen_id=cid).first()
    if owner is not None:
        raise AccountExists(owner, {"citizen_id": _("Số CCCD này đã có tài khoản.")})
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
    if not business_name.strip():
        raise ValidationError({"business_name": _("Vui lòng nhập tên doanh nghiệp.")})
    _precheck(username=username, password=password, check_password=check_password)
    owner = User.objects.filter(tax_code=code).first()
    if owner is not None:
        raise AccountExists(owner, {"tax_code": _("Mã số thuế này đã có tài khoản.")})
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


def membership_check(
    *, user: User, role: str, valid_from: dt.date | None = None, valid_to: dt.date | None = None
) -> None:
    """The rules of a role grant (also asked by the admin's form before it saves)."""
    if not user.is_official:
        raise ValidationError(_("Chỉ tài khoản cán bộ mới được phân công vào đơn vị."))
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ."))
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise ValidationError(_("Ngày kết thúc phân công phải sau ngày bắt đầu."))


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    user: User,
    org_unit: OrgUnit,
    role: str,
    title: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Membership:
    membership_check(user=user, role=role, valid_from=valid_from, valid_to=valid_to)
    membership, created = Membership.objects.get_or_create(
        user=user,
        org_unit=org_unit,
        role=role,
        defaults={"title": title, "valid_from": valid_from, "valid_to": valid_to},
    )
    if created:
        audit_record(
            actor=actor,
            action="membership.add",
            obj=membership,
            org_unit=org_unit,
            after={
                "user": user.username,
                "role": role,
                "org_unit": org_unit.code,
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
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


# --- Verified identity (OpenID Connect providers; tinhso.accounts.oidc) ---------------------


class IdentityError(Exception):
    """A provider login that must not create a session; ``message`` is for the user."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class IdentityLinkRequired(Exception):
    """The identity is not linked yet and a local account must be signed in to first."""

    def __init__(self, *, existing: User | None) -> None:
        super().__init__("link required")
        self.existing = existing


def identity_refusal_record(
    *, identity: Identity | None, provider: str, code: str, ip: str = ""
) -> None:
    """Audit a refused provider login (no session was created)."""
    with transaction.atomic():
        audit_record(
            actor=None,
            action="accounts.identity_refused",
            object_type="accounts.externalidentity",
            object_id=f"{provider}:{identity.subject if identity else ''}",
            extra={"provider": provider, "reason": code, "level": getattr(identity, "level", 0)},
            ip=ip or None,
        )


def _identity_apply(*, user: User, identity: Identity) -> None:
    """Copy the verified data onto the user (the provider is the source of truth)."""
    user.identity_source = identity.provider
    user.identity_level = identity.level
    user.identity_verified_at = timezone.now()
    if identity.full_name:
        user.full_name = identity.full_name
    if identity.date_of_birth:
        user.date_of_birth = identity.date_of_birth
    if identity.is_business and identity.business_name:
        user.business_name = identity.business_name
    user.save(
        update_fields=[
            "identity_source",
            "identity_level",
            "identity_verified_at",
            "full_name",
            "date_of_birth",
            "business_name",
        ]
    )


def _identity_account_for(identity: Identity) -> User | None:
    """A local account that claims the same person (same CCCD, or same MST for a business)."""
    if identity.is_business:
        return (
            User.objects.filter(tax_code=identity.tax_code).first() if identity.tax_code else None
        )
    return User.objects.filter(citizen_id=identity.citizen_id).first()


def _identity_username(identity: Identity) -> str:
    base = (
        f"{identity.provider}-{identity.tax_code if identity.is_business else identity.citizen_id}"
    )
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def identity_login(*, identity: Identity, min_level: int, officials: bool, ip: str = "") -> User:
    """The user a provider's verified identity signs in as: the linked account, else a new
    applicant account. Raises ``IdentityError`` (no session) or ``IdentityLinkRequired``
    when a local account with the same CCCD/MST exists (its owner must sign in to it first)
    or, for the officials' directory, when the official has not linked an account yet.
    Officials' roles are never taken from the provider."""
    if not identity.subject:
        raise IdentityError(_("Nhà cung cấp định danh không trả về mã người dùng."), code="no_sub")
    if identity.level < min_level:
        raise IdentityError(
            _(
                "Tài khoản định danh điện tử mức %(got)s chưa đủ: cần mức %(min)s trở lên. "
                "Vui lòng nâng mức định danh trên ứng dụng VNeID."
            )
            % {"got": identity.level, "min": min_level},
            code="level_too_low",
        )
    with transaction.atomic():
        ext = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(provider=identity.provider, subject=identity.subject)
            .first()
        )
        if ext is not None:
            user = ext.user
            if not user.is_active:
                raise IdentityError(_("Tài khoản này đã bị khóa."), code="inactive")
            if not officials:
                _identity_apply(user=user, identity=identity)
            ext.level = identity.level
            ext.last_login_at = timezone.now()
            ext.save(update_fields=["level", "last_login_at"])
            audit_record(
                actor=user,
                action="accounts.identity_login",
                obj=user,
                extra={"provider": identity.provider, "level": identity.level},
                ip=ip or None,
            )
            return user
    if officials:
        raise IdentityLinkRequired(existing=None)
    if identity.is_business:
        try:
            code = validate_tax_code(identity.tax_code)
        except ValidationError as exc:
            raise IdentityError(
                _("Nhà cung cấp định danh không trả về mã số thuế hợp lệ của doanh nghiệp."),
                code="bad_tax_code",
            ) from exc
        identity = _replace(identity, tax_code=code)
    else:
        try:
            cid = validate_citizen_id(identity.citizen_id)
        except ValidationError as exc:
            raise IdentityError(
                _("Nhà cung cấp định danh không trả về số định danh cá nhân hợp lệ."),
                code="bad_citizen_id",
            ) from exc
        identity = _replace(identity, citizen_id=cid)
    existing = _identity_account_for(identity)
    if existing is not None:
        raise IdentityLinkRequired(existing=existing)
    with transaction.atomic():
        fields: dict[str, Any] = {
            "full_name": identity.full_name,
            "email": identity.email,
            "phone": identity.phone[:20],
            "date_of_birth": identity.date_of_birth,
        }
        if identity.is_business:
            fields.update(
                kind=User.Kind.BUSINESS,
                tax_code=identity.tax_code,
                business_name=identity.business_name or identity.tax_code,
            )
        else:
            fields.update(kind=User.Kind.CITIZEN, citizen_id=identity.citizen_id)
        user = _create_user(
            actor=None,
            username=_identity_username(identity),
            password=None,
            check_password=False,
            **fields,
        )
        _identity_apply(user=user, identity=identity)
        ExternalIdentity.objects.create(
            user=user,
            provider=identity.provider,
            subject=identity.subject,
            level=identity.level,
            last_login_at=timezone.now(),
        )
        audit_record(
            actor=user,
            action="accounts.identity_login",
            obj=user,
            extra={"provider": identity.provider, "level": identity.level, "created": True},
            ip=ip or None,
        )
    return user


def identity_link(*, identity: Identity, user: User, officials: bool, ip: str = "") -> User:
    """Link a provider identity to the local account ``user``, whose owner has just signed
    in to it (password) in the same flow. Refused when the account belongs to another
    person (a different CCCD/MST than the provider asserts)."""
    if officials:
        same = user.is_official
    elif identity.is_business:
        same = user.kind == User.Kind.BUSINESS and user.tax_code == identity.tax_code
    else:
        same = user.kind == User.Kind.CITIZEN and user.citizen_id == identity.citizen_id
    if not same:
        with transaction.atomic():
            audit_record(
                actor=user,
                action="accounts.identity_link_refused",
                obj=user,
                extra={"provider": identity.provider, "subject": identity.subject},
                ip=ip or None,
            )
        raise IdentityError(
            _(
                "Không thể liên kết: tài khoản bạn vừa đăng nhập không thuộc về người có "
                "định danh điện tử này."
            )
            if not officials
            else _("Chỉ tài khoản cán bộ mới liên kết được với đăng nhập cán bộ."),
            code="link_other_person",
        )
    with transaction.atomic():
        if (
            ExternalIdentity.objects.filter(
                provider=identity.provider, subject=identity.subject
            ).exists()
            or ExternalIdentity.objects.filter(user=user, provider=identity.provider).exists()
        ):
            raise IdentityError(
                _("Tài khoản này đã được liên kết với một định danh khác."), code="already_linked"
            )
        ExternalIdentity.objects.create(
            user=user,
            provider=identity.provider,
            subject=identity.subject,
            level=identity.level,
            last_login_at=timezone.now(),
        )
        if not officials:
            _identity_apply(user=user, identity=identity)
        audit_record(
            actor=user,
            action="accounts.identity_link",
            obj=user,
            extra={"provider": identity.provider, "level": identity.level},
            ip=ip or None,
        )
    return user


# --- The user's own account: password, notification preferences --------------------------


def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """Change the signed-in user's password after checking the current one; the new one
    passes the password validators and differs from the old. The caller keeps the session
    (``update_session_auth_hash``)."""
    if not user.has_usable_password():
        raise ValidationError(
            {
                "old_password": _(
                    "Tài khoản này đăng nhập bằng định danh điện tử, không có mật khẩu."
                )
            }
        )
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": _("Mật khẩu hiện tại không đúng.")})
    if not new_password:
        raise ValidationError({"new_password1": _("Vui lòng nhập mật khẩu mới.")})
    if new_password == old_password:
        raise ValidationError({"new_password1": _("Mật khẩu mới phải khác mật khẩu hiện tại.")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=user, action="user.password_change", obj=user)
    return user


NOTIFY_FIELDS = {"email": "notify_email", "sms": "notify_sms"}


def user_notify_prefs_set(
    *, user: User, email: bool, sms: bool, language: str | None = None
) -> User:
    """Which channels may carry the user's notifications (e-mail, SMS), and in which of the
    platform's languages they are written (``None`` keeps the current one)."""
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Ngôn ngữ không được hỗ trợ.")})
    language = language or user.preferred_language
    before: dict[str, object] = {name: getattr(user, f) for name, f in NOTIFY_FIELDS.items()}
    before["language"] = user.preferred_language
    after: dict[str, object] = {"email": bool(email), "sms": bool(sms), "language": language}
    if before == after:
        return user
    with transaction.atomic():
        user.notify_email, user.notify_sms = bool(email), bool(sms)
        user.preferred_language = language
        user.save(update_fields=["notify_email", "notify_sms", "preferred_language"])
        audit_record(actor=user, action="user.notify_prefs", obj=user, before=before, after=after)
    return user
