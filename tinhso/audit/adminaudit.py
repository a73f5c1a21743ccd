"""The Django admin writes like everything else: every add, change and delete made there
leaves an entry in the audit chain in the same transaction as the change.

Two ways for an app's admin (``tinhso/audit/tests/test_admin_writes.py`` checks that every
registered admin takes one of them):
- ``ReadOnlyAdmin``: nothing is added, changed or deleted here (the rows change only through
  the services, which check the rules and audit).
- ``AuditedAdmin``: plain corrections (a procedure's text, a calendar day) are allowed, each
  recorded through Django's own ``log_*`` hooks, which the admin calls for every add, change
  (also the list's inline edits and the password form) and delete (also the bulk action).
- An admin that sets ``writes_through_services = True`` calls the service functions in its
  ``save_model``/``delete_model`` (the services audit; see ``PopulationAdmin``).

A service's refusal (``ValidationError``) is shown on the admin page like a form error, and
nothing is written (``ServiceErrorsAdmin``, a base of ``AuditedAdmin``): never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from tinhso.audit.services import audit_record
from tinhso.forms import form_errors_apply

_SECRET_FIELDS = frozenset({"password", "key_hash", "secret", "token", "client_secret"})


def admin_snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's own columns (no secrets, no file contents), for the audit entry."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in _SECRET_FIELDS or isinstance(f, models.BinaryField):
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.FileField):
            value = str(value or "")
        out[f.attname] = value
    return out


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Shown, never written here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceErrorsAdmin(admin.ModelAdmin[Any]):
    """A ``ValidationError`` raised while saving (the service called by ``save_model``, a
    model's own checks) rolls the whole save back and shows the form again, bound to what
    was posted, with the error on the field it names (else at the top); raised while
    deleting, it rolls back and is shown as a message. The rules stay in the services."""

    _ERROR_ATTR = "_tinhso_admin_refusal"

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            # Django's own atomic block around the save is left by the exception: rolled back
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            if request.method != "POST" or hasattr(request, self._ERROR_ATTR):
                raise
            setattr(request, self._ERROR_ATTR, exc)
            # the same request once more: the form (see get_form) now carries the refusal,
            # so it is invalid and is shown again with the posted values; nothing is saved
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        found: ValidationError | None = getattr(request, self._ERROR_ATTR, None)
        if found is None:
            return form_class
        refusal: ValidationError = found

        class RefusedForm(form_class):  # type: ignore[valid-type,misc]
            def clean(self) -> Any:
                data = super().clean()
                form_errors_apply(self, refusal)
                return data

        return RefusedForm

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        # the bulk delete logs, then deletes: one transaction for both
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return None  # the list is shown again


class AuditedAdmin(ServiceErrorsAdmin):
    """Every write through this admin is recorded in the audit chain (same transaction)."""

    audits_writes = True

    def audit_unit(self, obj: Any) -> Any:
        """The org unit whose officials may see the entry (None: administrators only)."""
        unit = getattr(obj, "org_unit", None)
        return unit if unit is not None and hasattr(unit, "path") else None

    def _action(self, verb: str) -> str:
        return f"{self.model._meta.app_label}.admin.{verb}"

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        audit_record(
            actor=request.user,
            action=self._action("add"),
            obj=obj,
            org_unit=self.audit_unit(obj),
            after=admin_snapshot(obj),
            extra={"admin": message},
        )
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        audit_record(
            actor=request.user,
            action=self._action("change"),
            obj=obj,
            org_unit=self.audit_unit(obj),
            after=admin_snapshot(obj),
            extra={"admin": message},
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            audit_record(
                actor=request.user,
                action=self._action("delete"),
                obj=obj,
                org_unit=self.audit_unit(obj),
                before=admin_snapshot(obj),
            )
        return entries


def admin_audit_wrap(site: admin.AdminSite, labels: list[str]) -> None:
    """Make the admins of other packages' models (``app_label.Model``: groups, OAuth2
    clients and tokens, lockout records) write through ``AuditedAdmin`` too. Called once
    every app's admin is registered (``tinhso.web.apps``)."""
    registry = site._registry
    for model, model_admin in list(registry.items()):
        base = type(model_admin)
        if model._meta.label not in labels or issubclass(base, AuditedAdmin):
            continue
        site.unregister(model)
        site.register(model, type(f"Audited{base.__name__}", (AuditedAdmin, base), {}))
