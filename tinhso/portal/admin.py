from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tinhso.audit.adminaudit import AuditedAdmin
from tinhso.portal.models import DeadLetter, SandboxConfig, SandboxReceipt
from tinhso.portal.services import dead_letters_retry


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(_ReadOnly):
    list_display = ("pk", "dossier", "kind", "created_at", "attempts", "last_error")
    actions = ["retry"]

    @admin.action(description=_("Gửi lại các tin đã chọn"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        n = dead_letters_retry(ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        text = ngettext("Đã xếp lại %(n)d tin để gửi.", "Đã xếp lại %(n)d tin để gửi.", n)
        self.message_user(request, text % {"n": n}, messages.SUCCESS)


@admin.register(SandboxReceipt)
class SandboxReceiptAdmin(_ReadOnly):
    list_display = ("received_at", "service", "dossier_number", "key", "duplicate")
    list_filter = ("service", "duplicate")
    search_fields = ("dossier_number", "key")


@admin.register(SandboxConfig)
class SandboxConfigAdmin(AuditedAdmin):
    list_display = ("mode", "delay_seconds")
