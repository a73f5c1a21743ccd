from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tinhso.accounts.models import Membership, User


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
                )
            },
        ),
    )
    inlines = [MembershipInline]
