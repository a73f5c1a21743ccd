"""Admin of org units. A unit is created through ``orgunit_create`` (rules, path, audit);
afterwards only its names are corrected here (audited); its place in the tree and its
validity change through ``orgunit_close`` / the reorganisation import, never by editing
the row. Successions come from those services and are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tinhso.audit.adminaudit import AuditedAdmin, ReadOnlyAdmin, ServiceErrorsAdmin
from tinhso.orgs.models import OrgUnit, Population, Succession
from tinhso.orgs.services import orgunit_create, population_set

_STRUCTURE = ("code", "category", "kind", "level", "parent", "valid_from", "valid_to")


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    writes_through_services = True  # additions; changes are audited corrections of names
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("category", "kind", "level")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def get_readonly_fields(self, request: Any, obj: OrgUnit | None = None) -> Any:
        if obj is None:
            return ("path", "depth")
        return ("path", "depth", *_STRUCTURE, "successors", "is_demo", "source")

    def audit_unit(self, obj: Any) -> Any:
        return obj

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # units are closed (orgunit_close), never deleted

    def save_model(self, request: Any, obj: OrgUnit, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # names only; log_change audits
            return
        unit = orgunit_create(
            actor=request.user,
            code=obj.code,
            name=obj.name,
            name_en=obj.name_en,
            short_name=obj.short_name,
            category=obj.category,
            kind=obj.kind,
            level=obj.level,
            parent=obj.parent,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            is_demo=obj.is_demo,
            source=obj.source,
        )
        obj.pk = unit.pk

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # orgunit_create has recorded the addition
        return admin.ModelAdmin.log_addition(self, request, obj, message)


@admin.register(Succession)
class SuccessionAdmin(ReadOnlyAdmin):
    list_display = ("predecessor", "successor", "effective")


@admin.register(Population)
class PopulationAdmin(ServiceErrorsAdmin):
    """Writes go through ``population_set`` (validated and audited)."""

    writes_through_services = True
    list_display = ("org_unit", "year", "total", "adults", "is_demo", "source")
    list_filter = ("year", "is_demo")
    search_fields = ("org_unit__code", "org_unit__name")
    raw_id_fields = ("org_unit",)

    def get_readonly_fields(self, request: Any, obj: Population | None = None) -> Any:
        return ("org_unit", "year") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a figure is corrected (population_set), not deleted

    def save_model(self, request: Any, obj: Population, form: Any, change: bool) -> None:
        saved = population_set(
            actor=request.user,
            org_unit=obj.org_unit,
            year=obj.year,
            total=obj.total,
            adults=obj.adults,
            source=obj.source,
            is_demo=obj.is_demo,
        )
        obj.pk = saved.pk
