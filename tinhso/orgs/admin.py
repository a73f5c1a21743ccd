from django.contrib import admin

from tinhso.orgs.models import OrgUnit, Population, Succession


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("category", "kind", "level")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth")


admin.site.register(Succession)
admin.site.register(Population)
