from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tinhso.accounts.models import ExternalIdentity, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("org_unit",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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

    def get_readonly_fields(self, request: object, obj: User | None = None) -> tuple[str, ...]:
        # a verified identity comes from the provider only; nobody edits it here
        base = tuple(super().get_readonly_fields(request, obj))  # type: ignore[arg-type]
        verified = ("identity_source", "identity_level", "identity_verified_at")
        if obj is not None and obj.identity_verified:
            return (*base, *verified, "full_name", "citizen_id", "tax_code", "date_of_birth")
        return (*base, *verified)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "subject", "level", "last_login_at")
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "provider", "subject", "level", "created_at", "last_login_at")
