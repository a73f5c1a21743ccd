from typing import Any

from django.contrib import admin

from tinhso.orgs.models import OrgUnit, Population, Succession
from tinhso.orgs.services import population_set


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("category", "kind", "level")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth")


admin.site.register(Succession)


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    """Writes go through ``population_set`` (validated and audited)."""

    list_display = ("org_unit", "year", "total", "adults", "is_demo", "source")
    list_filter = ("year", "is_demo")
    search_fields = ("org_unit__code", "org_unit__name")
    raw_id_fields = ("org_unit",)

    def get_readonly_fields(self, request: Any, obj: Population | None = None) -> Any:
        return ("org_unit", "year") if obj is not None else ()

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
