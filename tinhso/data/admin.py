"""Django admin of the data app. The catalogue (datasets, resources, keywords, client
systems) can be corrected here, and every change is recorded with ``audit_record`` in the
same transaction. Keys, grants, requests and datastore versions are read-only here (they
change only through the services, which check the rules); the signed access log is
read-only for everyone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from tinhso.audit.adminaudit import ServiceErrorsAdmin
from tinhso.audit.services import audit_record
from tinhso.data.models import (
    AccessLog,
    AccessLogHead,
    AccessRequest,
    ApiKey,
    ClientSystem,
    Dataset,
    DatastoreTable,
    Grant,
    Keyword,
    Resource,
)


class AuditedAdmin(ServiceErrorsAdmin):
    """Writes through the admin leave an entry in the audit chain (a refusal is a form
    error, ``ServiceErrorsAdmin``)."""

    audits_writes = True  # checked for every admin by tinhso/audit/tests/test_admin_writes.py

    def _unit(self, obj: Any) -> Any:
        return getattr(obj, "org_unit", None)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"data.admin.{'change' if change else 'add'}",
                obj=obj,
                org_unit=self._unit(obj),
                after={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="data.admin.delete",
                obj=obj,
                org_unit=self._unit(obj),
                before={"label": str(obj)},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ("position", "name", "format", "kind", "size", "hash", "datastore_active")
    readonly_fields = ("size", "hash", "datastore_active")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # files are added through the portal (validated, loaded, audited)


@admin.register(Dataset)
class DatasetAdmin(AuditedAdmin):
    list_display = ("name", "title", "org_unit", "theme", "access_level", "archived_at", "is_demo")
    list_filter = ("access_level", "theme", "is_demo", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "title", "title_en", "org_unit__name", "org_unit__code")
    raw_id_fields = ("org_unit", "steward", "spatial_unit")
    filter_horizontal = ("keywords",)
    autocomplete_fields = ()
    readonly_fields = ("uuid", "created_at", "modified_at")
    inlines = [ResourceInline]


@admin.register(Resource)
class ResourceAdmin(AuditedAdmin):
    list_display = ("name", "dataset", "format", "kind", "size", "datastore_active", "modified_at")
    list_filter = ("format", "kind", "datastore_active")
    search_fields = ("name", "dataset__name", "dataset__title")
    raw_id_fields = ("dataset",)
    readonly_fields = ("uuid", "file", "size", "hash", "created_at", "modified_at")

    def _unit(self, obj: Any) -> Any:
        return obj.dataset.org_unit

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Keyword)
class KeywordAdmin(AuditedAdmin):
    list_display = ("name", "folded")
    search_fields = ("name", "folded")

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        from tinhso.data.text import fold

        obj.folded = fold(obj.name)
        super().save_model(request, obj, form, change)


@admin.register(ClientSystem)
class ClientSystemAdmin(AuditedAdmin):
    list_display = ("code", "name", "org_unit", "is_active", "is_demo", "created_at")
    list_filter = ("is_active", "is_demo")
    search_fields = ("code", "name", "org_unit__name")
    raw_id_fields = ("org_unit", "created_by")
    readonly_fields = ("created_at",)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "client", "created_at", "revoked_at", "last_used_at")
    search_fields = ("prefix", "client__code")
    exclude = ("key_hash",)


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ("client", "dataset", "resource", "valid_from", "valid_until", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("client__code", "dataset__name", "purpose")


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin):
    list_display = ("dataset", "requesting_unit", "requested_by", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("dataset__name", "requesting_unit__name", "purpose")


@admin.register(DatastoreTable)
class DatastoreTableAdmin(ReadOnlyAdmin):
    list_display = ("resource", "version", "is_current", "row_count", "encoding", "loaded_at")
    list_filter = ("is_current",)
    search_fields = ("resource__name", "resource__dataset__name")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """The signed, hash-chained access log: append-only, nobody edits or deletes entries."""

    list_display = (
        "chain",
        "seq",
        "created_at",
        "client_code",
        "action",
        "dataset_name",
        "outcome",
        "status",
        "rows",
    )
    list_filter = ("outcome", "action")
    search_fields = ("client_code", "dataset_name", "key_prefix")


@admin.register(AccessLogHead)
class AccessLogHeadAdmin(ReadOnlyAdmin):
    list_display = ("name", "seq", "last_hash")
