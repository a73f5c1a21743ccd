"""Admin of accounts. Users are corrected here with an audit entry for every change
(also the password form); role grants (memberships) are added and removed only through
``membership_add``/``membership_remove``, which check the rules and audit; identities come
from the providers and are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse

from tinhso.accounts.models import ExternalIdentity, Membership, User
from tinhso.accounts.services import membership_add, membership_check, membership_remove
from tinhso.audit.adminaudit import AuditedAdmin, ReadOnlyAdmin, ServiceErrorsAdmin


class MembershipInline(admin.TabularInline):
    """Shown on the user; granted and withdrawn in the memberships' own admin."""

    model = Membership
    extra = 0
    fields = ("org_unit", "role", "title", "valid_from", "valid_to")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ("username", "kind", "full_name", "citizen_id", "tax_code", "is_active")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "full_name", "citizen_id", "tax_code", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Tỉnh Số",
            {
                "fields": (
                    "kind",
                    "full_name",
                    "citizen_id",
                    "tax_code",
                    "business_name",
                    "phone",
                    "address",
                    "date_of_birth",
                    "identity_source",
                    "identity_level",
                    "identity_verified_at",
                )
            },
        ),
    )
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        # a verified identity comes from the provider only; nobody edits it here
        base = tuple(super().get_readonly_fields(request, obj))
        verified = ("identity_source", "identity_level", "identity_verified_at")
        if obj is not None and obj.identity_verified:
            return (*base, *verified, "full_name", "citizen_id", "tax_code", "date_of_birth")
        return (*base, *verified)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # the new password and its audit entry (``log_change``) in one transaction
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)


class MembershipForm(forms.ModelForm):
    """The service's rules on the form, so that a refusal shows on the page."""

    class Meta:
        model = Membership
        fields = ("user", "org_unit", "role", "title", "valid_from", "valid_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        membership_check(
            user=data["user"],
            role=data["role"],
            valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
        )
        return data


@admin.register(Membership)
class MembershipAdmin(ServiceErrorsAdmin):
    """Role grants: through the services only (rules and audit there)."""

    writes_through_services = True
    list_display = ("user", "org_unit", "role", "title", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "org_unit__code", "org_unit__name")
    raw_id_fields = ("user", "org_unit")
    form = MembershipForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # withdraw the grant and add a new one

    def save_model(self, request: Any, obj: Membership, form: Any, change: bool) -> None:
        saved = membership_add(
            actor=request.user,
            user=obj.user,
            org_unit=obj.org_unit,
            role=obj.role,
            title=obj.title,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
        )
        obj.pk = saved.pk

    def delete_model(self, request: Any, obj: Membership) -> None:
        membership_remove(actor=request.user, membership=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        with transaction.atomic():
            for m in queryset.select_related("user", "org_unit"):
                membership_remove(actor=request.user, membership=m)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "provider", "subject", "level", "last_login_at")
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "provider", "subject", "level", "created_at", "last_login_at")
