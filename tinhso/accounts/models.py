"""Users (applicants and officials) and officials' memberships in org units."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        BUSINESS = "business", _("Doanh nghiệp")
        OFFICIAL = "official", _("Cán bộ, công chức")

    kind = models.CharField(_("loại tài khoản"), max_length=10, choices=Kind.choices)
    full_name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    citizen_id = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True, unique=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=13, null=True, blank=True, unique=True)
    business_name = models.CharField(_("tên doanh nghiệp"), max_length=255, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    preferred_language = models.CharField(max_length=5, default="vi")
    # Verified identity: set only by a national identity provider's login (services
    # identity_login / identity_link), never by a form the user can edit.
    identity_source = models.CharField(_("nguồn định danh"), max_length=40, blank=True)
    identity_level = models.PositiveSmallIntegerField(_("mức định danh"), null=True, blank=True)
    identity_verified_at = models.DateTimeField(_("định danh lúc"), null=True, blank=True)
    # Notification preferences (the profile page): which channels may carry news of the
    # user's dossiers and feedback; the page itself always shows the status.
    notify_email = models.BooleanField(_("nhận thông báo qua thư điện tử"), default=True)
    notify_sms = models.BooleanField(_("nhận thông báo qua tin nhắn SMS"), default=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="citizen") | Q(citizen_id__isnull=False),
                name="citizen_has_id",
            ),
            models.CheckConstraint(
                condition=~Q(kind="business") | Q(tax_code__isnull=False),
                name="business_has_tax_code",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.BUSINESS and self.business_name:
            return self.business_name
        return self.full_name or self.get_full_name() or self.username

    @property
    def identity_verified(self) -> bool:
        return bool(self.identity_source and self.identity_verified_at)

    @property
    def is_applicant(self) -> bool:
        return self.kind in (self.Kind.CITIZEN, self.Kind.BUSINESS)

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ")
    HEAD = "head", _("Lãnh đạo đơn vị")
    DX_OFFICE = "dx_office", _("Văn phòng chuyển đổi số tỉnh")
    ADMIN = "admin", _("Quản trị nền tảng")


class Membership(models.Model):
    """An official's role in an org unit; the scope is the unit's subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    title = models.CharField(_("chức vụ"), max_length=120, blank=True)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(fields=["user", "org_unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.org_unit}"


class ExternalIdentity(models.Model):
    """A user's account at an OpenID Connect provider (provider + ``sub``). Created at the
    first login through the provider, or by linking after a login to the local account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("nhà cung cấp định danh"), max_length=40)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    level = models.PositiveSmallIntegerField(_("mức định danh"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản định danh liên kết")
        verbose_name_plural = _("tài khoản định danh liên kết")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="external_identity_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "provider"], name="external_identity_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject} → {self.user}"
