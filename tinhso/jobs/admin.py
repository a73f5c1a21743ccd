from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin

from tinhso.jobs import engine
from tinhso.jobs.models import FailedTask, PeriodicRun, SandboxMessage, WorkerHeartbeat


@admin.register(FailedTask)
class FailedTaskAdmin(DBTaskResultAdmin):
    """Tasks that failed after their last try: inspect the error, put them back."""

    # fewer columns than the base admin, whose stubs type its own tuple's exact length
    list_display = ("task_name", "enqueued_at", "finished_at", "tries", "exception_class_path")  # type: ignore[assignment]
    list_filter = ("queue_name",)  # type: ignore[assignment]
    actions = ["retry"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(status="FAILED")

    @admin.display(description=_("số lần chạy"))
    def tries(self, obj: FailedTask) -> int:
        return len(obj.worker_ids)

    @admin.action(description=_("Chạy lại các tác vụ đã chọn"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        n = engine.failed_retry(
            result_ids=list(queryset.values_list("pk", flat=True)), actor=request.user
        )
        text = ngettext(
            "Đã xếp lại %(n)d tác vụ vào hàng đợi.", "Đã xếp lại %(n)d tác vụ vào hàng đợi.", n
        )
        self.message_user(request, text % {"n": n}, messages.SUCCESS)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "host", "pid", "started_at", "seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    list_display = ("name", "slot", "enqueued_at")
    list_filter = ("name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SandboxMessage)
class SandboxMessageAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "channel", "to", "subject")
    list_filter = ("channel",)
    search_fields = ("to", "subject", "body")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
