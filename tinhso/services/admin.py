"""Admin: catalogue, processes (validated graph), working calendar. Every write here is
recorded in the audit chain (``AuditedAdmin``), the inlines' changes with their parent's."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from tinhso.audit.adminaudit import AuditedAdmin
from tinhso.services.models import (
    CalendarDay,
    DocumentPart,
    FormField,
    FormRevision,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    ProcedureField,
    Process,
    ProcessAction,
    ProcessStep,
)
from tinhso.services.text import search_normalize
from tinhso.services.workflow import ActionSpec, StepSpec, process_graph_errors


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ("day", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "day"


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    fields = ("order", "code", "name", "status", "is_start", "is_end", "time_share")


class ActionFormSet(BaseInlineFormSet):
    """Validates the whole graph (steps as edited + actions as edited) of an active
    process: no unreachable step, every path ends."""

    step_formset: BaseInlineFormSet | None = None

    def clean(self) -> None:
        super().clean()
        process = self.instance
        steps_fs = self.step_formset
        if steps_fs is None or not steps_fs.is_valid() or any(self.errors):
            return
        active = getattr(process, "is_active", False)
        if not active:
            return
        steps: list[StepSpec] = []
        for i, form in enumerate(steps_fs.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            key = form.instance.pk or f"new-{i}"
            steps.append(StepSpec(key, data["name"], data["is_start"], data["is_end"]))
        actions: list[ActionSpec] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            actions.append(ActionSpec(data["name"], data["from_step"].pk, data["to_step"].pk))
        errors = process_graph_errors(steps, actions)
        if errors:
            raise ValidationError(errors)


class ActionInline(admin.TabularInline):
    model = ProcessAction
    formset = ActionFormSet
    extra = 0
    fields = ("order", "code", "name", "from_step", "to_step", "role", "comment_required")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("from_step", "to_step"):
            obj_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = ProcessStep.objects.filter(process_id=obj_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Process)
class ProcessAdmin(AuditedAdmin):
    list_display = ("name", "code", "is_default", "is_active")
    inlines = [StepInline, ActionInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # a process published with a studio revision is edited in the studio ("Quy trình"
        # tab, as a new revision), never in place: dossiers that follow it keep its steps
        if obj is not None and FormRevision.objects.filter(process=obj).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and FormRevision.objects.filter(process=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        # a private ModelAdmin method, absent from django-stubs
        formsets, inline_instances = super()._create_formsets(request, obj, change)  # type: ignore[misc]
        steps = next((f for f in formsets if f.model is ProcessStep), None)
        for f in formsets:
            if isinstance(f, ActionFormSet):
                f.step_formset = steps
        return formsets, inline_instances


class ChannelInline(admin.TabularInline):
    model = ProcedureChannel
    extra = 0
    fields = ("channel", "time_value", "time_unit", "fee_amount", "fee_currency", "fee_is_free")


class PartInline(admin.TabularInline):
    model = DocumentPart
    extra = 0
    fields = ("order", "name", "required", "copies", "accepted_types", "doc_type")


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0


class AgencyInline(admin.TabularInline):
    model = ProcedureAgency
    extra = 0
    raw_id_fields = ("org_unit",)


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdmin):
    list_display = ("code", "name", "field", "service_class", "is_active")
    list_filter = ("service_class", "is_active", "ministry")
    search_fields = ("code", "search_text")
    raw_id_fields = ("field",)
    readonly_fields = ("raw", "parse_problems")
    inlines = [ChannelInline, PartInline, FormFieldInline, AgencyInline]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        return super().get_search_results(request, queryset, search_normalize(search_term))

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        obj.search_text = search_normalize(
            f"{obj.code} {obj.name} {obj.field.name if obj.field else ''}"
        )
        super().save_model(request, obj, form, change)


@admin.register(ProcedureField)
class ProcedureFieldAdmin(AuditedAdmin):
    search_fields = ("name",)
