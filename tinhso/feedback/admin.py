"""Admin: the default routes (configuration); feedback itself is read-only here (every
step goes through the pages or the API, which audit it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tinhso.audit.adminaudit import AuditedAdmin
from tinhso.feedback.models import Feedback, FeedbackRoute


@admin.register(FeedbackRoute)
class FeedbackRouteAdmin(AuditedAdmin):
    list_display = ("category", "procedure", "org_unit")
    list_filter = ("category",)
    autocomplete_fields = ("procedure",)
    raw_id_fields = ("org_unit",)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("number", "category", "status", "org_unit", "received_at", "due_at", "outcome")
    list_filter = ("status", "category", "outcome")
    search_fields = ("number", "subject")
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
